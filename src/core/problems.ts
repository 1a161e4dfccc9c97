import type { SourceLocation } from "./source-location.js";
import { formatLocation } from "./source-location.js";

export type Severity = "error" | "warning";

/** One thing wrong with the cluster description, tied to the construct that declared it. */
export interface Problem {
  /** Stable identifier from the catalogue (src/validate/messages.ts), e.g. `node/duplicate-hostname`. */
  readonly code: string;
  /** Construct path, e.g. `cluster/sw-node-1`. */
  readonly construct: string;
  /** The field at fault, e.g. `privateIp`; empty when the construct as a whole is at fault. */
  readonly field: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
  readonly location?: SourceLocation | undefined;
}

/** Thrown when the model cannot be compiled; carries every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem(s) in the cluster description:\n${problems.map(formatProblem).join("\n")}`);
    this.name = "ConfigError";
  }
}

export function formatProblem(problem: Problem): string {
  const field = problem.field ? ` (field \`${problem.field}\`)` : "";
  return [
    `${formatLocation(problem.location)}: error ${problem.code}: ${problem.construct}${field}: ${problem.message}`,
    `  fix: ${problem.hint}`,
  ].join("\n");
}
