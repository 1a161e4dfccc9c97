/** A patch for an escape hatch: every field optional at every depth; `null` deletes a field. */
export type DeepPartial<T> = T extends readonly (infer U)[]
  ? readonly DeepPartial<U>[]
  : T extends object
    ? { [K in keyof T]?: DeepPartial<T[K]> | null }
    : T;

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Applies an override patch the way cdk8s `addOverride` does: objects merge key by key, arrays and
 * scalars replace, `null` removes the key. Returns a new value; neither input is changed.
 */
export function deepMerge<T>(base: T, patch: unknown): T {
  if (!isPlainObject(base) || !isPlainObject(patch)) return structuredClone(patch) as T;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value === undefined) continue;
    else merged[key] = key in merged ? deepMerge(merged[key], value) : structuredClone(value);
  }
  return merged as T;
}

/** Whether a patch writes the value at `path`: sets it, or replaces one of its ancestors (arrays and scalars replace). */
export function patchSets(patch: unknown, path: readonly string[]): boolean {
  let node = patch;
  for (const key of path) {
    if (!isPlainObject(node)) return true;
    if (!(key in node) || node[key] === undefined) return false;
    node = node[key];
  }
  return true;
}
