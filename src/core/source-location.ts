/**
 * Where a construct was declared in the user's configuration.
 *
 * The config module is bundled by esbuild and imported from a data: URL, which Node does not map through
 * source maps; so the declaration site is recorded as a raw frame here and mapped back to
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

const CONFIG_FRAME = /\(?(data:text\/javascript[^)\s]*?):(\d+):(\d+)\)?$/;

let activeMapper: FrameMapper | undefined;

/** Installed by the config loader while the config module runs; each captured frame keeps the mapper it saw. */
export function setFrameMapper(mapper: FrameMapper | undefined): void {
  activeMapper = mapper;
}

/** A frame inside the loaded config module, captured now and mapped later by the loader that ran it. */
export interface RawFrame {
  readonly line: number;
  readonly column: number;
  readonly mapper: FrameMapper | undefined;
}

export function captureConfigFrame(): RawFrame | undefined {
  // Outside a loaded config (constructs built directly in tests) there is no config frame to find.
  if (!activeMapper) return undefined;
  const holder: { stack?: string } = {};
  const previousLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  Error.captureStackTrace(holder, captureConfigFrame);
  Error.stackTraceLimit = previousLimit;
  const frame = configFrameIn(holder.stack ?? "");
  return frame ? { ...frame, mapper: activeMapper } : undefined;
}

/** The innermost frame of a stack trace that runs in the loaded config module (line and column in the bundle). */
export function configFrameIn(stack: string): { line: number; column: number } | undefined {
  for (const frame of stack.split("\n").slice(1)) {
    const match = CONFIG_FRAME.exec(frame.trim());
    if (match) return { line: Number(match[2]), column: Number(match[3]) };
  }
  return undefined;
}

export function resolveFrame(frame: RawFrame | undefined): SourceLocation | undefined {
  return frame?.mapper?.(frame.line, frame.column);
}

export function formatLocation(location: SourceLocation | undefined): string {
  return location ? `${location.file}:${location.line}:${location.column}` : "(location unknown)";
}
