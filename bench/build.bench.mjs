// Benchmark: how the cost of a build grows with the cluster. For synthetic clusters of 8, 50, 200 and 1,000
// nodes (bench/synthetic-cluster.ts: the reference cluster's tiers scaled), each a config file in a project
// folder of its own, it measures
//   (a) the whole `swarm-cluster build` process as a user runs it, into an empty folder;
//   (b) the in-process synthesis alone: model to validated file set, nothing written;
//   (c) `swarm-cluster build --check` on an up-to-date out/;
//   (d) the floor: a plain Node script writing the same files with the same bytes into an empty folder
//       of the same file system;
//   (e) the availability analysis alone;
// and prints, as Markdown tables, the median and spread (min–max) of several runs after one warm-up, the
// peak resident memory of each process, build/floor ratios, and time and bytes per node.
// Run with `npm run bench` (compiles first). BENCH_SIZES=8,50 picks sizes, BENCH_RUNS the runs per measure,
// BENCH_DIR the folder the projects are written in (default: /dev/shm, tmpfs, where it exists).
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build as esbuild } from "esbuild";
import { median } from "./stats.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const cli = path.join(root, "bin", "swarm-cluster.js");
const sizes = (process.env.BENCH_SIZES ?? "8,50,200,1000").split(",").map(Number);
// Fewer runs where one run takes seconds: the whole benchmark stays under three minutes.
const runsFor = (nodes) => Number(process.env.BENCH_RUNS ?? (nodes >= 1000 ? 3 : nodes >= 200 ? 5 : 7));
// tmpfs where there is one: on a virtual disk, creating thousands of files costs seconds that vary from run
// to run with the disk's load, which would hide the compiler's own cost (BENCH_DIR=/tmp measures the disk).
const defaultDir = existsSync("/dev/shm") ? "/dev/shm" : tmpdir();
const work = mkdtempSync(path.join(process.env.BENCH_DIR ?? defaultDir, "swarm-cluster-bench-"));
// Peak memory of a process we do not write: GNU time's maximum resident set size, where installed.
const gnuTime = existsSync("/usr/bin/time") ? "/usr/bin/time" : undefined;

/**
 * Runs `node args…` in cwd: its wall-clock seconds, and (with GNU time) its CPU seconds (user + system), which
 * other work on the machine disturbs less than the wall clock, and its peak RSS in bytes.
 */
function runNode(args, cwd, expectStatus = 0) {
  const rssFile = path.join(work, "rss.txt");
  const [command, commandArgs] = gnuTime
    ? [gnuTime, ["-f", "%M %U %S", "-o", rssFile, process.execPath, ...args]]
    : [process.execPath, args];
  const start = process.hrtime.bigint();
  const result = spawnSync(command, commandArgs, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (result.status !== expectStatus) throw new Error(`node ${args.join(" ")} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  const [rssKb, user, system] = gnuTime ? (readFileSync(rssFile, "utf8").trim().split("\n").pop() ?? "").split(" ").map(Number) : [];
  return { seconds, cpu: gnuTime ? user + system : undefined, rss: gnuTime ? rssKb * 1024 : undefined, stdout: result.stdout };
}

/** One warm-up run (file cache, certificates issued), then `runs` timed ones, each after `reset`. */
function measureProcess(runs, args, cwd, reset = () => {}) {
  reset();
  runNode(args, cwd);
  const samples = [];
  const cpu = [];
  let peak = 0;
  for (let i = 0; i < runs; i++) {
    reset();
    const run = runNode(args, cwd);
    samples.push(run.seconds);
    cpu.push(run.cpu);
    peak = Math.max(peak, run.rss ?? 0);
  }
  return summary(samples, gnuTime ? cpu : undefined, gnuTime ? peak : undefined);
}

/** The in-process measures run in a child of their own (bench/in-process.ts), which reports its samples. */
function measureInProcess(driver, mode, nodes, runs, project) {
  const { stdout } = runNode([driver, mode, String(nodes), String(runs), project], project);
  const { samples, cpu, maxRssBytes } = JSON.parse(stdout.trim().split("\n").pop());
  return summary(samples, cpu, maxRssBytes);
}

function summary(samples, cpu, peak) {
  return { median: median(samples), min: Math.min(...samples), max: Math.max(...samples), cpu: cpu ? median(cpu) : undefined, peak };
}

/** bench/in-process.ts with the library, bundled where Node resolves the repository's packages. */
async function bundleDriver() {
  const outfile = path.join(root, "node_modules", ".cache", "swarm-cluster-bench", "in-process.mjs");
  await esbuild({
    absWorkingDir: root,
    entryPoints: ["bench/in-process.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    keepNames: true,
    logLevel: "warning",
  });
  return outfile;
}

/**
 * The synthetic-cluster builder as a config can import it: it imports the library from src/, which the
 * config loader would bundle into the config (another copy of the classes); here it imports `swarm-cluster`,
 * which the loader resolves to the compiled library the CLI runs.
 */
async function bundleBuilder() {
  const outfile = path.join(work, "synthetic-cluster.mjs");
  await esbuild({
    absWorkingDir: root,
    entryPoints: ["bench/synthetic-cluster.ts"],
    outfile,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "node20",
    packages: "external",
    plugins: [
      {
        name: "library-as-package",
        setup(build) {
          build.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: "swarm-cluster", external: true }));
        },
      },
    ],
    logLevel: "warning",
  });
  return outfile;
}

/** The floor's input: every file of out/ in one pack, and the script that writes them out again. */
function prepareFloor(project) {
  const out = path.join(project, "out");
  const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8"));
  const paths = [...manifest.files.map((file) => file.path), "manifest.json"];
  const contents = paths.map((file) => readFileSync(path.join(out, file)));
  writeFileSync(path.join(project, "floor.pack"), Buffer.concat(contents));
  writeFileSync(path.join(project, "floor.json"), JSON.stringify(paths.map((file, i) => [file, contents[i].length])));
  return { files: paths.length, bytes: contents.reduce((sum, content) => sum + content.length, 0) };
}

const FLOOR_SCRIPT = `import { readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
const [pack, index, target] = process.argv.slice(2);
const bytes = readFileSync(pack);
let offset = 0;
const files = JSON.parse(readFileSync(index, "utf8")).map(([file, length]) => {
  const entry = { file: path.join(target, file), content: bytes.subarray(offset, offset + length) };
  offset += length;
  return entry;
});
await Promise.all([...new Set(files.map((entry) => path.dirname(entry.file)))].map((folder) => mkdir(folder, { recursive: true })));
await Promise.all(files.map((entry) => writeFile(entry.file, entry.content)));
`;

function benchSize(nodes, driver, builder) {
  const runs = runsFor(nodes);
  const project = path.join(work, `nodes-${nodes}`);
  mkdirSync(project);
  writeFileSync(
    path.join(project, "cluster.config.ts"),
    `import { defineCluster } from "swarm-cluster";\nimport { syntheticCluster } from ${JSON.stringify(builder)};\n\nexport default defineCluster(() => syntheticCluster(${nodes}));\n`,
  );
  // The first build issues the certificates (the project starts without a CA) and writes out/.
  runNode([cli, "build", "--quiet", "--config", "cluster.config.ts"], project);
  const { files, bytes } = prepareFloor(project);
  writeFileSync(path.join(project, "floor.mjs"), FLOOR_SCRIPT);

  const fresh = (folder) => () => rmSync(path.join(project, folder), { recursive: true, force: true });
  const measures = {
    build: measureProcess(
      runs,
      [cli, "build", "--quiet", "--config", "cluster.config.ts", "--out", "out-build"],
      project,
      fresh("out-build"),
    ),
    synth: measureInProcess(driver, "synth", nodes, runs, project),
    check: measureProcess(runs, [cli, "build", "--check", "--quiet", "--config", "cluster.config.ts"], project),
    floor: measureProcess(runs, ["floor.mjs", "floor.pack", "floor.json", "out-floor"], project, fresh("out-floor")),
    ha: measureInProcess(driver, "ha", nodes, runs, project),
  };
  rmSync(project, { recursive: true, force: true });
  return { nodes, runs, files, bytes, measures };
}

const seconds = (s) => (s < 0.1 ? `${(s * 1000).toFixed(1)} ms` : `${s.toFixed(3)} s`);
const megabytes = (bytes) => (bytes === undefined ? "n/a" : `${(bytes / 1024 / 1024).toFixed(0)} MB`);
const LABELS = {
  build: "(a) `swarm-cluster build`",
  synth: "(b) synthesis in process",
  check: "(c) `build --check`, up to date",
  floor: "(d) floor: plain Node write",
  ha: "(e) HA analysis alone",
};

function fileSystemOf(folder) {
  try {
    return execFileSync("stat", ["-f", "-c", "%T", folder], { encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

function printTables(results) {
  console.log(`\nnode ${process.version}, ${availableParallelism()} CPUs, projects in ${path.dirname(work)} (${fileSystemOf(work)})\n`);
  console.log("| nodes | measure | median | spread (min–max) | CPU (median) | peak RSS |");
  console.log("| ---: | --- | ---: | ---: | ---: | ---: |");
  for (const { nodes, runs, measures } of results) {
    for (const [key, m] of Object.entries(measures)) {
      console.log(
        `| ${nodes} | ${LABELS[key]} (${runs} runs) | ${seconds(m.median)} | ${seconds(m.min)}–${seconds(m.max)} | ${m.cpu === undefined ? "n/a" : seconds(m.cpu)} | ${megabytes(m.peak)} |`,
      );
    }
  }
  console.log("\n| nodes | files | out/ size | bytes per node | build / floor | check / build | build per node | synthesis per node |");
  console.log("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |");
  for (const { nodes, files, bytes, measures: m } of results) {
    const perNode = (s) => seconds(s / nodes);
    console.log(
      `| ${nodes} | ${files} | ${(bytes / 1024 / 1024).toFixed(1)} MB | ${(bytes / nodes / 1024).toFixed(1)} KB | ${(m.build.median / m.floor.median).toFixed(2)}× | ${(m.check.median / m.build.median).toFixed(2)}× | ${perNode(m.build.median)} | ${perNode(m.synth.median)} |`,
    );
  }
  const [small, large] = [results.find((r) => r.nodes === 200), results.find((r) => r.nodes === 1000)];
  if (small && large) {
    const growth = (key) => (large.measures[key].median / small.measures[key].median).toFixed(2);
    console.log(
      `\n200 → 1,000 nodes (5× the nodes): build ×${growth("build")}, synthesis ×${growth("synth")}, check ×${growth("check")}, HA ×${growth("ha")}`,
    );
  }
}

const started = Date.now();
try {
  const driver = await bundleDriver();
  const builder = await bundleBuilder();
  const results = [];
  for (const nodes of sizes) {
    results.push(benchSize(nodes, driver, builder));
    process.stderr.write(`${nodes} nodes measured (${((Date.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  printTables(results);
  console.log(`\nbenchmark took ${((Date.now() - started) / 1000).toFixed(0)} s`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
