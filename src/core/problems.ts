import { codeFrame } from "./code-frame.js";
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
    super(`${problems.length} problem(s) in the cluster description:\n${problems.map((problem) => formatProblem(problem)).join("\n")}`);
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

/** How a severity word is highlighted: ANSI colours on a terminal (src/cli/style.ts). */
export interface SeverityStyle {
  readonly error: (text: string) => string;
  readonly warning: (text: string) => string;
}

export interface FormatOptions {
  /** Highlights `error` and `warning`; plain text when absent. */
  readonly style?: SeverityStyle;
  /** Shows the config line under a model problem: for a person at a terminal, not for an exception's message. */
  readonly codeFrame?: boolean;
}

/**
 * One problem for a person: `file:line:col: error code: construct (field `f`): message`, then its fix and,
 * with `codeFrame`, its config line; no trailing newline.
 */
export function formatProblem(problem: Problem, options: FormatOptions = {}): string {
  const word = problem.severity === "info" || !options.style ? problem.severity : options.style[problem.severity](problem.severity);
  // An availability error does not stop a build (only --strict): the word says which kind it is.
  const severity = problem.origin === "availability" ? `availability ${word}` : word;
  const where = problem.location || problem.construct ? `${formatLocation(problem.location)}: ` : "";
  const field = problem.field ? ` (field \`${problem.field}\`)` : "";
  // A problem of the config as a whole (it threw) names no construct.
  const subject = problem.construct ? `${problem.construct}${field}: ` : "";
  const lines = [`${where}${severity} ${problem.code}: ${subject}${problem.message}`];
  if (problem.hint) lines.push(`  fix: ${problem.hint}`);
  // The config line matters for a fault in the model; an availability finding is about the whole architecture.
  const frame = options.codeFrame && problem.origin === "model" ? codeFrame(problem.location) : "";
  if (frame) lines.push(...frame.split("\n").map((line) => `    ${line}`));
  return lines.join("\n");
}
