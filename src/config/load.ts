import { randomBytes } from "node:crypto";
import { rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import type { BuildOptions, Plugin } from "esbuild";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { installedVersion, packageRoot } from "../core/package-root.js";
import { cachedBundle, keepBundle, type ConfigBundle } from "./bundle-cache.js";
import { importModule } from "./import-module.js";
import type { IConstruct } from "constructs";
import { ConfigError } from "../core/problems.js";
import { configFrameIn, setConfigModule, type FrameMapper } from "../core/source-location.js";
import { Cluster } from "../model/cluster.js";
import { watchPropsFaults } from "../model/props-faults.js";
import { duplicateIdProblem } from "../validate/duplicate-id.js";
import { problem, sortProblems } from "../validate/problem.js";
import { debugTrace } from "../synth/unexpected.js";
import { propsProblems } from "../validate/props-problems.js";

/**
 * The compiled library entry (scripts/compile.mjs), the bundle this CLI runs from: the config then shares
 * this process's classes, so `instanceof Cluster` holds.
 */
const libraryEntry = (): string => path.join(packageRoot(), "dist", "index.js");

/**
 * The `constructs` module the library itself imports (the bundle keeps it external, scripts/compile.mjs): a
 * config that extends `Construct` must extend that very class, not another copy installed beside the config;
 * and a construct package the config imports from node_modules requires this same file, where Node's
 * resolution finds the one `constructs` an install beside swarm-cluster holds.
 */
const libraryConstructs = (): string => createRequire(libraryEntry()).resolve("constructs");

/** What `cluster.config.ts` may export as default: the cluster, or a function that builds it. */
export type ConfigExport = Cluster | (() => Cluster);

export class ConfigLoadError extends Error {
  override name = "ConfigLoadError";
}

/**
 * Loads a TypeScript cluster config the way Vite loads vite.config.ts: esbuild bundles the config's own
 * files (type syntax stripped, no type check: `tsc --noEmit` does that) and leaves npm packages to Node,
 * so CommonJS packages load as Node loads them; the bundle is written to a temporary `.mjs` beside the config,
 * where Node resolves those packages as the config would, imported, and deleted. Constructs record stack
 * frames in the bundle; the source map maps them back to `cluster.config.ts:line:column`.
 */
export async function loadConfig(configFile: string): Promise<Cluster> {
  const absolute = path.resolve(configFile);
  const configDir = path.dirname(absolute);
  const moduleFile = `${absolute}.timestamp-${Date.now()}-${randomBytes(4).toString("hex")}.mjs`;
  const { code, map } = await bundleConfig(configFile, moduleFile);

  const url = pathToFileURL(moduleFile).href;
  const mapper = frameMapper(map, configDir);
  setConfigModule({ url, map: mapper });
  const stopWatching = watchPropsFaults();
  try {
    let cluster: unknown;
    try {
      const exported = (await importOnce(moduleFile, url, code)).default;
      cluster = typeof exported === "function" ? exported() : exported;
    } catch (error) {
      throw configThrew(error, url, mapper, stopWatching());
    }
    if (!(cluster instanceof Cluster)) {
      throw new ConfigLoadError(`${configFile} must \`export default\` a Cluster (or a function returning one, see defineCluster)`);
    }
    return cluster;
  } finally {
    stopWatching();
    setConfigModule(undefined);
  }
}

/** Writes the bundle, imports it, and removes it whatever happened: nothing is left beside the config. */
async function importOnce(file: string, url: string, code: string): Promise<{ default?: ConfigExport }> {
  try {
    writeFileSync(file, code);
    return (await importModule(url)) as { default?: ConfigExport };
  } finally {
    rmSync(file, { force: true });
  }
}

let bundling = 0;

/**
 * The config's bundle: the one kept from an earlier build when the config's files are unchanged
 * (bundle-cache.ts), else esbuild's. esbuild is imported only then: a build that reuses the bundle
 * neither loads it nor starts its service.
 */
async function bundleConfig(configFile: string, outfile: string): Promise<ConfigBundle> {
  const absolute = path.resolve(configFile);
  const absWorkingDir = path.dirname(absolute);
  const options = {
    entryPoints: [absolute],
    bundle: true,
    packages: "external",
    write: false,
    format: "esm",
    platform: "node",
    target: "node20",
    sourcemap: "external",
    absWorkingDir,
    logLevel: "silent",
  } satisfies BuildOptions;
  // What else decides the bundle's bytes: the plugin's targets (libraryModules) and esbuild itself.
  const context = JSON.stringify([options, libraryEntry(), libraryConstructs(), esbuildVersion()]);
  const cached = cachedBundle(absolute, context);
  if (cached) return cached;
  const { build, stop } = await import("esbuild");
  bundling += 1;
  try {
    const started = Date.now();
    const result = await build({ ...options, outfile, metafile: true, plugins: [libraryModules()] });
    const bundle = {
      code: result.outputFiles.find((file) => file.path.endsWith(".mjs"))?.text ?? "",
      map: result.outputFiles.find((file) => file.path.endsWith(".map"))?.text ?? "{}",
    };
    const sources = Object.keys(result.metafile.inputs).map((input) => path.resolve(absWorkingDir, input));
    keepBundle(absolute, context, sources, started, bundle);
    return bundle;
  } catch (error) {
    throw new ConfigLoadError(`cannot compile ${configFile}: ${describeEsbuildError(error)}`);
  } finally {
    // esbuild's service is a child process; stopping it once no bundle is in flight lets the CLI exit
    // with nothing left running.
    bundling -= 1;
    if (bundling === 0) await stop();
  }
}

/** The installed esbuild's version, from its package.json. */
function esbuildVersion(): string {
  return installedVersion("esbuild") ?? "";
}

/**
 * An exception while the config ran, as problems pointed at the config line it came from (its stack is in
 * the bundle, a temporary file a person cannot read): a construct id declared twice becomes the Problem
 * validation would have reported; anything else is `config/threw`, with the props problems recorded so far,
 * which usually explain it (a constructor reading a prop the config left out).
 */
function configThrew(error: unknown, url: string, mapper: FrameMapper, faulty: readonly IConstruct[]): Error {
  const frame = error instanceof Error ? configFrameIn(error.stack ?? "", url) : undefined;
  const location = frame ? mapper(frame.line, frame.column) : undefined;
  const props = propsProblems(faulty);
  if (error instanceof ConfigError) return new ConfigError(sortProblems([...props, ...error.problems]));
  const duplicate = duplicateIdProblem(error, location);
  if (duplicate) return new ConfigError(sortProblems([...props, duplicate]));
  debugTrace(error);
  const threw = problem("config/threw", { path: "", location }, "", { detail: authoredMessage(error) });
  return new ConfigError(sortProblems([...props, threw]));
}

/** Errors the JavaScript engine raises: their text is about the program, not the cluster, and stays behind SWARM_CLUSTER_DEBUG. */
const ENGINE_ERRORS = new Set(["TypeError", "RangeError", "ReferenceError", "SyntaxError", "EvalError", "URIError", "AggregateError"]);

/**
 * The text of an exception a person wrote on purpose (`throw new Error("set DB_HOST")` in the config, an
 * Error of a library), which says what to fix; undefined for the engine's own errors.
 */
function authoredMessage(error: unknown): string | undefined {
  if (typeof error === "string") return error;
  if (!(error instanceof Error) || ENGINE_ERRORS.has(error.name)) return undefined;
  return error.message.split("\n")[0];
}

/** `swarm-cluster` and `constructs` resolve to the modules this process runs, never to other copies. */
function libraryModules(): Plugin {
  return {
    name: "swarm-cluster-library",
    setup(build) {
      build.onResolve({ filter: /^swarm-cluster$/ }, () => ({ path: pathToFileURL(libraryEntry()).href, external: true }));
      build.onResolve({ filter: /^constructs$/ }, () => ({ path: pathToFileURL(libraryConstructs()).href, external: true }));
    },
  };
}

function frameMapper(rawMap: string, configDir: string): FrameMapper {
  let traceMap: TraceMap | undefined;
  return (line, column) => {
    traceMap ??= new TraceMap(rawMap);
    const original = originalPositionFor(traceMap, { line, column: column - 1 });
    if (original.source === null || original.line === null) return undefined;
    const absoluteFile = path.resolve(configDir, original.source);
    return {
      file: path.relative(configDir, absoluteFile).split(path.sep).join("/"),
      line: original.line,
      column: (original.column ?? 0) + 1,
      absoluteFile,
    };
  };
}

function describeEsbuildError(error: unknown): string {
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] }).errors;
  if (!errors?.length) return String(error);
  return errors.map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text)).join("\n");
}
