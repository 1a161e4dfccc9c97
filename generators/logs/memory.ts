/** Docker's memory units (`docker service create --limit-memory`): a number and b, k, m or g, case-insensitive. */
const UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** Bytes of a Docker memory size (`2G`, `512m`, `1073741824`), or undefined when it is not one. */
export function memoryBytes(size: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)\s*([bkmg]?)b?$/i.exec(size.trim());
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit);
}

export const MIB = 1024 ** 2;
export const GIB = 1024 ** 3;

/**
 * Above about 32 GB the JVM can no longer compress its object pointers, and a larger heap holds fewer objects;
 * Elastic's advice is to stay below the threshold, which 31 GiB does on every JVM it ships.
 */
export const MAX_HEAP_BYTES = 31 * GIB;

/** The JVM heap Elastic advises at most: half the memory, the rest for the file-system cache Lucene reads through. */
export const MAX_HEAP_FRACTION = 0.5;
