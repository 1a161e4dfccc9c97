import type { Node } from "../model/node.js";

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
 * Galera's primary component). Families declare it (`readonly majorityGroup = true`), and validation, the
 * failure simulation and the reboot windows find every group by this marker, whatever family defines it,
 * so src/ never imports a family.
 */
export interface MajorityGroup {
  readonly majorityGroup: true;
  /** What kind of group (`etcd`, `galera`, …): checks specific to one kind select it by this. */
  readonly quorumKind: string;
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
