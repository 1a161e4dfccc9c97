import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/cli.js";

// docs/ARCHITECTURE.md states figures from the availability reports; each is followed by a hidden marker,
// `<!-- fig: REPORT CONSTRUCT CODE FIELD -->`. This test reads the reports the build wrote and holds every
// marked figure to them, so the document cannot keep a number the analysis no longer gives.

const REPORTS = {
  reference: "out/analysis/ha-report.json",
  "seed-literal": "snapshots/seed-literal/analysis/ha-report.json",
} as const;

interface ReportedFinding {
  readonly severity: string;
  readonly code: string;
  readonly construct: string;
  readonly message: string;
  readonly tolerates?: number;
}

/** How each field is read from a finding: its `tolerates`, or a figure of its message. */
const FIELDS: Readonly<Record<string, (finding: ReportedFinding) => string | undefined>> = {
  tolerates: (finding) => finding.tolerates?.toString(),
  voters: (finding) => /has (\d+) voting member/.exec(finding.message)?.[1],
  tasks: (finding) => /runs (\d+) task/.exec(finding.message)?.[1],
  usable: (finding) => /has (\d+) usable addresses|uses \d+ of (\d+) addresses/.exec(finding.message)?.slice(1).find(Boolean),
  fronts: (finding) => /\(1 in (\d+)\)/.exec(finding.message)?.[1],
  needed: (finding) => /need (\d+)|uses (\d+) of \d+ addresses/.exec(finding.message)?.slice(1).find(Boolean),
};

const MARKER = /(\S+?)<!-- fig: (\S+) (\S+) (\S+) (\S+) -->/g;

const doc = readFileSync(path.join(repoRoot, "docs/ARCHITECTURE.md"), "utf8");
const reports = Object.fromEntries(
  Object.entries(REPORTS).map(([name, file]) => [
    name,
    (JSON.parse(readFileSync(path.join(repoRoot, file), "utf8")) as { findings: ReportedFinding[] }).findings,
  ]),
) as Record<string, ReportedFinding[]>;
const figures = [...doc.matchAll(MARKER)].map(([marker, value, report, construct, code, field]) => ({
  marker,
  value,
  report,
  construct,
  code,
  field,
}));

describe("docs/ARCHITECTURE.md", () => {
  it("marks its figures, from both reports", () => {
    expect(figures.length).toBeGreaterThanOrEqual(15);
    expect(new Set(figures.map((figure) => figure.report))).toEqual(new Set(Object.keys(REPORTS)));
    // A marker the pattern does not read would escape the check.
    expect(doc.match(/<!-- fig:/g)?.length).toBe(figures.length);
  });

  it.each(figures)("$value is what $report says: $code of $construct, $field", ({ value, report, construct, code, field }) => {
    const findings = reports[report ?? ""];
    expect(findings, `unknown report ${report}`).toBeDefined();
    const finding = findings?.find((entry) => entry.construct === construct && entry.code === code);
    expect(finding, `${report} has no ${code} finding on ${construct}`).toBeDefined();
    const read = FIELDS[field ?? ""];
    expect(read, `unknown field ${field}`).toBeDefined();
    expect(finding && read?.(finding)).toBe(value);
  });

  it("says the reference has no error and no warning, its pinned tools' state an accepted risk, as its report does", () => {
    expect(doc).toMatch(/Its report has no error and no warning/);
    const serious = reports.reference?.filter((finding) => finding.severity !== "info") ?? [];
    expect(serious).toEqual([]);
    const accepted = (reports.reference ?? []).filter((finding) => finding.message.includes("(accepted: "));
    expect(accepted.map((finding) => `${finding.code} ${finding.construct}`).sort()).toEqual([
      "data/single-replica-state cluster/certbot/certbot",
      "data/single-replica-state cluster/mng/portainer",
      "data/single-replica-state cluster/registry/registry",
      "data/single-replica-state cluster/stats/grafana",
      "data/single-replica-state cluster/stats/prometheus",
    ]);
    for (const tool of ["Prometheus", "Grafana", "Portainer", "the registry", "certbot"]) expect(doc).toContain(tool);
  });
});
