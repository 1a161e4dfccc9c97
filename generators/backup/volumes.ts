import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { type Service, Stack } from "../../src/model/stack.js";

/** A named volume the model declares, as Docker names it on the nodes its tasks may run on. */
export interface DeclaredVolume {
  /** Docker's name: `<stack>_<volume>` for a stack's volume (what `docker volume ls` shows, what the filter matches). */
  readonly name: string;
  /** The services that mount it. */
  readonly services: readonly Service[];
  /** Nodes where it may exist: every node a task mounting it may run on (Docker's local driver keeps it there). */
  readonly nodes: readonly Node[];
}

/**
 * Every named volume of every stack, sorted by Docker name: the candidates of a backup's volume filter. The stacks'
 * services are read today; a family that declares other volumes (shared storage) adds its own source here.
 */
export function declaredVolumes(cluster: Cluster): DeclaredVolume[] {
  const byName = new Map<string, { services: Service[]; nodes: Set<Node> }>();
  for (const stack of cluster.all(Stack)) {
    for (const service of stack.services) {
      for (const volume of namedVolumeSources(service.props.volumes ?? [])) {
        const name = `${stack.name}_${volume}`;
        const entry = byName.get(name) ?? { services: [], nodes: new Set<Node>() };
        entry.services.push(service);
        for (const node of service.eligibleNodes) entry.nodes.add(node);
        byName.set(name, entry);
      }
    }
  }
  const order = new Map(cluster.nodes.map((node, index) => [node, index]));
  return [...byName.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, entry]) => ({
      name,
      services: entry.services,
      nodes: [...entry.nodes].sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0)),
    }));
}

/** Sources of short-syntax named-volume mounts (`data:/var/lib/x[:mode]`): not bind mounts, not anonymous volumes. */
function namedVolumeSources(volumes: readonly unknown[]): string[] {
  return volumes.flatMap((volume) => {
    if (typeof volume !== "string") return [];
    const [source, target] = volume.split(":");
    if (!source || target === undefined || /^[./~$]/.test(source)) return [];
    return [source];
  });
}
