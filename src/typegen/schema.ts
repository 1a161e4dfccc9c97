/**
 * The draft-04 JSON Schema as the converter sees it: an untyped tree read with a few guards, plus the
 * keyword groups that decide how a node is read. Shared by naming, shapes and conversion.
 */

export type Schema = boolean | SchemaObject;
export interface SchemaObject {
  readonly [keyword: string]: unknown;
}

export const isObject = (value: unknown): value is SchemaObject => typeof value === "object" && value !== null && !Array.isArray(value);

export const COMBINATORS = ["oneOf", "anyOf", "allOf", "enum", "const", "$ref", "not"];
/** Keywords that don't constrain values. */
export const ANNOTATIONS = ["definitions", "description", "title", "id", "$id", "$schema", "$comment", "default", "examples"];

/** Keywords that make a schema without `type` describe an object (`required` alone does not). */
export const hasObjectKeywords = (schema: SchemaObject): boolean =>
  ["properties", "patternProperties", "additionalProperties"].some((keyword) => keyword in schema);

export function typesOf(schema: SchemaObject): string[] | undefined {
  if (typeof schema.type === "string") return [schema.type];
  return Array.isArray(schema.type) ? (schema.type as string[]) : undefined;
}

export const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item) => b.includes(item));

export const escapePointer = (key: string): string => key.replace(/~/g, "~0").replace(/\//g, "~1");

export function resolvePointer(root: Schema, pointer: string): Schema {
  if (!pointer.startsWith("#")) throw new Error(`only local $ref is supported, got ${pointer}`);
  let node: unknown = root;
  for (const raw of pointer.slice(1).split("/").slice(1)) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    node = isObject(node) || Array.isArray(node) ? (node as Record<string, unknown>)[key] : undefined;
    if (node === undefined) throw new Error(`$ref ${pointer} points at nothing`);
  }
  return node as Schema;
}
