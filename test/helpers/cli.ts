import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

const distDir = path.join(repoRoot, "dist");
/** Written after a compile this helper ran: dist/ is at least as new as every source older than it. */
const stamp = path.join(distDir, ".compiled-by-tests");
const lock = path.join(distDir, ".compile-lock");

let compiled = false;

/**
 * Compiles src/ and generators/ into dist/ (what bin/swarm-cluster.js runs) unless dist/ is already newer
 * than every source. Test files run in parallel processes: a lock folder keeps two of them from running
 * tsc over the same dist/ at once, and the one that waited finds dist/ fresh.
 */
export function ensureCompiled(): void {
  if (compiled) return;
  withLock(() => {
    if (!isFresh()) {
      execFileSync(process.execPath, [path.join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
        cwd: repoRoot,
        stdio: "pipe",
      });
      writeFileSync(stamp, "");
    }
  });
  compiled = true;
}

export interface CliResult {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the compiled CLI (`node bin/swarm-cluster.js …`) from the repository root. */
export function runCli(args: readonly string[], options: { cwd?: string } = {}): CliResult {
  ensureCompiled();
  const result = spawnSync(process.execPath, [path.join(repoRoot, "bin/swarm-cluster.js"), ...args], {
    cwd: options.cwd ?? repoRoot,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function isFresh(): boolean {
  if (!existsSync(stamp)) return false;
  const compiledAt = statSync(stamp).mtimeMs;
  return newestSource(path.join(repoRoot, "src")) <= compiledAt && newestSource(path.join(repoRoot, "generators")) <= compiledAt;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(full));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(full).mtimeMs);
  }
  return newest;
}

function withLock(action: () => void): void {
  const deadline = Date.now() + 120_000;
  mkdirSync(distDir, { recursive: true });
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      // A lock left by a killed run would block forever; no compile takes two minutes.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${lock}`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
  }
  try {
    action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}
