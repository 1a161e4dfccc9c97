import type { FailureAnalysis } from "../../src/analysis/failures.js";
import { describeLosses, describeScenario, describeStops } from "../../src/analysis/outcome-text.js";
import { breaksSomething } from "../../src/analysis/simulate.js";

/** One row of the reviewer's table: a failure, whether the cluster rides it out, and what it costs. */
export interface ToleratedFailure {
  readonly failure: string;
  readonly tolerated: boolean;
  /** What breaks (when not tolerated), or what stops until a node returns (when tolerated). */
  readonly consequences: readonly string[];
}

/**
 * The table read off the failure simulation (src/analysis/failures.ts), the one the availability report's
 * `tolerance/*` notes come from, so the README and the report give the same verdicts and name the same
 * scenarios: any 1 node (each node whose loss breaks something), any 2 nodes (the first breaking pair, and how
 * many pairs break something), and each zone the model declares.
 */
export function toleratedFailures(analysis: FailureAnalysis): ToleratedFailure[] {
  const { model, singles, pairs } = analysis;
  if (model.nodes.length === 0) return [];
  // Each node whose loss breaks something is a single point of failure of its own: the row names them all.
  const breaks = singles.filter((outcome) => breaksSomething(model, outcome));
  const rows: ToleratedFailure[] = [
    breaks.length > 0
      ? { failure: "any 1 node", tolerated: false, consequences: breaks.map((outcome) => describeScenario(model, outcome)) }
      : { failure: "any 1 node", tolerated: true, consequences: unique(singles.flatMap((outcome) => describeStops(model, outcome))) },
  ];
  if (pairs.checked > 0) {
    rows.push(
      pairs.first
        ? {
            failure: "any 2 nodes",
            tolerated: false,
            consequences: [`${describeScenario(model, pairs.first)} (${pairs.breaking} of ${pairs.checked} pairs break something)`],
          }
        : {
            failure: "any 2 nodes",
            tolerated: true,
            // A pair may stop what neither node's loss stops alone off the request path: the simulation
            // answers for quorums, the request path and its data, and the row says no more than that.
            consequences: [`no pair loses a majority, the request path or its data (${pairs.checked} pairs tried)`],
          },
    );
  }
  for (const { zone, outcome } of analysis.zones) {
    const failure = `zone ${zone} (${outcome.lost.length} node${outcome.lost.length === 1 ? "" : "s"})`;
    rows.push(
      breaksSomething(model, outcome)
        ? { failure, tolerated: false, consequences: [describeLosses(model, outcome)] }
        : { failure, tolerated: true, consequences: describeStops(model, outcome) },
    );
  }
  return rows;
}

function unique(texts: readonly string[]): string[] {
  return [...new Set(texts)];
}
