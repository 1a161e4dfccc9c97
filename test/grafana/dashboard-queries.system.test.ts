import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stringify } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { runTool } from "../helpers/validators.js";

/**
 * A real validator: every query of the reference build's dashboards parsed by Prometheus' own PromQL parser, as
 * `promtool check rules` parses a recording rule's expression. Grafana's `$__rate_interval` becomes a plain
 * duration first, as Grafana substitutes it before the query reaches Prometheus.
 */

const stats = path.join(repoRoot, "out", "stacks", "stats");
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-grafana-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface DashboardJson {
  readonly panels: readonly { readonly title: string; readonly targets?: readonly { readonly expr: string }[] }[];
}

describe("the reference dashboards' queries", () => {
  const files = readdirSync(stats).filter((file) => file.startsWith("grafana-dashboard-") && file.endsWith(".json"));

  it.each(files)("%s: every query parses as PromQL (promtool check rules)", (file) => {
    const dashboard = JSON.parse(readFileSync(path.join(stats, file), "utf8")) as DashboardJson;
    const exprs = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => target.expr));
    expect(exprs.length).toBeGreaterThan(0);
    const rules = {
      groups: [
        {
          name: file,
          rules: exprs.map((expr, index) => ({ record: `dashboard:query_${index}`, expr: expr.replaceAll("$__rate_interval", "5m") })),
        },
      ],
    };
    const rulesFile = path.join(work, `${file}.rules.yml`);
    writeFileSync(rulesFile, stringify(rules, { lineWidth: 0 }));
    const run = runTool("promtool", ["check", "rules", rulesFile]);
    expect(run.status, run.output).toBe(0);
    expect(run.output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });
});
