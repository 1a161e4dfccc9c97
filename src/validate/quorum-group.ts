import type { IConstruct } from "constructs";
import type { Node } from "../model/node.js";

/**
 * A construct that is a majority-quorum group of nodes. High-level constructs (EtcdCluster) declare
 * `readonly quorumKind = "etcd"`; validation finds them by that marker rather than by class, so it does
 * not depend on the modules that define them.
 */
export interface QuorumGroup {
  readonly quorumKind: "etcd";
  readonly members: readonly Node[];
}

export function isQuorumGroup(construct: IConstruct): construct is IConstruct & QuorumGroup {
  const candidate = construct as Partial<QuorumGroup>;
  return typeof candidate.quorumKind === "string" && Array.isArray(candidate.members);
}
