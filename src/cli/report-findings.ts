import type { Finding } from "../analysis/findings.js";
import { codeFrame } from "../core/code-frame.js";
import type { Problem } from "../core/problems.js";
import { formatLocation, type SourceLocation } from "../core/source-location.js";
import { errStyleOf, type Output } from "./output.js";
import type { Style } from "./style.js";

/**
 * What the CLI reports about a cluster, whatever found it: a validation problem (always an error) or an
 * availability finding. The one shape printed for people and serialised for machines.
 */
export interface ReportedFinding {
  readonly severity: "error" | "warning" | "info";
  readonly code: string;
  readonly construct: string;
  readonly message: string;
  /** The field at fault, when one is. */
  readonly field?: string | undefined;
  /** How to fix it, when known. */
  readonly hint?: string | undefined;
  /** Where in the config the construct was declared, when known. */
  readonly location?: SourceLocation | undefined;
}

/** The `--json` form: every key always present (null when unknown), no machine paths. */
export interface FindingJson {
  readonly severity: ReportedFinding["severity"];
  readonly code: string;
  readonly construct: string;
  readonly field: string | null;
  readonly message: string;
  readonly hint: string | null;
  readonly location: { readonly file: string; readonly line: number; readonly column: number } | null;
}

export function fromProblem(problem: Problem): ReportedFinding {
  return { severity: "error", ...problem };
}

export function fromAvailability(finding: Finding): ReportedFinding {
  return { severity: finding.severity, code: finding.code, construct: finding.construct, message: finding.message };
}

export function findingJson(finding: ReportedFinding): FindingJson {
  const location = finding.location;
  return {
    severity: finding.severity,
    code: finding.code,
    construct: finding.construct,
    field: finding.field || null,
    message: finding.message,
    hint: finding.hint ?? null,
    location: location ? { file: location.file, line: location.line, column: location.column } : null,
  };
}

/** One finding for a person: `file:line:col: error code: construct (field `f`): message`, its fix and source line. */
export function formatFinding(finding: ReportedFinding, style: Style): string {
  const severity = finding.severity === "error" ? style.error("error") : finding.severity === "warning" ? style.warning("warning") : "info";
  const where = finding.location || finding.field !== undefined ? `${formatLocation(finding.location)}: ` : "";
  const field = finding.field ? ` (field \`${finding.field}\`)` : "";
  const lines = [`${where}${severity} ${finding.code}: ${finding.construct}${field}: ${finding.message}`];
  if (finding.hint) lines.push(`  fix: ${finding.hint}`);
  const frame = codeFrame(finding);
  if (frame) lines.push(...frame.split("\n").map((line) => `    ${line}`));
  return `${lines.join("\n")}\n`;
}

/** Prints errors, and warnings unless quiet, to stderr; info findings only live in the report files. */
export function printFindings(findings: readonly ReportedFinding[], io: Output, options: { quiet?: boolean | undefined } = {}): void {
  const style = errStyleOf(io);
  for (const finding of findings) {
    if (finding.severity === "error" || (finding.severity === "warning" && !options.quiet)) io.err(formatFinding(finding, style));
  }
}

export function countBySeverity(findings: readonly ReportedFinding[], severity: ReportedFinding["severity"]): number {
  return findings.filter((finding) => finding.severity === severity).length;
}
