import type { Cluster } from "../model/cluster.js";
import { declaredOf, type Declared } from "../validate/problem.js";
import { isMajorityGroup, type MajorityGroup } from "../validate/quorum-group.js";
import { swarmManagers } from "./swarm-managers.js";

/** A majority group and the construct its findings are pinned on (the cluster for the Swarm managers). */
export interface DeclaredGroup {
  readonly at: Declared;
  readonly group: MajorityGroup;
}

/**
 * Every majority group of the cluster: the Swarm managers' Raft group first (the failure model relies on its
 * index being 0), then each construct that declares one, in tree order.
 */
export function majorityGroupsOf(cluster: Cluster): DeclaredGroup[] {
  const managers = swarmManagers(cluster);
  return [
    { at: managers.at, group: managers },
    ...cluster.node
      .findAll()
      .filter(isMajorityGroup)
      .map((construct) => ({ at: declaredOf(construct), group: construct })),
  ];
}
