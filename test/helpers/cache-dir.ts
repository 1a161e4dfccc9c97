import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, beforeAll, beforeEach } from "vitest";

/**
 * Points SWARM_CLUSTER_CACHE_DIR at a new temporary folder for the suite this is called in ("each": a new one
 * for every test), then removes the folder and restores the variable: the caches a build keeps between runs
 * are tested without touching the user's. Returns the current folder.
 */
export function temporaryCacheDir(name: string, fresh: "suite" | "each" = "suite"): () => string {
  let folder = "";
  let before: string | undefined;
  const [setUp, tearDown] = fresh === "each" ? [beforeEach, afterEach] : [beforeAll, afterAll];
  setUp(() => {
    before = process.env.SWARM_CLUSTER_CACHE_DIR;
    folder = mkdtempSync(path.join(tmpdir(), `swarm-cluster-${name}-`));
    process.env.SWARM_CLUSTER_CACHE_DIR = folder;
  });
  tearDown(() => {
    if (before === undefined) delete process.env.SWARM_CLUSTER_CACHE_DIR;
    else process.env.SWARM_CLUSTER_CACHE_DIR = before;
    rmSync(folder, { recursive: true, force: true });
  });
  return () => folder;
}
