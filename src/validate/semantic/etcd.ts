import type { Problem } from "../../core/problems.js";
import { declaredOf, problem } from "../problem.js";
import { isMajorityGroup } from "../quorum-group.js";
import type { CheckContext } from "./context.js";

/**
 * etcd membership. An even count is an error here, not only an availability finding: it costs a
 * member's upkeep and adds no tolerance, and a split down the middle stops writes on both sides.
 */
export function checkEtcd({ cluster }: CheckContext): Problem[] {
  const nodes = new Set(cluster.nodes);
  const problems: Problem[] = [];
  for (const construct of cluster.node.findAll()) {
    if (!isMajorityGroup(construct) || construct.quorumKind !== "etcd") continue;
    const group = declaredOf(construct);
    const count = construct.voterNodes.length;
    if (count === 0) problems.push(problem("etcd/no-members", group, "members", {}));
    else if (count % 2 === 0) problems.push(problem("etcd/even-members", group, "members", { count }));
    construct.voterNodes.forEach((member, index) => {
      if (!nodes.has(member)) {
        problems.push(problem("etcd/member-not-in-cluster", group, `members[${index}]`, { member: member.path }));
      }
    });
  }
  return problems;
}
