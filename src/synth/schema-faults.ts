/**
 * Turns ajv's errors on a generated file into faults a person reads: the path inside the file and what is
 * wrong with the value there, worded here from the error's keyword and parameters (never ajv's own text).
 */
import type { ErrorObject } from "ajv";

/** One thing wrong in a file: where (keys from the file's root) and what, as a phrase after the path. */
export interface SchemaFault {
  readonly path: readonly string[];
  readonly text: string;
}

/** Words for the values a `format` or `pattern` stands for; the schemas' own names are not self-explanatory. */
export interface SchemaWords {
  readonly formats?: Readonly<Record<string, string>>;
  readonly patterns?: Readonly<Record<string, string>>;
}

export function schemaFaults(errors: readonly ErrorObject[], document: unknown, words: SchemaWords = {}): SchemaFault[] {
  return withoutWrongBranches(errors).map((error) => fault(error, document, words));
}

/** `services.php.deploy.replicas`, `volumes[0]`, `labels["com.example.team"]`. */
export function pathText(path: readonly string[]): string {
  return path
    .map((key, i) =>
      /^\d+$/.test(key) ? `[${key}]` : /^[A-Za-z0-9_-]+$/.test(key) ? `${i > 0 ? "." : ""}${key}` : `[${JSON.stringify(key)}]`,
    )
    .join("");
}

/**
 * A failed `oneOf`/`anyOf` comes after the errors of each of its branches. A branch whose type the value
 * does not have says nothing useful ("must be object" for a string); what the other branches found is the
 * fault (`""` as a volume: too short for the string form). When every branch failed on type alone, the
 * combinator's own error remains, worded with the types it would take.
 */
function withoutWrongBranches(errors: readonly ErrorObject[]): ErrorObject[] {
  const kept: ErrorObject[] = [];
  for (const error of errors) {
    if (error.keyword !== "oneOf" && error.keyword !== "anyOf") {
      kept.push(error);
      continue;
    }
    const inside = (other: ErrorObject): boolean =>
      other.instancePath === error.instancePath || other.instancePath.startsWith(`${error.instancePath}/`);
    const branches: ErrorObject[] = [];
    while (kept.length > 0 && inside(kept[kept.length - 1] as ErrorObject)) branches.unshift(kept.pop() as ErrorObject);
    const wrongType = (other: ErrorObject): boolean => other.keyword === "type" && other.instancePath === error.instancePath;
    const telling = branches.filter((other) => !wrongType(other));
    const types = branches.filter(wrongType).map((other) => String((other.params as { type?: unknown }).type));
    kept.push(...(telling.length > 0 ? telling : [{ ...error, params: { ...error.params, types } }]));
  }
  return kept;
}

function fault(error: ErrorObject, document: unknown, words: SchemaWords): SchemaFault {
  const path = error.instancePath
    .split("/")
    .slice(1)
    .map((key) => key.replace(/~1/g, "/").replace(/~0/g, "~"));
  const params = error.params as Record<string, unknown>;
  const value = show(valueAt(document, path));
  switch (error.keyword) {
    case "required":
      return { path: [...path, String(params.missingProperty)], text: "is required but missing" };
    case "additionalProperties":
      return { path: [...path, String(params.additionalProperty)], text: "is not a field the schema allows here" };
    case "type":
      return { path, text: `is ${value}, not ${typeWords(String(params.type))}` };
    case "minimum":
    case "maximum":
    case "exclusiveMinimum":
    case "exclusiveMaximum":
      return { path, text: `is ${value}; it must be ${String(params.comparison)} ${String(params.limit)}` };
    case "minLength":
      return { path, text: Number(params.limit) === 1 ? "is empty" : `is ${value}, shorter than ${String(params.limit)} characters` };
    case "maxLength":
      return { path, text: `is ${value}, longer than ${String(params.limit)} characters` };
    case "format": {
      const format = String(params.format);
      return { path, text: `is ${value}, not ${words.formats?.[format] ?? `in the "${format}" format`}` };
    }
    case "pattern": {
      const pattern = String(params.pattern);
      return { path, text: `is ${value}, not ${words.patterns?.[pattern] ?? `a value matching ${pattern}`}` };
    }
    case "enum":
      return { path, text: `is ${value}, not one of ${((params.allowedValues as unknown[] | undefined) ?? []).map(show).join(", ")}` };
    case "const":
      return { path, text: `is ${value}, not ${show(params.allowedValue)}` };
    case "uniqueItems":
      return { path, text: `lists the same entry twice (entries ${String(params.j)} and ${String(params.i)})` };
    case "minItems":
      return { path, text: `has fewer than ${String(params.limit)} entries` };
    case "oneOf":
    case "anyOf": {
      const types = (params.types as string[] | undefined) ?? [];
      return {
        path,
        text: `is ${value}, which fits none of the forms allowed here${types.length > 0 ? ` (${types.map(typeWords).join(", or ")})` : ""}`,
      };
    }
    default:
      return { path, text: `is ${value}, which breaks the schema's "${error.keyword}" rule` };
  }
}

function valueAt(document: unknown, path: readonly string[]): unknown {
  let node = document;
  for (const key of path) node = typeof node === "object" && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}

const TYPE_WORDS: Readonly<Record<string, string>> = {
  integer: "a whole number",
  number: "a number",
  string: "a string",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
  null: "null",
};

function typeWords(types: string): string {
  return types
    .split(",")
    .map((type) => TYPE_WORDS[type] ?? type)
    .join(" or ");
}

function show(value: unknown): string {
  if (value === undefined) return "missing";
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
