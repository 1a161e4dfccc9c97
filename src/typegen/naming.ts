/**
 * Gives every schema definition an exported type name. Names must be stable across schema updates and
 * unique within a module, and read like the upstream project's own types where those are known.
 */
import { escapePointer, isObject, type Schema } from "./schema.js";
import type { ImportSpec } from "./specs.js";

/** One schema node that becomes a named, exported declaration. */
export interface Definition {
  /** JSON pointer, `#/definitions/a/definitions/b`; `#` for the root. */
  readonly pointer: string;
  readonly name: string;
  readonly schema: Schema;
}

function pascalCase(text: string): string {
  const name = text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
  return /^[0-9]/.test(name) ? `T${name}` : name || "Unnamed";
}

/** The root and every `definitions` entry at any depth, parents before children, in schema order. */
export function collectDefinitions(root: Schema, spec: ImportSpec): Definition[] {
  // `Record` is used by the generated code itself.
  const used = new Set<string>([spec.rootName, "Record"]);
  const definitions: Definition[] = [{ pointer: "#", name: spec.rootName, schema: root }];
  const visit = (schema: Schema, pointer: string, path: readonly string[]): void => {
    if (!isObject(schema) || !isObject(schema.definitions)) return;
    for (const [key, child] of Object.entries(schema.definitions)) {
      const childPath = [...path, key];
      const childPointer = `${pointer}/definitions/${escapePointer(key)}`;
      const name = nameFor(childPath, spec, used);
      if (used.has(name)) throw new Error(`${spec.schema}: the name ${name} is given twice`);
      used.add(name);
      definitions.push({ pointer: childPointer, name, schema: child as Schema });
      visit(child as Schema, childPointer, childPath);
    }
  };
  visit(root, "#", []);
  return definitions;
}

function nameFor(path: readonly string[], spec: ImportSpec, used: ReadonlySet<string>): string {
  const fixed = spec.names?.[path.join("/")];
  if (fixed) return fixed;
  // The leaf alone reads best (`Unit`, not `SystemdUnit`); the parent joins in only to break a tie.
  const prefix = spec.prefix ?? "";
  const leaf = `${prefix}${pascalCase(path[path.length - 1] ?? "")}`;
  if (!used.has(leaf)) return leaf;
  const qualified = `${prefix}${path.slice(-2).map(pascalCase).join("")}`;
  let name = qualified;
  for (let n = 2; used.has(name); n++) name = `${qualified}${n}`;
  return name;
}
