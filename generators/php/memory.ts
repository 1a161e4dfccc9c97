/** Bytes of a memory size as Docker and the model write it (`128M`, `1.5G`, `512k`, `64mb`): binary units. */
export function parseMemorySize(text: unknown): number | undefined {
  if (typeof text !== "string") return undefined;
  const match = /^([0-9]+(?:\.[0-9]+)?)([bkmg]?)b?$/i.exec(text.trim());
  if (!match) return undefined;
  const exponent = { "": 0, b: 0, k: 1, m: 2, g: 3 }[(match[2] ?? "").toLowerCase()] ?? 0;
  return Math.floor(Number(match[1]) * 1024 ** exponent);
}

const MIB = 1024 * 1024;

/** Whole mebibytes, as php.ini and Docker read `128M`. */
export function mebibytes(bytes: number): string {
  return `${Math.floor(bytes / MIB)}M`;
}

export function toMebibytes(bytes: number): number {
  return Math.floor(bytes / MIB);
}
