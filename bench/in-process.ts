/**
 * The in-process halves of the benchmark, run in a child of bench/build.bench.mjs (bundled by it with
 * esbuild, so the builder and the pipeline share one copy of the classes):
 *   synth <nodes> <runs> <project dir>: model to validated file set (synthesize), nothing written;
 *   ha <nodes> <runs>: the availability analysis alone, on a prepared tree.
 * Each run times a fresh cluster (a synthesized tree is locked); building the cluster is not timed.
 * Prints one JSON line: wall-clock and CPU seconds of each run after one warm-up run, and the process's peak RSS.
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

/** Wall-clock and CPU seconds of one run. */
async function once(): Promise<{ seconds: number; cpu: number }> {
  const cluster = syntheticCluster(nodes);
  if (mode === "ha") {
    prepareTree(cluster);
    cluster.node.lock();
    const stop = clock();
    analyseHa(cluster);
    return stop();
  }
  const pki = { stateDir: path.join(projectDir, "pki"), secretsDir: path.join(projectDir, "secrets", "pki"), allowIssue: false };
  const stop = clock();
  const result = await synthesize(cluster, { generators: GENERATORS, resolvePki, pki, configName: "cluster.config.ts" });
  const measured = stop();
  if (result.pendingIssues.length > 0) throw new Error(`certificates not issued yet: ${result.pendingIssues[0]}`);
  return measured;
}

function clock(): () => { seconds: number; cpu: number } {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  return () => {
    const cpu = process.cpuUsage(cpuStart);
    return { seconds: Number(process.hrtime.bigint() - start) / 1e9, cpu: (cpu.user + cpu.system) / 1e6 };
  };
}

if (mode !== "synth" && mode !== "ha") throw new Error(`usage: in-process synth|ha <nodes> <runs> [project dir]`);
await once();
const measured: { seconds: number; cpu: number }[] = [];
for (let i = 0; i < runs; i++) measured.push(await once());
// maxRSS is in kilobytes.
const report = {
  samples: measured.map((m) => m.seconds),
  cpu: measured.map((m) => m.cpu),
  maxRssBytes: process.resourceUsage().maxRSS * 1024,
};
process.stdout.write(`${JSON.stringify(report)}\n`);
