/** Docker's memory units (`docker service create --limit-memory`), binary: b, k, m or g, case-insensitive. */
const UNITS: Readonly<Record<string, number>> = { "": 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

export const MIB = 1024 ** 2;
export const GIB = 1024 ** 3;

/** Bytes of a memory size as Docker and the model write it (`128M`, `1.5G`, `512k`, `64mb`), or undefined. */
export function parseMemorySize(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)\s*([bkmg]?)b?$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = UNITS[(match[2] ?? "").toLowerCase()];
  return unit === undefined ? undefined : Math.floor(Number(match[1]) * unit);
}

/** Whole mebibytes, as php.ini and Docker read `128M`. */
export function toMebibytes(bytes: number): number {
  return Math.floor(bytes / MIB);
}

/** A size for a person to read: `1.5G`, `512M`. */
export function formatMemorySize(bytes: number): string {
  if (bytes >= GIB) return `${Number((bytes / GIB).toFixed(2))}G`;
  return `${Number((bytes / MIB).toFixed(1))}M`;
}
