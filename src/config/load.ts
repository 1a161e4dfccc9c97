import path from "node:path";
import { pathToFileURL } from "node:url";
import { build, type Plugin } from "esbuild";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { packageRoot } from "../core/package-root.js";
import { ConfigError } from "../core/problems.js";
import { configFrameIn, formatLocation, setFrameMapper, type FrameMapper } from "../core/source-location.js";
import { Cluster } from "../model/cluster.js";
import { duplicateIdProblem } from "../validate/duplicate-id.js";

/**
 * The compiled library entry (scripts/compile.mjs), the bundle this CLI runs from: the config then shares
 * this process's classes, so `instanceof Cluster` holds.
 */
const libraryEntry = (): string => pathToFileURL(path.join(packageRoot(), "dist", "index.js")).href;

/** What `cluster.config.ts` may export as default: the cluster, or a function that builds it. */
export type ConfigExport = Cluster | (() => Cluster);

export class ConfigLoadError extends Error {
  override name = "ConfigLoadError";
}

/**
 * Loads a TypeScript cluster config the way Vite loads vite.config.ts: esbuild bundles it (type syntax
 * stripped, no type check: `tsc --noEmit` does that), and Node imports the bundle from a data: URL, so
 * nothing is written next to the config. Constructs record stack frames in the bundle; the source map
 * maps them back to `cluster.config.ts:line:column`.
 */
export async function loadConfig(configFile: string): Promise<Cluster> {
  const absolute = path.resolve(configFile);
  const configDir = path.dirname(absolute);
  let code: string;
  let map: string;
  try {
    const result = await build({
      entryPoints: [absolute],
      bundle: true,
      write: false,
      format: "esm",
      platform: "node",
      target: "node20",
      sourcemap: "external",
      outfile: path.join(configDir, "__config.mjs"),
      absWorkingDir: configDir,
      logLevel: "silent",
      plugins: [libraryAsExternal()],
    });
    code = result.outputFiles.find((file) => file.path.endsWith(".mjs"))?.text ?? "";
    map = result.outputFiles.find((file) => file.path.endsWith(".map"))?.text ?? "{}";
  } catch (error) {
    throw new ConfigLoadError(`cannot compile ${configFile}: ${describeEsbuildError(error)}`);
  }

  const mapper = frameMapper(map, configDir);
  setFrameMapper(mapper);
  try {
    let cluster: unknown;
    try {
      const module = (await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`)) as {
        default?: ConfigExport;
      };
      const exported = module.default;
      cluster = typeof exported === "function" ? exported() : exported;
    } catch (error) {
      throw configThrew(error, mapper);
    }
    if (!(cluster instanceof Cluster)) {
      throw new ConfigLoadError(
        `${configFile} must \`export default\` a Cluster (or a function returning one, see defineCluster)`,
      );
    }
    return cluster;
  } finally {
    setFrameMapper(undefined);
  }
}

/**
 * An exception while the config ran, pointed at the config line it came from: its stack is in the bundle,
 * as a data: URL a person cannot read. A construct id declared twice becomes the Problem validation would
 * have reported.
 */
function configThrew(error: unknown, mapper: FrameMapper): Error {
  const frame = error instanceof Error ? configFrameIn(error.stack ?? "") : undefined;
  const location = frame ? mapper(frame.line, frame.column) : undefined;
  const duplicate = duplicateIdProblem(error, location);
  if (duplicate) return new ConfigError([duplicate]);
  const message = !(error instanceof Error) ? String(error) : error.name === "Error" ? error.message : `${error.name}: ${error.message}`;
  return new ConfigLoadError(location ? `${formatLocation(location)}: ${message}` : message, { cause: error });
}

function libraryAsExternal(): Plugin {
  return {
    name: "swarm-cluster-library",
    setup(build) {
      build.onResolve({ filter: /^swarm-cluster$/ }, () => ({ path: libraryEntry(), external: true }));
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
  const errors = (error as { errors?: { text: string; location?: { file: string; line: number; column: number } }[] })
    .errors;
  if (!errors?.length) return String(error);
  return errors
    .map((e) => (e.location ? `${e.location.file}:${e.location.line}:${e.location.column + 1}: ${e.text}` : e.text))
    .join("\n");
}

