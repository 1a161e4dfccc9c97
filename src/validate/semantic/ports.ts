import type { Problem } from "../../core/problems.js";
import type { Service } from "../../model/stack.js";
import { problem } from "../problem.js";
import { serviceEntries, type CheckContext } from "./context.js";

interface Published {
  readonly service: Service;
  readonly index: number;
  readonly port: number;
  readonly protocol: string;
  readonly mode: string;
  readonly nodes: ReadonlySet<string>;
}

/**
 * Two services publishing the same port and protocol. The routing mesh binds an ingress port on every
 * node, so it collides with any other use of that port; a host-mode port is bound only where a task
 * runs, so two of them collide only when their placements share a node.
 */
export function checkPorts(context: CheckContext): Problem[] {
  const published: Published[] = serviceEntries(context).flatMap(({ service, spec }) => {
    const nodes = new Set(service.eligibleNodes.map((node) => node.hostname));
    return spec.ports.flatMap((port, index) =>
      Number.isInteger(port.published) ? [{ service, index, port: port.published, protocol: port.protocol, mode: port.mode, nodes }] : [],
    );
  });

  const problems: Problem[] = [];
  published.forEach((entry, position) => {
    const earlier = published.slice(0, position).find((other) => collides(other, entry));
    if (!earlier) return;
    problems.push(
      problem("service/port-collision", entry.service, `ports[${entry.index}].published`, {
        port: `${entry.port}/${entry.protocol}`,
        other: `${earlier.service.path} (ports[${earlier.index}])`,
        why: explain(earlier, entry),
      }),
    );
  });
  return problems;
}

function collides(a: Published, b: Published): boolean {
  if (a.port !== b.port || a.protocol !== b.protocol) return false;
  return a.mode === "ingress" || b.mode === "ingress" || shared(a, b).length > 0;
}

function shared(a: Published, b: Published): string[] {
  return [...a.nodes].filter((hostname) => b.nodes.has(hostname)).sort();
}

function explain(a: Published, b: Published): string {
  if (a.mode === "ingress" && b.mode === "ingress") return "ingress ports are published cluster-wide by the routing mesh";
  if (a.mode === "ingress" || b.mode === "ingress") {
    return "the routing mesh binds the ingress port on every node, the nodes of the host-mode port included";
  }
  return `both bind it in host mode on ${shared(a, b).join(", ")}`;
}
