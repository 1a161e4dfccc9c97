import { parseMemorySize } from "../core/memory-size.js";
import type { FailureModel } from "./failure-model.js";

/** Memory in bytes and CPUs: what a node offers (Infinity where it declares none) or a task reserves. */
export interface Resources {
  readonly memory: number;
  readonly cpus: number;
}

/** A service's tasks that a scenario's survivors have no room for. */
export interface Shortfall {
  readonly service: number;
  /** Tasks left without a node: pending until room comes back. */
  readonly missing: number;
  /** Tasks still running or placed again after the loss. */
  readonly running: number;
}

/**
 * Where Swarm's scheduler can put the tasks that reserve resources. A node accepts a task only while its
 * unreserved memory and CPUs cover the task's reservation, so after a loss the tasks that ran on the lost
 * nodes need room on the survivors; services without a reservation are placed on constraints alone and are
 * not tracked here.
 *
 * The placement with every node up is computed once, the way the scheduler spreads a service (fewest tasks
 * of the service first, then the most free memory); a scenario moves only the tasks of its lost nodes, and
 * undoes its moves afterwards, so its cost is that of the tasks it displaces.
 */
export class CapacityPlan {
  /** Reservation of each service, undefined for those that reserve nothing. */
  readonly reservation: readonly (Resources | undefined)[];
  /** Tasks of each service that find no room with every node up. */
  readonly unplaced: readonly number[];
  private readonly freeMemory: Float64Array;
  private readonly freeCpus: Float64Array;
  /** Tasks placed on each node with every node up: a service index per task. */
  private readonly tasksOn: number[][];
  /** Tasks of each service on each node, for the scheduler's spread. */
  private readonly countOn: Map<number, Int32Array>;
  /** Replicated services that reserve something, largest memory first: the order tasks are placed in. */
  private readonly order: readonly number[];
  /** Each service's position in `order`, for sorting a scenario's displaced tasks. */
  private readonly rank = new Map<number, number>();

  constructor(private readonly model: FailureModel) {
    const nodeCount = model.nodes.length;
    this.freeMemory = Float64Array.from(model.nodes, (node) => parseMemorySize(node.memory) ?? Number.POSITIVE_INFINITY);
    this.freeCpus = Float64Array.from(model.nodes, (node) => node.cpus ?? Number.POSITIVE_INFINITY);
    this.tasksOn = model.nodes.map(() => []);
    this.countOn = new Map();
    this.reservation = model.services.map((entry) => reservationOf(entry.service.props.reservations));
    const unplaced = model.services.map(() => 0);
    this.unplaced = unplaced;

    const reserving = model.services.flatMap((_, index) => (this.reservation[index] ? [index] : []));
    // A global task has one node to go to: it takes its room first, as the scheduler cannot move it.
    for (const index of reserving.filter((service) => model.services[service]?.onEveryNode)) {
      for (const node of model.services[index]?.eligible ?? []) {
        if (this.fits(index, node)) this.place(index, node);
        else unplaced[index] = (unplaced[index] ?? 0) + 1;
      }
    }
    this.order = reserving
      .filter((service) => !model.services[service]?.onEveryNode)
      .sort((a, b) => (this.reservation[b]?.memory ?? 0) - (this.reservation[a]?.memory ?? 0) || a - b);
    for (const [position, index] of this.order.entries()) {
      this.rank.set(index, position);
      this.countOn.set(index, new Int32Array(nodeCount));
      const entry = model.services[index];
      for (let task = 0; task < (entry?.replicas ?? 0); task++) {
        const node = this.choose(index, undefined);
        if (node === undefined) unplaced[index] = (unplaced[index] ?? 0) + 1;
        else this.place(index, node);
      }
    }
  }

  /** True when no replicated service reserves anything: a scenario has no task to move. */
  get empty(): boolean {
    return this.order.length === 0;
  }

  /** Free memory and CPUs of a node once every task is placed, every node up. */
  free(node: number): Resources {
    return { memory: this.freeMemory[node] ?? 0, cpus: this.freeCpus[node] ?? 0 };
  }

  /**
   * Moves the replicated tasks of the lost nodes onto surviving eligible nodes with room, and reports the
   * services left with tasks that such nodes exist for but have no room (beyond those already unplaced with
   * every node up). `lost` marks lost nodes.
   */
  displace(lostNodes: readonly number[], lost: Uint8Array): Shortfall[] {
    const moved: { service: number; node: number }[] = [];
    const missing = new Map<number, number>();
    const displaced: number[] = [];
    for (const node of new Set(lostNodes))
      for (const service of this.tasksOn[node] ?? []) if (this.countOn.has(service)) displaced.push(service);
    displaced.sort((a, b) => (this.rank.get(a) ?? 0) - (this.rank.get(b) ?? 0));
    for (const service of displaced) {
      // With no eligible node left at all, the task waits for its placement, not for room: not counted here.
      if (!this.model.services[service]?.eligible.some((node) => !lost[node])) continue;
      const node = this.choose(service, lost);
      if (node === undefined) missing.set(service, (missing.get(service) ?? 0) + 1);
      else {
        this.place(service, node);
        moved.push({ service, node });
      }
    }
    for (const { service, node } of moved) this.unplace(service, node);
    return [...missing].map(([service, count]) => {
      const wanted = this.model.services[service]?.replicas ?? 0;
      return { service, missing: count, running: wanted - count - (this.unplaced[service] ?? 0) };
    });
  }

  /** The surviving eligible node the scheduler would pick for one more task of the service, if any has room. */
  private choose(service: number, lost: Uint8Array | undefined): number | undefined {
    const counts = this.countOn.get(service);
    let best: number | undefined;
    for (const node of this.model.services[service]?.eligible ?? []) {
      if (lost?.[node] || !this.fits(service, node)) continue;
      if (
        best === undefined ||
        (counts?.[node] ?? 0) < (counts?.[best] ?? 0) ||
        ((counts?.[node] ?? 0) === (counts?.[best] ?? 0) && (this.freeMemory[node] ?? 0) > (this.freeMemory[best] ?? 0))
      )
        best = node;
    }
    return best;
  }

  private fits(service: number, node: number): boolean {
    const wants = this.reservation[service];
    if (!wants) return true;
    return wants.memory <= (this.freeMemory[node] ?? 0) && wants.cpus <= (this.freeCpus[node] ?? 0);
  }

  private place(service: number, node: number): void {
    const wants = this.reservation[service];
    this.freeMemory[node] = (this.freeMemory[node] ?? 0) - (wants?.memory ?? 0);
    this.freeCpus[node] = (this.freeCpus[node] ?? 0) - (wants?.cpus ?? 0);
    this.tasksOn[node]?.push(service);
    const counts = this.countOn.get(service);
    if (counts) counts[node] = (counts[node] ?? 0) + 1;
  }

  private unplace(service: number, node: number): void {
    const wants = this.reservation[service];
    this.freeMemory[node] = (this.freeMemory[node] ?? 0) + (wants?.memory ?? 0);
    this.freeCpus[node] = (this.freeCpus[node] ?? 0) + (wants?.cpus ?? 0);
    const tasks = this.tasksOn[node];
    tasks?.splice(tasks.lastIndexOf(service), 1);
    const counts = this.countOn.get(service);
    if (counts) counts[node] = (counts[node] ?? 0) - 1;
  }
}

/** A service's reservation in numbers; undefined when it reserves nothing (or nothing the model can read). */
function reservationOf(reservations: { readonly memory?: string; readonly cpus?: number } | undefined): Resources | undefined {
  if (!reservations) return undefined;
  const memory = parseMemorySize(reservations.memory) ?? 0;
  const cpus = typeof reservations.cpus === "number" && reservations.cpus > 0 ? reservations.cpus : 0;
  return memory > 0 || cpus > 0 ? { memory, cpus } : undefined;
}
