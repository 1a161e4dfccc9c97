/**
 * Decides how each named definition is declared: as an interface, or as a type alias. Interfaces give
 * better error messages and `extends`, so objects get one whenever the schema's form allows it.
 */
import type { Definition } from "./naming.js";
import { ANNOTATIONS, COMBINATORS, hasObjectKeywords, isObject, sameSet, typesOf, type Schema, type SchemaObject } from "./schema.js";

export type DefinitionShape = "interface" | "nullable-interface" | "alias";

/** An `allOf` read as `interface X extends A, B { own }`. */
export interface ExtendsParts {
  readonly bases: Definition[];
  readonly own: SchemaObject;
}

export class DefinitionShapes {
  private readonly byPointer = new Map<string, Definition>();
  private readonly shapes = new Map<Definition, DefinitionShape>();

  constructor(readonly definitions: readonly Definition[]) {
    for (const definition of definitions) this.byPointer.set(definition.pointer, definition);
  }

  /** The named definition a `$ref` points at, if it points at one. */
  definitionAt(pointer: string): Definition | undefined {
    return this.byPointer.get(pointer);
  }

  /**
   * Objects become interfaces; an `["object", "null"]` definition becomes an interface for the object
   * and its references add `| null`, so callers can build one without narrowing away `null` first.
   */
  shapeOf(definition: Definition): DefinitionShape {
    const known = this.shapes.get(definition);
    if (known) return known;
    this.shapes.set(definition, "alias"); // provisional, so that an allOf cycle ends here
    const shape = this.decideShape(definition.schema);
    this.shapes.set(definition, shape);
    return shape;
  }

  private decideShape(schema: Schema): DefinitionShape {
    if (!isObject(schema)) return "alias";
    if (COMBINATORS.some((keyword) => keyword in schema)) return this.extendsParts(schema) ? "interface" : "alias";
    const types = typesOf(schema);
    if (types === undefined ? hasObjectKeywords(schema) : sameSet(types, ["object"])) return "interface";
    if (types && sameSet(types, ["object", "null"])) return "nullable-interface";
    return "alias";
  }

  /**
   * An `allOf` of interface references plus at most one inline object reads best as
   * `interface X extends A { ... }`; null when the schema has any other form.
   */
  extendsParts(schema: Schema): ExtendsParts | null {
    if (!isObject(schema) || !Array.isArray(schema.allOf)) return null;
    const others = Object.keys(schema).filter((key) => key !== "allOf" && !ANNOTATIONS.includes(key));
    if (others.some((key) => !(key === "type" && schema.type === "object"))) return null;
    const bases: Definition[] = [];
    const own: SchemaObject[] = [];
    for (const part of schema.allOf as Schema[]) {
      if (!isObject(part)) return null;
      const base = typeof part.$ref === "string" ? this.byPointer.get(part.$ref) : undefined;
      if (base && Object.keys(part).length === 1 && this.shapeOf(base) === "interface") bases.push(base);
      else if (!COMBINATORS.some((keyword) => keyword in part) && typesOf(part)?.every((type) => type === "object") !== false)
        own.push(part);
      else return null;
    }
    return bases.length > 0 && own.length <= 1 ? { bases, own: own[0] ?? { type: "object", additionalProperties: false } } : null;
  }
}
