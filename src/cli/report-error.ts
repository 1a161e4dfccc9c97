import { formatProblemWithFrame } from "../core/code-frame.js";
import { ConfigError } from "../core/problems.js";
import { ConfigLoadError } from "../config/load.js";

/** Prints a failed build's reason for a person: every problem with its config line, or the load error. */
export function reportError(error: unknown, print: (text: string) => void): number {
  if (error instanceof ConfigError) {
    print(`swarm-cluster: ${error.problems.length} problem(s) in the cluster description; nothing was written.\n`);
    for (const problem of error.problems) print(`${formatProblemWithFrame(problem)}\n`);
    return 1;
  }
  if (error instanceof ConfigLoadError) {
    print(`swarm-cluster: ${error.message}\n`);
    return 1;
  }
  throw error;
}
