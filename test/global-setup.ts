import { execFileSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./helpers/cli.js";

/**
 * Compiles dist/ (what bin/swarm-cluster.js runs) once, before any test file starts: the CLI tests run
 * in parallel processes and must all see the same, current bundle. Vitest calls it for the root config and
 * for each project (unit, system) in the same process: the first call compiles.
 */
export default function compileOnce(): void {
  if (process.env.SWARM_CLUSTER_TEST_COMPILED === "1") return;
  process.env.SWARM_CLUSTER_TEST_COMPILED = "1";
  execFileSync(process.execPath, [path.join(repoRoot, "scripts/compile.mjs")], { cwd: repoRoot, stdio: "inherit" });
}
