/**
 * The in-process halves of the benchmark, run in a child of bench/build.bench.mjs (bundled by it with
 * esbuild, so the builder and the pipeline share one copy of the classes):
 *   synth <nodes> <runs> <project dir>: model to validated file set (synthesize), nothing written;
 *   ha <nodes> <runs>: the availability analysis alone, on a prepared tree.
 * Each run times a fresh cluster (a synthesized tree is locked); building the cluster is not timed.
 * Prints one JSON line: the samples in seconds after one warm-up run, and the process's peak RSS.
 */
import path from "node:path";
import { analyseHa } from "../src/analysis/ha.js";
import { resolvePki } from "../src/pki/resolve.js";
import { GENERATORS } from "../src/synth/registry.js";
import { prepareTree, synthesize } from "../src/synth/synthesize.js";
import { syntheticCluster } from "./synthetic-cluster.js";

const [mode, nodesArg, runsArg, projectDir = "."] = process.argv.slice(2);
const nodes = Number(nodesArg);
const runs = Number(runsArg);

async function once(): Promise<number> {
  const cluster = syntheticCluster(nodes);
  if (mode === "ha") {
    prepareTree(cluster);
    cluster.node.lock();
    const start = process.hrtime.bigint();
    analyseHa(cluster);
    return Number(process.hrtime.bigint() - start) / 1e9;
  }
  const pki = { stateDir: path.join(projectDir, "pki"), secretsDir: path.join(projectDir, "secrets", "pki"), allowIssue: false };
  const start = process.hrtime.bigint();
  const result = await synthesize(cluster, { generators: GENERATORS, resolvePki, pki, configName: "cluster.config.ts" });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.pendingIssues.length > 0) throw new Error(`certificates not issued yet: ${result.pendingIssues[0]}`);
  return seconds;
}

if (mode !== "synth" && mode !== "ha") throw new Error(`usage: in-process synth|ha <nodes> <runs> [project dir]`);
await once();
const samples: number[] = [];
for (let i = 0; i < runs; i++) samples.push(await once());
// maxRSS is in kilobytes.
process.stdout.write(`${JSON.stringify({ samples, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
