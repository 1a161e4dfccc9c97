import { codeFrame } from "../core/code-frame.js";
import type { Problem, ProblemOrigin, Severity } from "../core/problems.js";
import { formatLocation } from "../core/source-location.js";
import { errStyleOf, type Output } from "./output.js";
import type { Style } from "./style.js";

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

/** One finding for a person: `file:line:col: error code: construct (field `f`): message`, its fix and source line. */
export function formatFinding(finding: Problem, style: Style): string {
  const word = finding.severity === "error" ? style.error("error") : finding.severity === "warning" ? style.warning("warning") : "info";
  // An availability error does not stop a build (only --strict): the word says which kind it is.
  const severity = finding.origin === "availability" ? `availability ${word}` : word;
  const where = finding.location || finding.construct ? `${formatLocation(finding.location)}: ` : "";
  const field = finding.field ? ` (field \`${finding.field}\`)` : "";
  // A problem of the config as a whole (it threw) names no construct.
  const subject = finding.construct ? `${finding.construct}${field}: ` : "";
  const lines = [`${where}${severity} ${finding.code}: ${subject}${finding.message}`];
  if (finding.hint) lines.push(`  fix: ${finding.hint}`);
  // The config line matters for a fault in the model; an availability finding is about the whole architecture.
  const frame = finding.origin === "model" ? codeFrame(finding) : "";
  if (frame) lines.push(...frame.split("\n").map((line) => `    ${line}`));
  return `${lines.join("\n")}\n`;
}

/** Prints errors, and warnings unless quiet, to stderr; info findings only live in the report files. */
export function printFindings(findings: readonly Problem[], io: Output, options: { quiet?: boolean | undefined } = {}): void {
  const style = errStyleOf(io);
  for (const finding of findings) {
    if (finding.severity === "error" || (finding.severity === "warning" && !options.quiet)) io.err(formatFinding(finding, style));
  }
}

export function countBySeverity(findings: readonly Problem[], severity: Severity): number {
  return findings.filter((finding) => finding.severity === severity).length;
}
