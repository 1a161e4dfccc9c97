import { readFileSync } from "node:fs";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { declaredOf } from "../validate/problem.js";
import { problem } from "../validate/problem.js";

/**
 * An exception no check foresaw, as a Problem a person can act on: which step, which construct and config
 * line, never the JavaScript error text (a TypeError says nothing about the cluster). The error itself is
 * kept for `SWARM_CLUSTER_DEBUG=1`, which prints it.
 */
export function unexpectedFailure(step: string, construct: IConstruct, error: unknown): Problem {
  debugTrace(error);
  return problem("construct/unexpected-failure", declaredOf(construct), "", { step });
}

/** The internal error behind a located problem, printed only for `SWARM_CLUSTER_DEBUG=1`. */
export function debugTrace(error: unknown): void {
  if (process.env.SWARM_CLUSTER_DEBUG) {
    process.stderr.write(`${error instanceof Error ? withSourcePositions(error.stack ?? error.message) : String(error)}\n`);
  }
}

/**
 * The compiled bundle (dist/runtime.cjs) has no newlines or indentation (scripts/compile.mjs), so a frame
 * in it says little: each is followed by the source file, line and column its linked source map names.
 */
function withSourcePositions(stack: string): string {
  const maps = new Map<string, TraceMap | undefined>();
  return stack.replace(/([^\s()]+\.cjs):(\d+):(\d+)/g, (frame: string, file: string, line: string, column: string) => {
    if (!maps.has(file)) maps.set(file, readMap(`${file}.map`));
    const original = maps.get(file) && originalPositionFor(maps.get(file) as TraceMap, { line: Number(line), column: Number(column) - 1 });
    return original?.source ? `${frame} [${original.source}:${original.line}:${(original.column ?? 0) + 1}]` : frame;
  });
}

function readMap(file: string): TraceMap | undefined {
  try {
    return new TraceMap(readFileSync(file, "utf8"));
  } catch {
    return undefined;
  }
}
