import { listed } from "../core/wording.js";
import type { Cluster } from "../model/cluster.js";
import type { Node } from "../model/node.js";
import type { Tier } from "../model/tier.js";
import type { Declared } from "../validate/problem.js";
import type { MajorityGroup } from "../validate/quorum-group.js";

/**
 * Where a new manager fits best: app nodes first, as the seed's manager was one; the fronts last, since
 * they face the internet and a manager holds the Swarm's keys.
 */
const MANAGER_TIERS: readonly Tier[] = ["app", "proxy", "db", "front"];

/** The Swarm managers' Raft group, which the cluster itself declares (`swarmRole: "manager"`). */
export function swarmManagers(cluster: Cluster): MajorityGroup & { readonly at: Declared } {
  return {
    majorityGroup: true,
    at: cluster,
    quorumDescription: {
      component: "The Swarm manager Raft group",
      codePrefix: "swarm",
      addVoter: 'make more nodes managers (`swarmRole: "manager"`, app nodes first)',
    },
    quorumKind: "swarm",
    voterNodes: cluster.managers,
    voterCandidates: () =>
      MANAGER_TIERS.flatMap((tier) => cluster.nodes.filter((node) => node.tier === tier && node.swarmRole !== "manager")),
    addVotersFix: (nodes: readonly Node[]) =>
      `make ${listed(nodes.map((node) => node.hostname))} manager${nodes.length > 1 ? "s" : ""} (\`swarmRole: "manager"\`)`,
  };
}
