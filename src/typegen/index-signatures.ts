/**
 * Turns `patternProperties` and `additionalProperties` into index signatures. TypeScript can only express
 * literal-prefix patterns, and its rules for how properties and index signatures fit together are
 * stricter than JSON Schema's, so this is where the two are reconciled.
 */
import { isUnknown, union, UNKNOWN, type TsIndex, type TsProperty } from "./ts-type.js";

/** `^x-` (a literal prefix) becomes `` `x-${string}` ``; any other pattern can only be `string`. */
export function indexKeyOf(pattern: string): string {
  const prefix = /^\^([A-Za-z0-9_-]+)$/.exec(pattern)?.[1];
  return prefix ? `\`${prefix}\${string}\`` : "string";
}

function indexMatches(key: string, name: string): boolean {
  if (key === "string") return true;
  return name.startsWith(key.slice(1, -"${string}`".length));
}

/**
 * TypeScript needs every property to fit each index signature its name matches, while JSON Schema
 * applies patternProperties on top of properties. Where they would clash, the index type widens.
 */
export function compatibleIndexes(indexes: readonly TsIndex[], properties: readonly TsProperty[]): TsIndex[] {
  const stringIndex = indexes.find((index) => index.key === "string");
  // A template index must also fit the string index; folding it in keeps the rule simple.
  const merged = stringIndex ? [{ key: "string", value: union(indexes.map((index) => index.value)) }] : [...indexes];
  return merged.map((index) =>
    isUnknown(index.value) || !properties.some((property) => indexMatches(index.key, property.name))
      ? index
      : { key: index.key, value: UNKNOWN },
  );
}
