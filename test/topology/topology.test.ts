import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { foldNames } from "../../generators/topology/names.js";
import { COLLAPSE_ABOVE, topologyOf } from "../../generators/topology/topology.js";
import { toleratedFailures } from "../../generators/topology/tolerated-failures.js";
import { analyseFailures } from "../../src/analysis/failures.js";
import { Service, Stack, Testing } from "../../src/index.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { mermaidBlock, parseMermaid, parseSvg, svgWords } from "./diagram-checks.js";

const THREE_ZONES = "test/topology/three-zones.config.ts";

/**
 * Two builds of a config into fresh folders: what the reviewer's files must be across builds. Each build
 * gets an empty drawing cache (generators/topology/svg-cache.ts), so Graphviz really draws both SVGs.
 */
function buildTwice(config: string): { readonly first: string; readonly second: string } {
  const folders = [1, 2].map(() => mkdtempSync(path.join(tmpdir(), "swarm-cluster-topology-")));
  for (const out of folders) {
    const cache = mkdtempSync(path.join(tmpdir(), "swarm-cluster-topology-cache-"));
    const result = runCli(["build", "--config", config, "--out", out], { env: { SWARM_CLUSTER_CACHE_DIR: cache } });
    rmSync(cache, { recursive: true, force: true });
    expect(result.status, result.stderr).toBe(0);
  }
  const [first = "", second = ""] = folders;
  return { first, second };
}

const read = (folder: string, file: string) => readFileSync(path.join(folder, file), "utf8");

describe("the reviewer's files of the reference cluster (out/)", () => {
  const readme = read(path.join(repoRoot, "out"), OUT_PATHS.reviewerReadme);
  const svg = read(path.join(repoRoot, "out"), OUT_PATHS.topologySvg);
  const nodes = [...readme.matchAll(/^\| (sw-[a-z0-9-]+) \| (front|app|proxy|db) \|/gm)].map((match) => match[1]);

  it("draws a Mermaid flowchart that Mermaid's parser accepts", async () => {
    expect(await parseMermaid(mermaidBlock(readme))).toBe("flowchart-v2");
  });

  it("rejects, through the same check, a diagram Mermaid cannot parse", async () => {
    await expect(parseMermaid(mermaidBlock(readme).replace(/\n {2}end\n/, "\n"))).rejects.toThrow(/Parse error/);
  });

  it("links a well-formed SVG with no ids, dates or paths that would change between builds", () => {
    const document = parseSvg(svg);
    expect(document.documentElement.nodeName).toBe("svg");
    expect(svg).not.toMatch(/\d{4}-\d{2}-\d{2}T|\/tmp\/|\/work\/|\/home\//);
    expect(readme).toContain(`](${OUT_PATHS.topologySvg})`);
  });

  it("shows every node of the model, in the Mermaid diagram and the SVG", () => {
    expect(nodes).toEqual(["sw-front-1", "sw-front-2", "sw-node-1", "sw-node-2", "sw-node-3", "sw-proxy-sql", "sw-db-1", "sw-db-2"]);
    const diagram = mermaidBlock(readme);
    const { lines } = svgWords(parseSvg(svg));
    for (const node of nodes) {
      expect(diagram, node).toContain(`${node}<br/>`);
      expect(lines, node).toContain(node);
    }
  });

  it("shows every stack, the overlays and the published ports", () => {
    const diagram = mermaidBlock(readme);
    const { lines } = svgWords(parseSvg(svg));
    for (const stack of ["db", "php", "front", "stats", "mng"]) {
      expect(diagram, stack).toMatch(new RegExp(`<br/>${stack}: `));
      expect(
        lines.some((line) => line.startsWith(`${stack}: `)),
        stack,
      ).toBe(true);
    }
    for (const overlay of ["dbnet", "appnet", "frontnet", "mngnet"]) expect(diagram).toContain(`{{"${overlay}<br/>`);
    expect(diagram).toMatch(/internet -->\|"front\/nginx :80 :443 \(host mode\)"\| tier_front/);
  });

  it("gives the bring-up order: provision, bootstrap, networks and labels, secrets, then the stacks database first", () => {
    const commands = [...readme.matchAll(/^ {3}((?:swarm-cluster|bash|docker) .*)$/gm)].map((match) => match[1] ?? "");
    const order = [
      "swarm-cluster provision",
      "bash swarm/bootstrap.sh",
      "bash swarm/networks.sh",
      "bash swarm/labels.sh",
      "swarm-cluster secrets",
      "bash swarm/secrets.sh",
    ];
    const positions = order.map((command) => commands.findIndex((line) => line.startsWith(command)));
    expect(positions.every((position) => position >= 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Then deploy.sh, which deploys every stack in the order its header lists: the database before php-fpm before the fronts.
    expect(commands.indexOf("bash swarm/deploy.sh")).toBeGreaterThan(positions.at(-1) ?? 0);
    const header = readFileSync(path.join(repoRoot, "out", "swarm", "deploy.sh"), "utf8");
    const stacks = [...header.matchAll(/^# {3}\d+\. (\S+)/gm)].map((match) => match[1]);
    expect(stacks.indexOf("db")).toBeGreaterThanOrEqual(0);
    expect(stacks.indexOf("db")).toBeLessThan(stacks.indexOf("php"));
    expect(stacks.indexOf("php")).toBeLessThan(stacks.indexOf("front"));
    expect(stacks).toHaveLength(readdirSync(path.join(repoRoot, "out", "stacks")).filter((file) => file.endsWith(".yml")).length);
  });

  it("says any one node is tolerated and any two are not, naming the pair", () => {
    expect(readme).toMatch(/^\| any 1 node \| yes \|/m);
    expect(readme).toMatch(
      /^\| any 2 nodes \| \*\*no\*\* \| losing sw-front-1 and sw-front-2 stops the request path \(DNS → nginx → .*\) at DNS/m,
    );
  });
});

describe("a 50-node cluster in three zones", () => {
  let builds: { first: string; second: string };
  beforeAll(() => {
    builds = buildTwice(THREE_ZONES);
  });
  afterAll(() => {
    for (const folder of Object.values(builds ?? {})) rmSync(folder, { recursive: true, force: true });
  });

  it("gives byte-identical README and SVG across two builds", () => {
    for (const file of [OUT_PATHS.reviewerReadme, OUT_PATHS.topologySvg]) {
      expect(read(builds.second, file), file).toBe(read(builds.first, file));
    }
  });

  it("stays small: alike nodes collapse, so the diagram has about as many boxes as the 8-node one", async () => {
    const diagram = mermaidBlock(read(builds.first, OUT_PATHS.reviewerReadme));
    expect(await parseMermaid(diagram)).toBe("flowchart-v2");
    const boxes = diagram.split("\n").filter((line) => /^\s+(node|tier)_\w+\["/.test(line));
    expect(boxes.length).toBeLessThanOrEqual(25);
    expect(diagram).toContain("<br/>10 nodes<br/>");
    for (const zone of ["a", "b", "c"]) expect(diagram).toContain(`subgraph tier_app_zone_${zone}["zone ${zone}"]`);
  });

  it("names every one of the 50 nodes: in the README's node table, and in the SVG (a collapsed box in its tooltip)", () => {
    const readme = read(builds.first, OUT_PATHS.reviewerReadme);
    const svg = read(builds.first, OUT_PATHS.topologySvg);
    const { lines, tooltips } = svgWords(parseSvg(svg));
    const named = new Set([...lines, ...tooltips.flatMap((tooltip) => tooltip.split(", "))]);
    const hostnames = [...readme.matchAll(/^\| ((?:front|app|proxy|db)-\d+) \|/gm)].map((match) => match[1] ?? "");
    expect(new Set(hostnames).size).toBe(50);
    for (const hostname of hostnames) expect(named.has(hostname), hostname).toBe(true);
  });

  it("lists each zone's loss among the tolerated failures", () => {
    const readme = read(builds.first, OUT_PATHS.reviewerReadme);
    for (const zone of ["a", "b", "c"])
      expect(readme).toMatch(new RegExp(`^\\| zone ${zone} \\(\\d+ nodes\\) \\| (yes|\\*\\*no\\*\\*) \\|`, "m"));
  });
});

describe("topology model", () => {
  it("folds consecutive names and leaves the others", () => {
    expect(foldNames(["sw-node-1", "sw-node-2", "sw-node-3", "sw-node-5", "sw-proxy-sql", "db-01", "db-02"])).toBe(
      "sw-node-1…3, sw-node-5, sw-proxy-sql, db-01, db-02",
    );
  });

  it(`draws up to ${COLLAPSE_ABOVE} alike nodes one by one, and more as one box`, () => {
    for (const [count, boxes] of [
      [COLLAPSE_ABOVE, COLLAPSE_ABOVE],
      [COLLAPSE_ABOVE + 1, 1],
    ] as const) {
      const cluster = Testing.cluster({ nodes: { front: count } });
      const tier = topologyOf(cluster).tiers.find((group) => group.tier === "front");
      expect(tier?.zones[0]?.boxes, `${count} fronts`).toHaveLength(boxes);
      expect(tier?.nodes).toBe(count);
    }
  });

  it("reports a single manager as not tolerating any one node, naming it", () => {
    const cluster = Testing.cluster({ nodes: { app: 1, front: 2 } });
    const web = new Stack(cluster, "web");
    new Service(web, "nginx", { image: "nginx", replicas: "one-per-node", placement: { tier: "front" }, critical: true });
    const [one, two] = toleratedFailures(analyseFailures(cluster));
    expect(one).toMatchObject({ failure: "any 1 node", tolerated: false });
    expect(one?.consequences).toEqual(["losing sw-node-1 loses the majority of the Swarm manager Raft group"]);
    expect(two).toMatchObject({ failure: "any 2 nodes", tolerated: false });
    expect(two?.consequences.join("; ")).toMatch(
      /^losing sw-front-1 and sw-front-2 stops the request path \(nginx\) at nginx \(\d+ of 3 pairs/,
    );
  });
});
