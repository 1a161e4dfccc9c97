import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { compareStrings } from "../core/stable-json.js";
import type { SourceLocation } from "../core/source-location.js";
import { MESSAGES, type MessageArgs, type MessageCode } from "./messages.js";

/** What a problem can be pinned on: any construct of the tree, the Cluster root included. */
export interface Declared {
  readonly path: string;
  readonly location: SourceLocation | undefined;
}

/** Any construct as a Declared: ours record their location; a plain `Construct` has only its path. */
export function declaredOf(construct: IConstruct): Declared {
  const own = construct as Partial<Declared>;
  return typeof own.path === "string" ? { path: own.path, location: own.location } : { path: construct.node.path, location: undefined };
}

/** A Problem whose message and fix come from the catalogue, so every check words its findings the same way. */
export function problem<C extends MessageCode>(code: C, at: Declared, field: string, args: MessageArgs<C>): Problem {
  const entry = MESSAGES[code] as unknown as {
    message: (a: MessageArgs<C>) => string;
    hint: string | ((a: MessageArgs<C>) => string);
  };
  return {
    code,
    construct: at.path,
    field,
    message: entry.message(args),
    hint: typeof entry.hint === "function" ? entry.hint(args) : entry.hint,
    location: at.location,
  };
}

/**
 * Config order first (file, line, column), so the report reads top to bottom like the config; problems
 * without a location (constructs built outside a config, as in tests) after them, by construct path.
 */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(
    (a, b) =>
      compareLocations(a.location, b.location) ||
      compareStrings(a.construct, b.construct) ||
      compareStrings(a.field, b.field) ||
      compareStrings(a.code, b.code) ||
      compareStrings(a.message, b.message),
  );
}

function compareLocations(a: SourceLocation | undefined, b: SourceLocation | undefined): number {
  if (!a || !b) return a ? -1 : b ? 1 : 0;
  return compareStrings(a.file, b.file) || a.line - b.line || a.column - b.column;
}
