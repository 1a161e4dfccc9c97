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

/** A majority-quorum group as the availability analysis names it. */
export interface QuorumDescription {
  /** What it is, in a sentence ("etcd", "The Swarm manager Raft group"). */
  readonly component: string;
  /** Prefix of its findings' codes (`etcd/quorum`, `galera/no-fault-tolerance`). */
  readonly codePrefix: string;
  /** What adds a voter, when no node can be named ("add members (nodes of the app tier) to `members`"). */
  readonly addVoter: string;
}

/**
 * A group that keeps working while a majority of its voters is up (Raft for Swarm managers and etcd,
 * Galera's primary component). Families declare it (`readonly majorityGroup = true`) and the failure
 * simulation finds every group by this marker, whatever family defines it.
 */
export interface MajorityGroup {
  readonly majorityGroup: true;
  readonly quorumDescription: QuorumDescription;
  /** The node of each voting member, one entry per voter. */
  readonly voterNodes: readonly Node[];
  /** Nodes that could hold one more voter, best first; the analysis names them in its fixes. */
  voterCandidates(): readonly Node[];
  /** The change that gives these nodes a vote, as a fix says it ("make sw-node-2 and sw-node-3 managers"). */
  addVotersFix(nodes: readonly Node[]): string;
}

export function isMajorityGroup<T>(construct: T): construct is T & MajorityGroup {
  const candidate = construct as Partial<MajorityGroup> | undefined;
  return candidate?.majorityGroup === true && Array.isArray(candidate.voterNodes);
}
