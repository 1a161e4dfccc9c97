import { execFileSync } from "node:child_process";
import path from "node:path";
import { repoRoot } from "./helpers/cli.js";

/**
 * Compiles dist/ (what bin/swarm-cluster.js runs) once, before any test file starts: the CLI tests run
 * in parallel processes and must all see the same, current bundle.
 */
export default function compileOnce(): void {
  execFileSync(process.execPath, [path.join(repoRoot, "scripts/compile.mjs")], { cwd: repoRoot, stdio: "inherit" });
}
