import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { Service } from "../model/stack.js";
import { finding } from "./findings.js";

/** The code of a stateful service's finding, whether a family or the generic data analysis makes it. */
export const STATE_CODE = "data/single-replica-state";

/** A service that runs one task and keeps state in a node-local volume, as its family describes it. */
export interface SingleReplicaState {
  readonly service: Service;
  /** The named volume holding the state. */
  readonly volume: string;
  /** What the volume holds, as a sentence has it ("its metrics history (24h)", "dashboards and users"). */
  readonly holds: string;
  /** What stops while the task is down ("metrics are not recorded"). */
  readonly stops: string;
}

/**
 * The finding of a single-replica stateful service (Prometheus, Grafana, …): a family calls this from its
 * availabilityFindings(), naming what the volume holds. Free to move, Swarm restarts it elsewhere on an empty
 * volume: a warning. Pinned to one node, the task stops with the node and the data is lost with its disk: a warning too.
 */
export function singleReplicaStateFindings({ service, volume, holds, stops }: SingleReplicaState): Problem[] {
  const nodes = service.eligibleNodes.map((node) => node.hostname);
  if (service.replicaCount !== 1 || service.spreadOnePerNode || nodes.length === 0) return [];
  const [only] = nodes;
  if (nodes.length === 1) {
    return [
      // Pinned, nothing is lost on a reschedule (there is none), but the data is on one disk: a warning naming it.
      finding("warning", STATE_CODE, service, {
        message: `${service.name} runs 1 task, pinned to ${only}, with ${holds} in the node-local volume ${volume}: while ${only} is down ${stops}, and losing its disk loses that data`,
        hint: `back the volume ${volume} up (the node's backup timer), or keep it on shared storage (a CephFS volume of \`CephCluster\`) and widen the placement`,
      }),
    ];
  }
  return [
    finding("warning", STATE_CODE, service, {
      message: `${service.name} runs 1 task on one of ${listed(nodes, "or")}, with ${holds} in the node-local volume ${volume}: when Swarm reschedules it to another node, it starts there with an empty volume and that data is lost`,
      hint: `pin it to one node (\`placement: { hostname: "${only}" }\`) and back the volume up, or run a second replica`,
    }),
  ];
}
