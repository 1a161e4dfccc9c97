import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticCluster, syntheticTierSizes } from "../bench/synthetic-cluster.js";
import type { SynthResult } from "../src/synth/synthesize.js";
import { contentsText } from "../generators/ignition/data-url.js";
import type { IgnitionConfig } from "../src/imports/ignition-v3.3.js";
import { Testing } from "../src/index.js";
import { ignitionSchema, runTool, stackSchemaErrors } from "./helpers/validators.js";

/**
 * A 1,000-node cluster shaped like the reference builds, and its output passes the same real validators:
 * `ignition-validate` on sample nodes of each tier, `docker stack config` on every stack. And the output
 * grows with the nodes by what is each node's own: the figures (bytes per node at 8, 200 and 1,000 nodes)
 * are printed for the README's performance section.
 */
const SIZES = [8, 200, 1000] as const;
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-scale-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const builds = new Map<number, SynthResult>();
beforeAll(async () => {
  for (const nodes of SIZES) builds.set(nodes, await Testing.synthResult(syntheticCluster(nodes)));
}, 600_000);

const build = (nodes: number): SynthResult => {
  const result = builds.get(nodes);
  if (!result) throw new Error(`no build of ${nodes} nodes`);
  return result;
};
const bytes = (files: SynthResult["files"]): number => files.reduce((sum, file) => sum + Buffer.byteLength(file.content), 0);

/** The build written out as `build` would, so the tools read real files. */
function written(nodes: number): string {
  const out = path.join(work, `out-${nodes}`);
  for (const file of build(nodes).files) {
    mkdirSync(path.dirname(path.join(out, file.path)), { recursive: true });
    writeFileSync(path.join(out, file.path), file.content);
  }
  return out;
}

describe("a 1,000-node cluster", () => {
  let out = "";
  beforeAll(() => {
    out = written(1000);
  });

  it("builds, with every node's config and no availability error", () => {
    const result = build(1000);
    expect(result.files.filter((file) => file.path.endsWith("/config.ign"))).toHaveLength(1000);
    expect(result.ha.findings.filter((finding) => finding.severity === "error")).toEqual([]);
    // Dividing the members' connections between 500 ProxySQL tasks leaves each one connection: it says so.
    expect(result.problems.map((problem) => problem.code)).toContain("proxysql/backend-limit-starved");
    expect(result.ha.findings.map((finding) => finding.code)).toContain("reboot/shared-windows");
  });

  const sizes = syntheticTierSizes(1000);
  const samples = [
    "sw-front-1",
    `sw-front-${sizes.front}`,
    "sw-node-1",
    `sw-node-${sizes.app}`,
    "sw-proxy-1",
    `sw-proxy-${sizes.proxy}`,
    "sw-db-1",
    `sw-db-${sizes.db}`,
  ];
  it.each(samples)("nodes/%s/config.ign passes ignition-validate and the Ignition 3.3 schema", (hostname) => {
    const file = path.join(out, "nodes", hostname, "config.ign");
    const run = runTool("ignition-validate", [file]);
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
    const config = build(1000).files.find((entry) => entry.path === `nodes/${hostname}/config.ign`)?.content ?? "";
    expect(ignitionSchema(JSON.parse(config)), JSON.stringify(ignitionSchema.errors)).toBe(true);
  });

  it("carries /etc/hosts (a line per node) gzip-compressed in each config.ign, decoding to the shared copy", () => {
    const files = new Map(build(1000).files.map((file) => [file.path, file.content]));
    const config = JSON.parse(files.get("nodes/sw-db-1/config.ign") ?? "") as IgnitionConfig;
    const hosts = config.storage?.files?.find((file) => file.path === "/etc/hosts");
    expect(hosts?.contents?.compression).toBe("gzip");
    expect(hosts?.contents?.source).toMatch(/^data:;base64,H4sIAAAAAAAC/); // gzip, no file name, modification time 0
    expect(contentsText(hosts?.contents)).toBe(files.get("shared/files/etc/hosts"));
    expect((files.get("shared/files/etc/hosts") ?? "").split("\n").filter((line) => line.includes("sw-")).length).toBe(1000);
  });

  it("passes docker stack config on every stack, and the docker CLI's schema", () => {
    const stacks = build(1000).files.filter((file) => /^stacks\/[^/]+\.yml$/.test(file.path));
    expect(stacks.map((file) => file.path).sort()).toEqual([
      "stacks/db.yml",
      "stacks/front.yml",
      "stacks/mng.yml",
      "stacks/php.yml",
      "stacks/stats.yml",
    ]);
    for (const stack of stacks) {
      const run = runTool("docker", ["stack", "config", "-c", path.join(out, stack.path)]);
      expect(run.status, `${stack.path}: ${run.output}`).toBe(0);
      expect(stackSchemaErrors(stack.content), stack.path).toBeUndefined();
    }
  });
});

describe("output in proportion to the nodes", () => {
  it("writes what nodes share once: one apply logic, each node's apply.sh its data", () => {
    const files = build(1000).files;
    expect(files.filter((file) => file.path.endsWith("apply.sh")).map((file) => file.path)).toContain("shared/apply.sh");
    for (const shared of [
      "shared/files/etc/hosts",
      "shared/files/etc/ssl/swarm/docker-api/ca.pem",
      "shared/systemd/swarm-firewall.service",
    ]) {
      expect(
        files.some((file) => file.path === shared),
        shared,
      ).toBe(true);
    }
    expect(files.some((file) => /^nodes\/[^/]+\/files\/etc\/hosts$/.test(file.path))).toBe(false);
    // Beyond one quoted entry per file or unit of the node, only the header and the call to the shared logic.
    const apply = (files.find((file) => file.path === "nodes/sw-db-1/apply.sh")?.content ?? "")
      .split("\n")
      .filter((line) => line.trim() !== "");
    const entries = apply.filter((line) => /^\s+'(file|unit)\|/.test(line));
    expect(entries.length).toBeGreaterThan(0);
    expect(apply.length - entries.length).toBeLessThan(25);
  });

  it("grows by what is each node's own: per node, config.ign and the rest of out/ stay within 2× from 8 to 1,000 nodes", () => {
    const rows = SIZES.map((nodes) => {
      const files = build(nodes).files;
      const configs = files.filter((file) => file.path.endsWith("/config.ign"));
      const rest = files.filter((file) => !file.path.endsWith("/config.ign"));
      return {
        nodes,
        files: files.length,
        perNode: bytes(files) / nodes,
        configPerNode: bytes(configs) / nodes,
        restPerNode: bytes(rest) / nodes,
      };
    });
    const kb = (value: number): string => `${(value / 1024).toFixed(1)} KB`;
    console.log(
      [
        "| nodes | files | bytes per node | of which config.ign | the rest |",
        "| ----: | ----: | -------------: | ------------------: | -------: |",
        ...rows.map((row) => `| ${row.nodes} | ${row.files} | ${kb(row.perNode)} | ${kb(row.configPerNode)} | ${kb(row.restPerNode)} |`),
      ].join("\n"),
    );
    const [small, , large] = rows;
    expect(large?.restPerNode ?? Number.POSITIVE_INFINITY).toBeLessThan(2 * (small?.restPerNode ?? 0));
    // /etc/hosts names every node: compressed, it adds about 10 bytes per node to each config, not 60.
    expect(large?.configPerNode ?? Number.POSITIVE_INFINITY).toBeLessThan(2 * (small?.configPerNode ?? 0));
  });
});
