import { formatProblem, type Problem, type ProblemOrigin, type Severity } from "../core/problems.js";
import { errStyleOf, type Output } from "./output.js";

/** The `--json` form of a Problem: every key always present (null when unknown), no machine paths. */
export interface FindingJson {
  readonly severity: Severity;
  readonly origin: ProblemOrigin;
  readonly code: string;
  readonly construct: string;
  readonly field: string | null;
  readonly message: string;
  readonly hint: string | null;
  readonly location: { readonly file: string; readonly line: number; readonly column: number } | null;
}

/** A problem of the command itself (a config that does not load, an out folder it refuses), as a Problem. */
export function commandProblem(code: string, message: string, hint: string): Problem {
  return { severity: "error", origin: "model", code, construct: "", field: "", message, hint };
}

/** A finding as the committed availability report holds it (without field and location). */
export function reportedFinding(
  finding: Pick<Problem, "severity" | "code" | "construct" | "message"> & { readonly hint?: string },
): Problem {
  return { origin: "availability", field: "", hint: "", ...finding };
}

export function findingJson(finding: Problem): FindingJson {
  const location = finding.location;
  return {
    severity: finding.severity,
    origin: finding.origin,
    code: finding.code,
    construct: finding.construct,
    field: finding.field || null,
    message: finding.message,
    hint: finding.hint || null,
    location: location ? { file: location.file, line: location.line, column: location.column } : null,
  };
}

/** Prints errors, and warnings unless quiet, to stderr; info findings only live in the report files. */
export function printFindings(findings: readonly Problem[], io: Output, options: { quiet?: boolean | undefined } = {}): void {
  const style = errStyleOf(io);
  for (const finding of findings) {
    if (finding.severity === "error" || (finding.severity === "warning" && !options.quiet))
      io.err(`${formatProblem(finding, { style, codeFrame: true })}\n`);
  }
}

export function countBySeverity(findings: readonly Problem[], severity: Severity): number {
  return findings.filter((finding) => finding.severity === severity).length;
}
