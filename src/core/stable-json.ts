/**
 * JSON with a fixed shape for files that are reviewed as diffs: two-space indent, trailing newline.
 * Object keys keep insertion order, because generators build objects in the order a reader expects
 * (the way the format's documentation lists them); `sortKeys` is for maps whose order carries no meaning.
 */
export function toJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

export function sortKeys<T>(record: Record<string, T>): Record<string, T> {
  const sorted: Record<string, T> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key] as T;
  return sorted;
}

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
