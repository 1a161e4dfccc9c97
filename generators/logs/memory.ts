import { GIB } from "../../src/core/memory-size.js";

/**
 * Above about 32 GB the JVM can no longer compress its object pointers, and a larger heap holds fewer objects;
 * Elastic's advice is to stay below the threshold, which 31 GiB does on every JVM it ships.
 */
export const MAX_HEAP_BYTES = 31 * GIB;

/** The JVM heap Elastic advises at most: half the memory, the rest for the file-system cache Lucene reads through. */
export const MAX_HEAP_FRACTION = 0.5;
