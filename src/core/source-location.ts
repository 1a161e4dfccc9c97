import { readFileSync } from "node:fs";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";

/**
 * Where a construct was declared in the user's configuration.
 *
 * The config module is bundled by esbuild into a temporary module, which Node does not map through source
 * maps; so the declaration site is recorded as a raw frame here and mapped back to
 * `cluster.config.ts:line:column` by the config loader, which owns the source map.
 */
export interface SourceLocation {
  /** Path of the source file, relative to the directory of the config file. */
  readonly file: string;
  readonly line: number;
  readonly column: number;
  /** Absolute path, for reading the line to show under an error; never written to out/. */
  readonly absoluteFile?: string;
}

export type FrameMapper = (line: number, column: number) => SourceLocation | undefined;

/** The loaded config module: the URL its stack frames carry, and how to map them back to the sources. */
export interface ConfigModule {
  readonly url: string;
  readonly map: FrameMapper;
}

/** What follows the module URL in a stack frame: `:line:column`, and a closing parenthesis for a named frame. */
const POSITION_AFTER_URL = /^:(\d+):(\d+)\)?$/;

let activeModule: ConfigModule | undefined;

/** Installed by the config loader while the config module runs; each captured frame keeps the mapper it saw. */
export function setConfigModule(module: ConfigModule | undefined): void {
  activeModule = module;
}

/** A frame inside the loaded config module, captured now and mapped later by the loader that ran it. */
export interface RawFrame {
  readonly line: number;
  readonly column: number;
  readonly mapper: FrameMapper | undefined;
}

export function captureConfigFrame(): RawFrame | undefined {
  // Outside a loaded config (constructs built directly in tests) there is no config frame to find.
  const module = activeModule;
  if (!module) return undefined;
  const holder: { stack?: string } = {};
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  Error.captureStackTrace(holder, captureConfigFrame);
  Error.stackTraceLimit = previousLimit;
  const frame = configFrameIn(holder.stack ?? "", module.url);
  return frame ? { ...frame, mapper: module.map } : undefined;
}

/** The innermost frame of a stack trace that runs in the config module at `url` (line and column in the bundle). */
export function configFrameIn(stack: string, url: string): { line: number; column: number } | undefined {
  for (const frame of stack.split("\n").slice(1)) {
    const text = frame.trim();
    const at = text.lastIndexOf(url);
    const match = at < 0 ? null : POSITION_AFTER_URL.exec(text.slice(at + url.length));
    if (match) return { line: Number(match[1]), column: Number(match[2]) };
  }
  return undefined;
}

export function resolveFrame(frame: RawFrame | undefined): SourceLocation | undefined {
  return frame?.mapper?.(frame.line, frame.column);
}

export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}:${location.column}` : "(location unknown)";
}

/**
 * A stack trace with each frame in a compiled bundle (`….cjs:line:column`) followed by the source file, line
 * and column its linked source map names. dist/runtime.cjs has no newlines or indentation
 * (scripts/compile.mjs), and Node 20 applies no source map to a vm.Script, so such a frame alone says little.
 * For the internal errors a person reads: SWARM_CLUSTER_DEBUG's trace (src/synth/unexpected.ts), and a crash
 * of the CLI (src/cli/main.ts).
 */
export function withSourcePositions(stack: string): string {
  const maps = new Map<string, TraceMap | undefined>();
  return stack.replace(/([^\s()]+\.cjs):(\d+):(\d+)/g, (frame: string, file: string, line: string, column: string) => {
    if (!maps.has(file)) maps.set(file, readMap(`${file}.map`));
    const map = maps.get(file);
    const original = map && originalPositionFor(map, { line: Number(line), column: Number(column) - 1 });
    return original?.source ? `${frame} [${original.source}:${original.line}:${(original.column ?? 0) + 1}]` : frame;
  });
}

/** A source map, or undefined when there is none to read (a bundle compiled without one). */
export function readMap(file: string): TraceMap | undefined {
  try {
    return new TraceMap(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
