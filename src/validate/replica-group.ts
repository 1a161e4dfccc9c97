import type { Service } from "../model/stack.js";

/** A replica group as the availability analysis names it. */
export interface ReplicaDescription {
  /** What it is, in a sentence ("the Alertmanager cluster"). */
  readonly component: string;
  /** Prefix of its findings' codes (`alerting/replicas`). */
  readonly codePrefix: string;
  /** What the group keeps doing while one replica is up ("alerts are still sent"). */
  readonly serves: string;
  /** How to add a replica on another node. */
  readonly addReplica: string;
}

/**
 * A group of replicas that share their state by gossip, not by vote (Alertmanager's cluster, memberlist): it
 * keeps working while any one replica runs, so what matters is that the replicas sit on distinct nodes (and
 * zones). A family declares it (`readonly replicaGroup = true`); the analysis finds it by this marker.
 */
export interface ReplicaGroup {
  readonly replicaGroup: true;
  readonly replicaDescription: ReplicaDescription;
  /** The services of the replicas: the group works while one of them runs a task. */
  readonly replicaServices: readonly Service[];
}

export function isReplicaGroup<T>(construct: T): construct is T & ReplicaGroup {
  const candidate = construct as Partial<ReplicaGroup> | undefined;
  return candidate?.replicaGroup === true && Array.isArray(candidate.replicaServices);
}
