import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { compareStrings } from "../core/stable-json.js";
import type { SourceLocation } from "../core/source-location.js";
import { MESSAGES, type Entry, type MessageArgs, type MessageCode } from "./messages.js";

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

/** A Problem whose message and fix come from the core catalogue, so every check words its findings the same way. */
export function problem<C extends MessageCode>(code: C, at: Declared, field: string, args: MessageArgs<C>): Problem {
  return fromEntry(code, MESSAGES[code] as unknown as Entry<MessageArgs<C>>, at, field, args);
}

function fromEntry<A>(code: string, entry: Entry<A>, at: Declared, field: string, args: A): Problem {
  return {
    severity: entry.severity ?? "error",
    origin: "model",
    code,
    construct: at.path,
    field,
    message: entry.message(args),
    hint: typeof entry.hint === "function" ? entry.hint(args) : entry.hint,
    location: at.location,
  };
}

/** A family's own messages: the codes its constructs' checks report, each with how to fix it. */
export interface Catalogue<M extends Record<string, Entry<never>>> {
  readonly entries: M;
  problem<C extends keyof M & string>(code: C, at: Declared, field: string, args: M[C] extends Entry<infer A> ? A : never): Problem;
}

const catalogues: Record<string, Entry<never>>[] = [MESSAGES as unknown as Record<string, Entry<never>>];
/** Every code declared so far: each family's module declares its catalogue when the bundle loads. */
const declaredCodes = new Set(Object.keys(MESSAGES));

/**
 * Declares a family's messages (in `generators/<family>/messages.ts`) as part of the one catalogue: codes
 * are unique across families (a second declaration of a code throws when the family module loads), and
 * `catalogueCodes()` lists them all.
 */
export function defineMessages<M extends Record<string, Entry<never>>>(entries: M): Catalogue<M> {
  const codes = Object.keys(entries);
  const clash = codes.find((code) => declaredCodes.has(code));
  if (clash) throw new Error(`message code ${clash} is declared twice`);
  for (const code of codes) declaredCodes.add(code);
  catalogues.push(entries as unknown as Record<string, Entry<never>>);
  return {
    entries,
    problem: (code, at, field, args) => fromEntry(code, entries[code] as unknown as Entry<typeof args>, at, field, args),
  };
}

/** Every code of the catalogue: the core's and those of the families loaded. */
export function catalogueCodes(): string[] {
  return catalogues.flatMap((entries) => Object.keys(entries));
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
