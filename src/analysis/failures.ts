import type { Cluster } from "../model/cluster.js";
import type { CapacityPlan } from "./capacity.js";
import { buildFailureModel, type FailureModel } from "./failure-model.js";
import { breaksSomething, Simulator, type Outcome } from "./simulate.js";

/** How many sets of `size` nodes break something, and the first that does in declaration order. */
export interface Tolerance {
  readonly size: number;
  readonly checked: number;
  readonly breaking: number;
  /**
   * The first breaking set none of whose nodes breaks something alone (what only losing them together
   * does); else the first breaking set. Undefined when every set of that size is tolerated.
   */
  readonly first: Outcome | undefined;
}

/** Every single node, every pair of nodes and every declared zone lost, and what each takes away. */
export interface FailureAnalysis {
  readonly model: FailureModel;
  /** Losing each node alone, in declaration order. */
  readonly singles: readonly Outcome[];
  readonly pairs: Tolerance;
  /** Losing each zone whole, by zone name. */
  readonly zones: readonly { readonly zone: string; readonly outcome: Outcome }[];
  /** Where the tasks that reserve resources run with every node up. */
  readonly capacity: CapacityPlan;
}

export function analyseFailures(cluster: Cluster): FailureAnalysis {
  const model = buildFailureModel(cluster);
  const simulator = new Simulator(model);
  const singles = model.nodes.map((_, node) => simulator.evaluate([node]));
  const zones = [...model.zones].map(([zone, nodes]) => ({ zone, outcome: simulator.evaluate(nodes) }));
  return { model, singles, pairs: tolerance(model, 2, simulator, singles), zones, capacity: simulator.capacity };
}

/**
 * Tries every set of `size` nodes, in declaration order (lexicographic combinations). Sizes above two
 * grow fast (C(200, 3) is 1.3 million sets): the CLI asks for them only when a person does.
 */
export function tolerance(
  model: FailureModel,
  size: number,
  simulator: Simulator = new Simulator(model),
  singles: readonly Outcome[] = model.nodes.map((_, node) => simulator.evaluate([node])),
): Tolerance {
  const count = model.nodes.length;
  const breaksAlone = singles.map((outcome) => breaksSomething(model, outcome));
  let checked = 0;
  let breaking = 0;
  let first: Outcome | undefined;
  let firstNew: Outcome | undefined;
  const chosen: number[] = [];
  const visit = (start: number): void => {
    if (chosen.length === size) {
      checked++;
      const outcome = simulator.evaluate([...chosen]);
      if (!breaksSomething(model, outcome)) return;
      breaking++;
      first ??= outcome;
      if (!firstNew && !chosen.some((node) => breaksAlone[node])) firstNew = outcome;
      return;
    }
    for (let node = start; node <= count - (size - chosen.length); node++) {
      chosen.push(node);
      visit(node + 1);
      chosen.pop();
    }
  };
  if (size >= 1 && size <= count) visit(0);
  return { size, checked, breaking, first: firstNew ?? first };
}
