import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";

/**
 * Loads dist/runtime.cjs, the one bundle of the CLI and the library (scripts/compile.mjs), with a V8 code
 * cache: the bytecode of every function the previous run of the same command compiled, kept in the
 * package's node_modules/.cache/swarm-cluster/code-cache (SWARM_CLUSTER_CACHE_DIR moves it, as every
 * cache of a build). Without it, each process parses the 2 MB bundle and compiles, on first call, every
 * function a build runs: most of what a small build spent before its first line of work. This is what
 * Node 22's `module.enableCompileCache()` does for every module; Node 20 has only `vm.Script`'s
 * `cachedData`, for a script, hence a CommonJS bundle loaded here rather than ES module chunks.
 *
 * The cache is named after the bundle (the SHA-256 compile.mjs put into this file, and its size and mtime),
 * Node's version and the architecture, and V8 checks its own version and flags and rejects what does not
 * fit; a missing or rejected cache is made again when a run succeeds. The code the bundle runs is the
 * same either way: only whether V8 compiles it or reads the compiled form changes, never the output.
 */

/** The bundle's SHA-256, substituted by scripts/compile.mjs (esbuild `define`). */
declare const RUNTIME_SHA256: string;

export interface Runtime {
  /** The CLI (src/cli/main.ts). */
  readonly main: (argv: readonly string[]) => Promise<void>;
  /** The library's exports (src/index.ts), which dist/index.js re-exports. */
  readonly library: Readonly<Record<string, unknown>>;
  /** Gives the bundle Node's `import()` of an ES module (src/config/import-module.ts). */
  readonly setModuleImporter: (load: (url: string) => Promise<unknown>) => void;
}

let loaded: Runtime | undefined;

/**
 * The runtime, loaded once per process whichever of dist/cli.js and dist/index.js asks first (the CLI
 * loads it, then the config imports the library: the same classes). `profile` names the cache: a build and
 * `--version` compile different functions.
 */
export function loadRuntime(profile: string): Runtime {
  if (loaded) return loaded;
  const dist = path.dirname(fileURLToPath(import.meta.url));
  const file = path.join(dist, "runtime.cjs");
  const require = createRequire(file);
  const source = readFileSync(file, "utf8");
  const cacheFile = codeCacheFile(dist, file, profile);
  const cachedData = cacheFile === undefined ? undefined : readCache(cacheFile);
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n})`, {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (cacheFile !== undefined && (cachedData === undefined || script.cachedDataRejected)) {
    // At exit: the cache then holds every function this run compiled, not only the bundle's top level. Only
    // after a run that succeeded: one that stopped early (a config error) compiled only part of the work,
    // and an accepted cache is never made again.
    process.once("exit", (code) => {
      if (code === 0) keepCache(cacheFile, script);
    });
  }
  const module = { exports: {} as Runtime };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, require, module, file, dist);
  module.exports.setModuleImporter((url) => import(url));
  loaded = module.exports;
  return loaded;
}

/** Where the cache of this bundle for this profile lives, or undefined when the bundle cannot be read. */
function codeCacheFile(dist: string, file: string, profile: string): string | undefined {
  try {
    const { size, mtimeMs } = statSync(file);
    const root = process.env.SWARM_CLUSTER_CACHE_DIR ?? path.join(path.dirname(dist), "node_modules", ".cache", "swarm-cluster");
    const bundle = `${RUNTIME_SHA256.slice(0, 16)}-${size}-${Math.trunc(mtimeMs)}`;
    return path.join(root, "code-cache", `${bundle}-${process.version}-${process.arch}-${profile.replace(/[^a-z-]/g, "")}.bin`);
  } catch {
    return undefined;
  }
}

function readCache(cacheFile: string): Buffer | undefined {
  try {
    return readFileSync(cacheFile);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache through a temporary name, and removes the caches of other bundles (an earlier compile).
 * Errors (an unwritable cache folder) are ignored: the next run compiles as if there were no cache.
 */
function keepCache(cacheFile: string, script: vm.Script): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const data = script.createCachedData();
    const folder = path.dirname(cacheFile);
    mkdirSync(folder, { recursive: true });
    writeFileSync(temporary, data);
    renameSync(temporary, cacheFile);
    const bundle = `${path.basename(cacheFile).split("-").slice(0, 3).join("-")}-`;
    for (const entry of readdirSync(folder)) {
      if (!entry.startsWith(bundle)) rmSync(path.join(folder, entry), { force: true });
    }
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The cache folder itself is unusable: nothing was written.
    }
  }
}
