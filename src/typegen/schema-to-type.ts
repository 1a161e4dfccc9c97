/**
 * Converts one JSON schema node into the intermediate TypeScript type. Only field names, types and
 * descriptions are carried over; validation keywords (`format`, `minimum`, `uniqueItems`, ...) stay with
 * ajv and the real tools, which check the artifacts anyway.
 */
import { compatibleIndexes, indexKeyOf } from "./index-signatures.js";
import { hasObjectKeywords, isObject, resolvePointer, typesOf, type Schema, type SchemaObject } from "./schema.js";
import type { DefinitionShapes } from "./shapes.js";
import { atom, intersection, union, UNKNOWN, type TsObject, type TsProperty, type TsType } from "./ts-type.js";

export class SchemaConverter {
  /** `$ref`s being inlined right now, to stop on a cycle instead of recursing forever. */
  private readonly inlining = new Set<string>();

  constructor(
    private readonly root: Schema,
    private readonly shapes: DefinitionShapes,
  ) {}

  convert(schema: Schema): TsType {
    if (schema === true) return UNKNOWN;
    if (schema === false) return atom("never");
    if (typeof schema.$ref === "string") return this.reference(schema.$ref); // draft-04: siblings of $ref are ignored
    const parts: TsType[] = [this.ownType(schema)];
    for (const keyword of ["oneOf", "anyOf"] as const) {
      const alternatives = schema[keyword];
      if (Array.isArray(alternatives)) parts.push(union(alternatives.map((alternative) => this.convert(alternative as Schema))));
    }
    if (Array.isArray(schema.allOf)) parts.push(...schema.allOf.map((part) => this.convert(part as Schema)));
    return intersection(parts);
  }

  /** The type from `enum`/`const`/`type` and the object and array keywords, ignoring combinators. */
  private ownType(schema: SchemaObject): TsType {
    const values = "const" in schema ? [schema.const] : Array.isArray(schema.enum) ? schema.enum : undefined;
    if (values) return union(values.map(literalType));
    const types = typesOf(schema);
    if (types === undefined) {
      if (hasObjectKeywords(schema)) return this.objectType(schema);
      if ("items" in schema) return this.arrayType(schema);
      return UNKNOWN;
    }
    return union(
      types.map((type) => {
        switch (type) {
          case "string":
          case "boolean":
          case "null":
            return atom(type);
          case "integer":
          case "number":
            return atom("number");
          case "object":
            return this.objectType(schema);
          case "array":
            return this.arrayType(schema);
          default:
            return UNKNOWN;
        }
      }),
    );
  }

  private reference(pointer: string): TsType {
    const definition = this.shapes.definitionAt(pointer);
    if (definition) {
      const name = atom(definition.name);
      return this.shapes.shapeOf(definition) === "nullable-interface" ? union([name, atom("null")]) : name;
    }
    // A pointer into some other part of the schema: inline it (there is no name to give it).
    if (this.inlining.has(pointer)) throw new Error(`$ref cycle through ${pointer} outside definitions`);
    this.inlining.add(pointer);
    try {
      return this.convert(resolvePointer(this.root, pointer));
    } finally {
      this.inlining.delete(pointer);
    }
  }

  private arrayType(schema: SchemaObject): TsType {
    const items = schema.items;
    if (!Array.isArray(items)) return { kind: "array", element: items === undefined ? UNKNOWN : this.convert(items as Schema) };
    // Tuple form: entries are only required up to minItems; later ones follow additionalItems.
    const additional = schema.additionalItems;
    const minItems = typeof schema.minItems === "number" ? schema.minItems : 0;
    return {
      kind: "tuple",
      elements: items.map((item) => this.convert(item as Schema)),
      required: Math.min(minItems, items.length),
      ...(additional === false
        ? {}
        : { rest: additional === undefined || additional === true ? UNKNOWN : this.convert(additional as Schema) }),
    };
  }

  objectType(schema: SchemaObject): TsObject {
    const required = new Set(Array.isArray(schema.required) ? (schema.required as string[]) : []);
    const declared = isObject(schema.properties) ? schema.properties : {};
    const properties: TsProperty[] = Object.entries(declared).map(([name, property]) => ({
      name,
      type: this.convert(property as Schema),
      optional: !required.has(name),
      description: isObject(property) && typeof property.description === "string" ? property.description : undefined,
    }));
    for (const name of required) {
      if (!(name in declared)) properties.push({ name, type: UNKNOWN, optional: false });
    }

    const byKey = new Map<string, TsType[]>();
    const addIndex = (key: string, value: TsType): void => void byKey.set(key, [...(byKey.get(key) ?? []), value]);
    const patterns = isObject(schema.patternProperties) ? Object.entries(schema.patternProperties) : [];
    for (const [pattern, value] of patterns) addIndex(indexKeyOf(pattern), this.convert(value as Schema));
    const additional = schema.additionalProperties;
    if (additional !== undefined && additional !== false) addIndex("string", this.convert(additional as Schema));
    // With no additionalProperties keyword the schema allows any other key; we still close objects that
    // declare their fields, because the consumers (Ignition's Go structs, docker's loader) reject or
    // drop unknown keys and a closed type turns a misspelt field into a compile error.
    else if (additional === undefined && properties.length === 0 && patterns.length === 0) addIndex("string", UNKNOWN);

    const indexes = [...byKey].map(([key, values]) => ({ key, value: union(values) }));
    return { kind: "object", properties, indexes: compatibleIndexes(indexes, properties) };
  }
}

function literalType(value: unknown): TsType {
  if (value === null || ["string", "number", "boolean"].includes(typeof value)) return atom(JSON.stringify(value));
  return UNKNOWN;
}
