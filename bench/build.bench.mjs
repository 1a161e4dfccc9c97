// Benchmark: the whole `swarm-cluster build` process on the reference cluster, against a plain Node
// script that writes the same bytes (the floor any compiler of this output can reach).
// Run with `npm run bench` (compiles first). Numbers are wall-clock per process, median of the runs.
// Both write into an empty folder every run (removed before the clock starts), so both pay for creating
// the same folders and files.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const runs = Number(process.env.BENCH_RUNS ?? 15);
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-bench-"));

function time(label, command, args, target) {
  const samples = [];
  for (let i = 0; i < runs + 1; i++) {
    rmSync(target, { recursive: true, force: true });
    const start = process.hrtime.bigint();
    const result = spawnSync(command, args, { cwd: root, encoding: "utf8" });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.status !== 0) throw new Error(`${label} failed:\n${result.stderr}`);
    if (i > 0) samples.push(seconds); // the first run warms the file cache
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  return { label, median, min: samples[0], max: samples[samples.length - 1] };
}

try {
  const out = path.join(work, "out");
  const build = time("swarm-cluster build (reference cluster)", process.execPath, ["bin/swarm-cluster.js", "build", "--out", out], out);

  // The floor: a script holding the same files in memory and writing them.
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
  const files = Object.fromEntries(
    [...manifest.files.map((f) => f.path), "manifest.json"].map((p) => [p, readFileSync(path.join(out, p), "utf8")]),
  );
  const floorScript = path.join(work, "floor.mjs");
  writeFileSync(
    floorScript,
    `import { mkdirSync, writeFileSync } from "node:fs"; import path from "node:path";
const files = ${JSON.stringify(files)};
for (const [p, c] of Object.entries(files)) { const f = path.join(process.argv[2], p); mkdirSync(path.dirname(f), { recursive: true }); writeFileSync(f, c); }\n`,
  );
  const floorOut = path.join(work, "floor-out");
  const floor = time("plain Node script writing the same bytes", process.execPath, [floorScript, floorOut], floorOut);

  console.log(`files: ${Object.keys(files).length}, runs: ${runs}`);
  for (const r of [build, floor]) {
    console.log(`${r.label.padEnd(44)} median ${r.median.toFixed(3)} s  (min ${r.min.toFixed(3)}, max ${r.max.toFixed(3)})`);
  }
  console.log(`budget: 0.350 s for the build — ${build.median < 0.35 ? "within" : "OVER"} budget`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
