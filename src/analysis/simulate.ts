import { CapacityPlan, type Shortfall } from "./capacity.js";
import type { FailureModel, PathStage } from "./failure-model.js";

/** Where a request path stops, and why: its nodes are gone (DNS), its services are, or its group's majority. */
export interface PathBreak {
  readonly path: number;
  readonly stage: number;
  readonly cause: "nodes" | "service" | "quorum";
}

/** What losing some nodes at once takes away. Indices into the FailureModel's lists. */
export interface Outcome {
  readonly lost: readonly number[];
  /** Groups left without a majority of their voters. */
  readonly quorumLost: readonly number[];
  /** Services with no task left and nowhere to start one (or no manager majority to start it). */
  readonly servicesDown: readonly number[];
  /** Services with no running task left at the moment of the loss (down until Swarm restarts one). */
  readonly interrupted: readonly number[];
  /** The first broken hop of each request path that breaks. */
  readonly pathBreaks: readonly PathBreak[];
  /** Data sets with no copy left on a node that is up. */
  readonly dataLost: readonly number[];
  /** Services whose moved tasks find no survivor with room for their reservations (pending until room comes back). */
  readonly shortOfRoom: readonly Shortfall[];
}

/** A loss that matters to the application: a quorum, the request path, or the path's data. */
export function breaksSomething(model: FailureModel, outcome: Outcome): boolean {
  return outcome.quorumLost.length > 0 || outcome.pathBreaks.length > 0 || outcome.dataLost.some((index) => model.dataSets[index]?.onPath);
}

/**
 * Evaluates failure scenarios against one model. A scenario touches only the groups and services of the
 * nodes it loses (per-node lists precomputed by the model); the counters are reset after each, so the cost
 * of a scenario is that of the memberships of its nodes, whatever the cluster's size.
 */
export class Simulator {
  private readonly lostNode: Uint8Array;
  private readonly lostVotes: Int32Array;
  private readonly lostEligible: Int32Array;
  private readonly down: Uint8Array;
  private readonly interrupted: Uint8Array;
  /** Where the tasks that reserve resources run with every node up, and where they can move. */
  readonly capacity: CapacityPlan;

  constructor(private readonly model: FailureModel) {
    this.capacity = new CapacityPlan(model);
    this.lostNode = new Uint8Array(model.nodes.length);
    this.lostVotes = new Int32Array(model.groups.length);
    this.lostEligible = new Int32Array(model.services.length);
    this.down = new Uint8Array(model.services.length);
    this.interrupted = new Uint8Array(model.services.length);
  }

  evaluate(lost: readonly number[]): Outcome {
    const { model } = this;
    const touchedGroups: number[] = [];
    const touchedServices: number[] = [];
    for (const node of lost) {
      if (this.lostNode[node]) continue;
      this.lostNode[node] = 1;
      for (const group of model.votesOf[node] ?? []) {
        if (this.lostVotes[group] === 0) touchedGroups.push(group);
        this.lostVotes[group] = (this.lostVotes[group] ?? 0) + 1;
      }
      for (const service of model.servicesOf[node] ?? []) {
        if (this.lostEligible[service] === 0) touchedServices.push(service);
        this.lostEligible[service] = (this.lostEligible[service] ?? 0) + 1;
      }
    }

    const quorumLost = touchedGroups.filter((group) => {
      const voters = model.groups[group]?.voters.length ?? 0;
      return 2 * (voters - (this.lostVotes[group] ?? 0)) <= voters;
    });
    // Without the managers' majority, Swarm reschedules nothing: only tasks already on surviving nodes run.
    const rescheduling = !quorumLost.includes(model.swarmGroup);
    const shortOfRoom = rescheduling && !this.capacity.empty ? this.capacity.displace(lost, this.lostNode) : [];
    const noRoom = new Set(shortOfRoom.filter((short) => short.running <= 0).map((short) => short.service));
    const servicesDown: number[] = [];
    const interrupted: number[] = [];
    for (const index of touchedServices) {
      const entry = model.services[index];
      if (!entry || entry.replicas <= 0) continue;
      const lostHere = this.lostEligible[index] ?? 0;
      const nowhere = entry.eligible.length - lostHere <= 0;
      // Swarm spreads a service's tasks over its nodes, so the worst case is one task on each lost node.
      const noTaskLeft = nowhere || (!entry.onEveryNode && Math.min(entry.replicas, entry.eligible.length) - lostHere <= 0);
      if (nowhere || (noTaskLeft && (!rescheduling || noRoom.has(index)))) servicesDown.push(index);
      if (noTaskLeft) {
        interrupted.push(index);
        this.interrupted[index] = 1;
      }
    }
    for (const index of servicesDown) this.down[index] = 1;

    const quorumLostSet = new Set(quorumLost);
    const pathBreaks: PathBreak[] = [];
    model.paths.forEach((stages, path) => {
      const stage = stages.findIndex((each) => this.cause(each, quorumLostSet) !== undefined);
      const found = stages[stage];
      if (found) pathBreaks.push({ path, stage, cause: this.cause(found, quorumLostSet) ?? "service" });
    });
    const dataLost: number[] = [];
    model.dataSets.forEach((set, index) => {
      if (set.services.length > 0 && set.services.every((service) => this.down[service])) dataLost.push(index);
    });

    for (const node of lost) this.lostNode[node] = 0;
    for (const group of touchedGroups) this.lostVotes[group] = 0;
    for (const service of touchedServices) this.lostEligible[service] = 0;
    for (const service of servicesDown) this.down[service] = 0;
    for (const service of interrupted) this.interrupted[service] = 0;
    return { lost, quorumLost, servicesDown, interrupted, pathBreaks, dataLost, shortOfRoom };
  }

  private cause(stage: PathStage, quorumLost: ReadonlySet<number>): PathBreak["cause"] | undefined {
    if (stage.nodes && stage.nodes.length > 0 && !stage.nodes.some((node) => !this.lostNode[node])) return "nodes";
    if (stage.group !== undefined && quorumLost.has(stage.group)) return "quorum";
    // The request path needs a running task: a task Swarm restarts elsewhere leaves the hop dark meanwhile.
    if (stage.services.length > 0 && stage.services.every((service) => this.interrupted[service])) return "service";
    return undefined;
  }
}
