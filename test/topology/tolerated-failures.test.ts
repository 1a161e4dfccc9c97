import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { FailureModel } from "../../src/analysis/failure-model.js";
import { breaksSomething, type Outcome } from "../../src/analysis/simulate.js";
import { listed } from "../../src/core/wording.js";
import type { Cluster, FailureAnalysis } from "../../src/index.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { runCli } from "../helpers/cli.js";

/**
 * The README's "Tolerated failures" table against the failure simulation itself, for three configs: the
 * README as `swarm-cluster build` writes it, the simulation run on the same config in this process. The
 * config imports the library as `swarm-cluster`, which resolves to the compiled bundle (dist/), so the
 * simulation is taken from there too: the classes the config's constructs are made of.
 */
const CONFIGS = ["cluster.config.ts", "examples/seed-literal.config.ts", "test/topology/three-zones.config.ts"] as const;

interface Row {
  readonly losing: string;
  readonly tolerated: boolean;
  readonly happens: string;
}

/** The rows of the README's table, cells split on the pipes the renderer does not escape. */
function tableRows(readme: string): Row[] {
  const section = readme.split("## Tolerated failures")[1]?.split("\n## ")[0] ?? "";
  return section
    .split("\n")
    .filter((line) => line.startsWith("| ") && !line.startsWith("| losing ") && !line.startsWith("| --- "))
    .map((line) => {
      const [losing = "", tolerated = "", happens = ""] = line
        .slice(2, -2)
        .split(/ (?<!\\)\| /)
        .map((cell) => cell.replace(/\\\|/g, "|"));
      expect(["yes", "**no**"], line).toContain(tolerated);
      return { losing, tolerated: tolerated === "yes", happens };
    });
}

const names = (model: FailureModel, outcome: Outcome): string => listed(outcome.lost.map((node) => model.nodes[node]?.hostname ?? ""));

describe.each(CONFIGS)("the README's tolerated failures of %s", (config) => {
  let folder = "";
  let readme = "";
  let report = "";
  let analysis: FailureAnalysis;
  beforeAll(async () => {
    folder = mkdtempSync(path.join(tmpdir(), "swarm-cluster-tolerated-"));
    const result = runCli(["build", "--config", config, "--out", folder]);
    expect(result.status, result.stderr).toBe(0);
    readme = readFileSync(path.join(folder, OUT_PATHS.reviewerReadme), "utf8");
    report = readFileSync(path.join(folder, OUT_PATHS.availabilityReport.markdown), "utf8");
    const library = (await import("swarm-cluster")) as typeof import("../../src/index.js");
    const exported = ((await import(path.resolve(config))) as { default: Cluster | (() => Cluster) }).default;
    analysis = library.analyseFailures(typeof exported === "function" ? exported() : exported);
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const row = (losing: string): Row => {
    const found = tableRows(readme).find((entry) => entry.losing === losing);
    if (!found) throw new Error(`no "${losing}" row in the README's table`);
    return found;
  };

  it("has a row for any 1 node, any 2 nodes and each zone, and no other", () => {
    const zones = analysis.zones.map(({ zone, outcome }) => `zone ${zone} (${outcome.lost.length} nodes)`);
    expect(tableRows(readme).map((entry) => entry.losing)).toEqual(["any 1 node", "any 2 nodes", ...zones]);
  });

  it("tolerates any 1 node exactly when no node's loss breaks something, and names each node that does", () => {
    const { model } = analysis;
    const breaking = analysis.singles.filter((outcome) => breaksSomething(model, outcome));
    const { tolerated, happens } = row("any 1 node");
    expect(tolerated).toBe(breaking.length === 0);
    const named = [...happens.matchAll(/(?:^|; )losing (\S+) /g)].map((match) => match[1]);
    expect(named).toEqual(breaking.map((outcome) => names(model, outcome)));
  });

  it("tolerates any 2 nodes exactly when no pair breaks something, naming the simulation's first breaking pair and the count", () => {
    const { model, pairs } = analysis;
    const { tolerated, happens } = row("any 2 nodes");
    expect(tolerated).toBe(pairs.first === undefined);
    if (pairs.first) {
      expect(happens).toMatch(new RegExp(`^losing ${names(model, pairs.first)} `));
      expect(happens).toContain(`(${pairs.breaking} of ${pairs.checked} pairs break something)`);
    } else {
      expect(happens).toContain(`(${pairs.checked} pairs tried)`);
    }
  });

  it("tolerates each zone exactly when losing it whole breaks nothing", () => {
    for (const { zone, outcome } of analysis.zones) {
      const { tolerated } = row(`zone ${zone} (${outcome.lost.length} nodes)`);
      expect(tolerated, zone).toBe(!breaksSomething(analysis.model, outcome));
    }
  });

  it("gives the availability report's verdicts: the same first node and first pair", () => {
    const note = /any 1 node lost: (yes|no: losing \S+ )[^;]*.*; any 2 nodes lost: (yes|no: losing \S+ and \S+ )/.exec(report);
    expect(note, "the report's tolerance/nodes note").not.toBeNull();
    const [, one = "", two = ""] = note ?? [];
    const verdict = (entry: Row) => (entry.tolerated ? "yes" : `no: ${/^losing \S+ (?:and \S+ )?/.exec(entry.happens)?.[0]}`);
    expect(verdict(row("any 1 node"))).toBe(one);
    expect(verdict(row("any 2 nodes"))).toBe(two);
  });
});
