import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Problem } from "../core/problems.js";
import { OUT_PATHS } from "../synth/out-paths.js";
import type { HaReport } from "../analysis/findings.js";

/** A finding as the committed report holds it (generators/analysis). */
type Finding = Pick<Problem, "severity" | "code" | "construct" | "message">;

/** Where the analysis generator writes the report `diff` compares against. */
const REPORT_PATH = OUT_PATHS.availabilityReport.json;

export interface AvailabilityChange {
  readonly finding: Finding;
  readonly change: "new" | "resolved";
}

/**
 * Errors and warnings of the availability analysis that a change introduces or resolves, compared with the
 * committed report: a reviewer sees "Galera loses its quorum" before reading any file.
 */
export function availabilityChanges(outDir: string, fresh: HaReport): AvailabilityChange[] {
  const file = path.join(outDir, REPORT_PATH);
  const committed = existsSync(file) ? readFindings(readFileSync(file, "utf8")) : [];
  const notable = (findings: readonly Finding[]): Map<string, Finding> =>
    new Map(findings.filter((f) => f.severity !== "info").map((f) => [`${f.severity} ${f.code} ${f.construct} ${f.message}`, f]));
  const before = notable(committed);
  const after = notable(fresh.findings);
  return [
    ...[...after].filter(([key]) => !before.has(key)).map(([, finding]) => ({ finding, change: "new" as const })),
    ...[...before].filter(([key]) => !after.has(key)).map(([, finding]) => ({ finding, change: "resolved" as const })),
  ];
}

function readFindings(text: string): Finding[] {
  try {
    const parsed = JSON.parse(text) as { findings?: Finding[] };
    return Array.isArray(parsed.findings) ? parsed.findings : [];
  } catch {
    return [];
  }
}

export function renderAvailabilityChanges(changes: readonly AvailabilityChange[]): string[] {
  if (changes.length === 0) return [];
  return [
    `### Availability (out/${OUT_PATHS.availabilityReport.markdown})`,
    "",
    ...changes.map(
      ({ finding, change }) => `- ${change} ${finding.severity} **${finding.code}** \`${finding.construct}\`: ${finding.message}`,
    ),
    "",
  ];
}
