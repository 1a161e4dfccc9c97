import type { Problem } from "../../src/core/problems.js";
import type { Declared } from "../../src/validate/problem.js";
import { GIB, MIB } from "../../src/core/memory-size.js";
import { MAX_HEAP_BYTES, MAX_HEAP_FRACTION } from "./memory.js";
import { LOGS_MESSAGES } from "./messages.js";

/** The least heap Elasticsearch 8 starts with in a container. */
const MIN_HEAP_BYTES = 256 * MIB;

export interface HeapInputs {
  readonly at: Declared;
  readonly memoryLimit: string;
  /** The limit in bytes, undefined when it is not a Docker size. */
  readonly memoryBytes: number | undefined;
  readonly heapFraction: number;
}

/** The heap the model gives an engine node: a readable size, at most half its memory and 31 GiB. */
export function heapProblems({ at, memoryLimit, memoryBytes, heapFraction }: HeapInputs): Problem[] {
  if (memoryBytes === undefined) return [LOGS_MESSAGES.problem("logs/memory-limit", at, "memoryLimit", { value: memoryLimit })];
  if (!(heapFraction > 0 && heapFraction <= MAX_HEAP_FRACTION)) {
    return [LOGS_MESSAGES.problem("logs/heap-fraction", at, "heapFraction", { fraction: heapFraction })];
  }
  const heap = Math.floor((memoryBytes * heapFraction) / MIB) * MIB;
  const shown = heap >= GIB ? `${(heap / GIB).toFixed(1)} GiB` : `${heap / MIB} MiB`;
  if (heap > MAX_HEAP_BYTES) return [LOGS_MESSAGES.problem("logs/heap-too-large", at, "memoryLimit", { heap: shown })];
  if (heap < MIN_HEAP_BYTES) return [LOGS_MESSAGES.problem("logs/heap-too-small", at, "memoryLimit", { heap: shown })];
  return [];
}
