import type { IConstruct } from "constructs";
import type { Cluster } from "../model/cluster.js";
import type { Node } from "../model/node.js";
import { declaredOf } from "./problem.js";

/**
 * A construct that is a majority-quorum group of nodes (etcd, a Galera cluster, any later one). High-level
 * constructs declare `readonly quorumKind = "etcd"` and the nodes that vote, `quorumNodes`; validation and
 * the availability analysis find them by that marker rather than by class, so they do not depend on the
 * modules that define them.
 */
export interface QuorumGroup {
  /** What kind of group: `etcd`, `galera`, … (checks specific to one kind select it by this). */
  readonly quorumKind: string;
  /** Every node that holds a vote; losing more than a minority of them stops the group. */
  readonly quorumNodes: readonly Node[];
}

export function isQuorumGroup(construct: IConstruct): construct is IConstruct & QuorumGroup {
  const candidate = construct as Partial<QuorumGroup>;
  return typeof candidate.quorumKind === "string" && Array.isArray(candidate.quorumNodes);
}

/** A quorum group as the analysis names it: the construct it is about (the cluster for Swarm's managers). */
export interface NamedQuorumGroup {
  readonly name: string;
  readonly construct: IConstruct;
  readonly nodes: readonly Node[];
}

/** Every quorum group of the cluster: the Swarm managers' Raft group, then each construct that declares one. */
export function quorumGroupsOf(cluster: Cluster): NamedQuorumGroup[] {
  const declared = cluster.node.findAll().filter(isQuorumGroup);
  return [
    { name: "the Swarm managers", construct: cluster, nodes: cluster.managers },
    ...declared.map((group) => ({
      name: `the ${group.quorumKind} group ${declaredOf(group).path}`,
      construct: group,
      nodes: group.quorumNodes,
    })),
  ];
}
