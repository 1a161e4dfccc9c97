import { createHash } from "node:crypto";

export function sha256(content: string | Uint8Array): string {
  return createHash("sha256").update(content).digest("hex");
}

/** Characters of a shortHash: Docker config names end with it, and their length is checked before synthesis. */
export const SHORT_HASH_LENGTH = 10;

/** A short, stable suffix for names that must change when content changes (Docker configs are immutable). */
export function shortHash(content: string): string {
  return sha256(content).slice(0, SHORT_HASH_LENGTH);
}
