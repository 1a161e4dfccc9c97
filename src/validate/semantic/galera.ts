import type { Problem } from "../../core/problems.js";
import type { Node } from "../../model/node.js";
import type { Secret } from "../../model/secret.js";
import { TIER_LABEL } from "../../model/tier.js";
import { declaredOf, problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * What an XtraDbCluster shows validation; found by shape, as quorum groups are (quorum-group.ts), so
 * validation does not import the constructs.
 */
interface GaleraGroup {
  readonly clusterName: string;
  readonly dataNodes: readonly Node[];
  readonly arbitratorNode: Node | undefined;
  readonly monitorCredentials: readonly Secret[];
}

function isGaleraGroup(construct: unknown): construct is GaleraGroup {
  const candidate = construct as Partial<GaleraGroup>;
  return typeof candidate.clusterName === "string" && Array.isArray(candidate.dataNodes) && Array.isArray(candidate.monitorCredentials);
}

/**
 * Where the Galera voters run. Two members on one node share its fate (and its data volume), so losing it
 * costs two votes; the arbitrator on a data node likewise; a member off the db tier is never scheduled
 * (its placement asks for the db tier).
 */
export function checkGalera({ cluster }: CheckContext): Problem[] {
  const nodes = new Set(cluster.nodes);
  const problems: Problem[] = [];
  for (const construct of cluster.node.findAll()) {
    if (!isGaleraGroup(construct)) continue;
    const group = declaredOf(construct);
    const holder = new Map<Node, number>();
    construct.dataNodes.forEach((node, index) => {
      const field = `nodes[${index}]`;
      if (!nodes.has(node)) {
        problems.push(problem("galera/node-not-in-cluster", group, field, { hostname: node.hostname }));
        return;
      }
      const first = holder.get(node);
      if (first !== undefined) {
        problems.push(problem("galera/members-share-node", group, field, { hostname: node.hostname, first: `pxc-${first + 1}` }));
      } else {
        holder.set(node, index);
      }
      if (node.labels.type !== TIER_LABEL.db) {
        problems.push(problem("galera/member-off-db-tier", group, field, { hostname: node.hostname, tier: String(node.tier) }));
      }
    });
    const arbitrator = construct.arbitratorNode;
    if (arbitrator && !nodes.has(arbitrator)) {
      problems.push(problem("galera/node-not-in-cluster", group, "arbitrator", { hostname: arbitrator.hostname }));
    } else if (arbitrator && holder.has(arbitrator)) {
      problems.push(
        problem("galera/arbitrator-on-member-node", group, "arbitrator", {
          hostname: arbitrator.hostname,
          member: `pxc-${(holder.get(arbitrator) as number) + 1}`,
        }),
      );
    }
    const monitors = construct.monitorCredentials;
    if (monitors.length > 1) {
      problems.push(
        problem("galera/monitor-secrets-differ", group, "", {
          cluster: construct.clusterName,
          secrets: monitors.map((secret) => secret.name),
        }),
      );
    }
  }
  return problems;
}
