import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { withSourcePositions } from "../core/source-location.js";
import { declaredOf } from "../validate/problem.js";
import { problem } from "../validate/problem.js";

/**
 * An exception no check foresaw, as a Problem a person can act on: which step, which construct and config
 * line, never the JavaScript error text (a TypeError says nothing about the cluster). The error itself is
 * kept for `SWARM_CLUSTER_DEBUG=1`, which prints it.
 */
export function unexpectedFailure(step: string, construct: IConstruct, error: unknown): Problem {
  debugTrace(error);
  return problem("construct/unexpected-failure", declaredOf(construct), "", { step });
}

/** The internal error behind a located problem, printed only for `SWARM_CLUSTER_DEBUG=1`. */
export function debugTrace(error: unknown): void {
  if (process.env.SWARM_CLUSTER_DEBUG) {
    process.stderr.write(`${error instanceof Error ? withSourcePositions(error.stack ?? error.message) : String(error)}\n`);
  }
}
