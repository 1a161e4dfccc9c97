import type { SourceLocation } from "./source-location.js";
import { formatLocation } from "./source-location.js";

/**
 * How bad a problem is, as Butane grades its report: an `error` in the model stops the build; a `warning`
 * is printed and fails only `--strict`; `info` is a note (what a quorum tolerates).
 */
export type Severity = "error" | "warning" | "info";

/**
 * Which phase found it. `model` problems make the description uncompilable (a port collision, an unknown
 * prop); `availability` findings describe a compilable cluster that does not tolerate a failure (a single
 * manager). An availability error is printed and fails `--strict`, but the files are still written: the seed
 * taken literally is a cluster one may deploy, knowingly.
 */
export type ProblemOrigin = "model" | "availability";

/** One thing wrong with, or worth knowing about, the cluster description, tied to the construct that declared it. */
export interface Problem {
  readonly severity: Severity;
  readonly origin: ProblemOrigin;
  /** Stable identifier, e.g. `node/duplicate-hostname` or `spof/single-replica`. */
  readonly code: string;
  /** Construct path, e.g. `cluster/sw-node-1`. */
  readonly construct: string;
  /** The field at fault, e.g. `privateIp`; empty when the construct as a whole is at fault. */
  readonly field: string;
  readonly message: string;
  /** How to fix it. */
  readonly hint: string;
  readonly location?: SourceLocation | undefined;
  /** For quorum findings: how many members the group can lose and keep working. */
  readonly tolerates?: number;
}

/** Thrown when the model cannot be compiled; carries every problem found, not only the first. */
export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(`${problems.length} problem(s) in the cluster description:\n${problems.map(formatProblem).join("\n")}`);
    this.name = "ConfigError";
  }
}

/** Problems that stop a build: errors in the model. */
export function isFatal(problem: Problem): boolean {
  return problem.severity === "error" && problem.origin === "model";
}

/** Problems that fail `--strict`: every error and warning, availability findings included. */
export function failsStrict(problem: Problem): boolean {
  return problem.severity !== "info";
}

export function formatProblem(problem: Problem): string {
  const field = problem.field ? ` (field \`${problem.field}\`)` : "";
  const kind = problem.origin === "availability" ? `availability ${problem.severity}` : problem.severity;
  return [
    `${formatLocation(problem.location)}: ${kind} ${problem.code}: ${problem.construct ? `${problem.construct}${field}: ` : ""}${problem.message}`,
    `  fix: ${problem.hint}`,
  ].join("\n");
}
