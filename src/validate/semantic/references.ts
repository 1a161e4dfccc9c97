import type { Problem } from "../../core/problems.js";
import { problem } from "../problem.js";
import { serviceEntries, type CheckContext } from "./context.js";

/**
 * A service may only use networks and secrets declared in its own cluster. By name (the document): a name
 * nothing declares would make `docker stack deploy` fail on a missing external network. By identity (the
 * tree): an object made under another Cluster that happens to share a name here is a different network
 * (another subnet, another MTU) than the one this cluster creates.
 */
export function checkReferences(context: CheckContext): Problem[] {
  const { cluster, document } = context;
  const networkNames = new Set(document.networks.map((network) => network.name));
  const secretNames = new Set(document.secrets.map((secret) => secret.name));
  const networks = new Set<unknown>(cluster.networks);
  const secrets = new Set<unknown>(cluster.secrets);
  const problems: Problem[] = [];

  for (const { service, spec } of serviceEntries(context)) {
    const given = { networks: service.props.networks ?? [], secrets: service.props.secrets ?? [] };
    spec.networks.forEach((name, index) => {
      const object: unknown = given.networks[index];
      const reason = !networkNames.has(name)
        ? "is not declared in this cluster"
        : typeof object === "object" && !networks.has(object)
          ? "is an OverlayNetwork of another Cluster; this cluster declares its own network of that name"
          : undefined;
      if (reason) problems.push(problem("service/undeclared-network", service, `networks[${index}]`, { network: name, reason }));
    });
    spec.secrets.forEach((name, index) => {
      const object: unknown = given.secrets[index];
      const reason = !secretNames.has(name)
        ? "is not declared in this cluster"
        : typeof object === "object" && !secrets.has(object)
          ? "is a Secret of another Cluster; this cluster declares its own secret of that name"
          : undefined;
      if (reason) problems.push(problem("service/undeclared-secret", service, `secrets[${index}]`, { secret: name, reason }));
    });
  }
  return problems;
}
