/**
 * Precompiles a JSON schema into ajv's standalone validator, so that the build checks its output against
 * the official schemas without compiling them at every run (ajv's compile of the stack schema costs far
 * more than a build's whole check).
 */
import type { Ajv } from "ajv";
import AjvDraft04 from "ajv-draft-04";
import standaloneCode from "ajv/dist/standalone/index.js";
import { transformSync } from "esbuild";
import { isObject, resolvePointer, type SchemaObject } from "./schema.js";
import type { ValidatorSpec } from "./specs.js";

/**
 * ajv's standalone code for a compiled schema as a TypeScript module (unchecked: `@ts-nocheck`). esbuild lays
 * the one-line output out, one statement a line, so a schema change reads as a diff.
 */
export function standaloneModule(ajv: Ajv, schema: object, header: readonly string[]): string {
  const code = standaloneCode.default(ajv, ajv.compile(schema));
  const laidOut = transformSync(code, { format: "esm", target: "es2022", legalComments: "none" }).code;
  return [...header, "// @ts-nocheck", ...withRequire(laidOut)].join("\n");
}

/**
 * ajv writes its runtime helpers (`equal` for uniqueItems, `ucs2length` for minLength) as `require()` calls
 * even in ES module output, and an ES module has no `require`: give the module one. (An `import` would not
 * do: Node and bundlers disagree on what a CommonJS module's default import is.)
 */
function withRequire(code: string): string[] {
  return /\brequire\(/.test(code)
    ? ['import { createRequire } from "node:module";', "const require = createRequire(import.meta.url);", code]
    : [code];
}

/** The validator of one official (draft-04) schema, with the spec's formats and the consumer's extra rules. */
export function generateValidator(schema: unknown, spec: ValidatorSpec, header: readonly string[]): string {
  // Every error rather than the first; union types and `uniqueItems` beside a `oneOf` of types are how the
  // upstream schemas are written, so ajv's strict checks of the schema's own style are off.
  const ajv = new AjvDraft04.default({ allErrors: true, allowUnionTypes: true, strictTypes: false, code: { source: true, esm: true } });
  for (const [name, format] of Object.entries(spec.formats ?? {})) ajv.addFormat(name, format);
  return standaloneModule(ajv, withRules(schema, spec.rules ?? {}), header);
}

/** A copy of the schema with each rule's keywords added to the node its JSON pointer names. */
function withRules(schema: unknown, rules: Readonly<Record<string, Readonly<Record<string, unknown>>>>): object {
  const copy = structuredClone(schema) as SchemaObject;
  for (const [pointer, keywords] of Object.entries(rules)) {
    const node = resolvePointer(copy, pointer);
    if (!isObject(node)) throw new Error(`validator rule ${pointer} does not point at a schema object`);
    Object.assign(node, keywords);
  }
  return copy;
}
