// Paired timing of shell commands: runs them alternately, rotating their order each round, so that every
// command meets the same moments of the machine's load (the other work on this 2-core machine moves single
// runs by tens of percent), and prints the medians and the median of the per-round differences and ratios.
// Each run's CPU time (user + system) is taken inside the process, at exit, through a preload in
// NODE_OPTIONS (so it adds the same small cost to every Node command); the wall clock is taken around it.
//   node bench/paired.mjs ROUNDS 'name=command' 'name=command' …   (PAIRED_CWD: where the commands run)
// The first command is the reference of the differences (or the one named floor). Example, from a bench
// project folder: node bench/paired.mjs 40 'floor=node floor.mjs floor.pack floor.json out-floor' \
//   'build=rm -rf out-build && node …/bin/swarm-cluster.js build --quiet --out out-build'
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { median } from "./stats.mjs";

const [roundsArg, ...specs] = process.argv.slice(2);
const rounds = Number(roundsArg);
if (!(rounds > 0) || specs.length === 0 || specs.some((spec) => !spec.includes("="))) {
  console.error("usage: node bench/paired.mjs ROUNDS 'name=command' ['name=command' …]");
  process.exit(2);
}
const work = mkdtempSync(path.join(tmpdir(), "paired-"));
const preload = path.join(work, "cpu.cjs");
const report = path.join(work, "cpu.txt");
writeFileSync(
  preload,
  'process.on("exit", () => { const u = process.cpuUsage(); require("node:fs").appendFileSync(process.env.PAIRED_CPU_FILE, `${(u.user + u.system) / 1000}\\n`); });\n',
);
const commands = specs.map((spec) => {
  const at = spec.indexOf("=");
  return { name: spec.slice(0, at), command: spec.slice(at + 1), wall: [], cpu: [] };
});

function run(command) {
  rmSync(report, { force: true });
  const env = {
    ...process.env,
    // The preload's path double-quoted, as NODE_OPTIONS reads a value holding spaces (a TMPDIR may).
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ""} --require ${JSON.stringify(preload)}`,
    PAIRED_CPU_FILE: report,
  };
  const start = process.hrtime.bigint();
  const result = spawnSync("sh", ["-c", command.command], { cwd: process.env.PAIRED_CWD ?? process.cwd(), env, encoding: "utf8" });
  const wall = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.status !== 0) throw new Error(`${command.name} exited ${result.status}:\n${result.stderr}${result.stdout}`);
  // Every Node process the command started appended its CPU time: they add up.
  const cpu = readFileSync(report, "utf8")
    .trim()
    .split("\n")
    .map(Number)
    .reduce((sum, value) => sum + value, 0);
  return { wall, cpu };
}

try {
  for (const command of commands) run(command); // one warm-up run each (file cache, the CLI's caches)
  for (let round = 0; round < rounds; round++) {
    for (let i = 0; i < commands.length; i++) {
      const command = commands[(i + round) % commands.length];
      const { wall, cpu } = run(command);
      command.wall.push(wall);
      command.cpu.push(cpu);
    }
  }
  for (const { name, wall, cpu } of commands) {
    console.log(
      `${name.padEnd(12)} wall ${median(wall).toFixed(1)} ms (min ${Math.min(...wall).toFixed(1)})  CPU ${median(cpu).toFixed(1)} ms`,
    );
  }
  const reference = commands.find((command) => command.name === "floor") ?? commands[0];
  for (const command of commands) {
    if (command === reference) continue;
    const ratio = median(command.wall.map((wall, i) => wall / reference.wall[i]));
    const wall = median(command.wall.map((value, i) => value - reference.wall[i]));
    const cpu = median(command.cpu.map((value, i) => value - reference.cpu[i]));
    console.log(
      `${command.name} against ${reference.name}: ${ratio.toFixed(3)}x the wall clock, ${wall.toFixed(1)} ms more wall clock, ${cpu.toFixed(1)} ms more CPU (medians of the ${rounds} rounds)`,
    );
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
