import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs the compiled CLI (`node bin/swarm-cluster.js …`) from the repository root. dist/ is compiled once,
 * before any test file runs, by test/global-setup.ts.
 */
export function runCli(args: readonly string[], options: { cwd?: string; env?: Readonly<Record<string, string>> } = {}): CliResult {
  const result = spawnSync(process.execPath, [path.join(repoRoot, "bin/swarm-cluster.js"), ...args], {
    cwd: options.cwd ?? repoRoot,
    ...(options.env ? { env: { ...process.env, ...options.env } } : {}),
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
