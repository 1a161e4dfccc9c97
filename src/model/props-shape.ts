import { distance } from "fastest-levenshtein";

/**
 * The keys of a construct's props, declared once beside its props interface and kept in step with it by
 * tsc: `propsShape<NodeProps>()({ tier: "required", publicIp: "optional", … })` fails to compile when a key
 * of the interface is missing from the shape, when the shape names a key the interface lacks, or when a key
 * is marked required or optional against the interface. At run time the config is plain JavaScript (esbuild
 * strips its types, nothing type-checks it at build time), so the shape is what tells a misspelt prop
 * (`publicIP`, silently ignored) or a prop of the wrong kind (`ports: "80"`) from a good one.
 */
export type PropsShape<T> = { readonly [K in keyof T]-?: Rule<NonNullable<T[K]>, PresenceOf<T, K>> };

export type Presence = "required" | "optional";

// biome-ignore lint/complexity/noBannedTypes: `{}` assignable to Pick<T, K> is how TypeScript tells an optional key.
type PresenceOf<T, K extends keyof T> = {} extends Pick<T, K> ? "optional" : "required";

/** A prop holding an object whose own keys are checked too (a placement, a healthcheck). */
export interface NestedRule<V, P extends Presence = Presence> {
  readonly presence: P;
  readonly fields: PropsShape<V>;
}

/** A prop holding a list of objects, each checked against the same keys (ports, config mounts). */
export interface EachRule<E, P extends Presence = Presence> {
  readonly presence: P;
  readonly each: PropsShape<E>;
}

/**
 * What a prop may hold: anything (`"required"`, `"optional"`), a list (`"… list"`) or an object (`"… object"`)
 * not looked into, or an object or list of objects whose keys are checked (`{ presence, fields }`, `{ presence, each }`).
 * A list rule is offered only for array types and an object rule only for object types, so the shape cannot
 * promise a kind the interface does not have.
 */
export type Rule<V, P extends Presence> =
  | P
  | ([V] extends [readonly (infer E)[]] ? `${P} list` | EachRule<E, P> : never)
  | ([V] extends [readonly unknown[]] ? never : [V] extends [object] ? `${P} object` | NestedRule<V, P> : never);

/** Declares the props shape of T; the second call takes the shape, so T is given and the shape is checked against it. */
export function propsShape<T>(): (fields: PropsShape<T>) => PropsShape<T> {
  return (fields) => fields;
}

/** What is wrong with the props as given; `field` is the path in the props, e.g. `placement.tiers` or `ports[0]`. */
export type PropsFault =
  | {
      readonly kind: "unknown";
      readonly field: string;
      readonly key: string;
      readonly parent: string;
      readonly suggestion: string | undefined;
      readonly known: readonly string[];
    }
  | { readonly kind: "not-an-object"; readonly field: string; readonly value: string }
  | { readonly kind: "not-a-list"; readonly field: string; readonly value: string }
  | { readonly kind: "required"; readonly field: string }
  | { readonly kind: "missing-item"; readonly field: string; readonly value: string };

export interface InspectedProps<T> {
  /**
   * The props the constructor may read: the object given, or, when something had the wrong kind, a copy
   * without it (a `ports: "80"` is then absent rather than iterated character by character); `{}` when the
   * props are not an object at all. Required props may still be missing: read them only where a missing
   * one cannot throw.
   */
  readonly accepted: T;
  readonly faults: readonly PropsFault[];
}

type AnyRule =
  | Presence
  | `${Presence} ${"list" | "object"}`
  | { readonly presence: Presence; readonly fields?: AnyFields; readonly each?: AnyFields };
type AnyFields = Readonly<Record<string, AnyRule>>;

export function inspectProps<T>(props: T, fields: PropsShape<T>): InspectedProps<T> {
  const faults: PropsFault[] = [];
  if (!isObject(props)) {
    faults.push({ kind: "not-an-object", field: "", value: describeValue(props) });
    return { accepted: {} as T, faults };
  }
  return { accepted: inspectObject(props, fields as unknown as AnyFields, "", faults) as T, faults };
}

function inspectObject(value: object, fields: AnyFields, path: string, faults: PropsFault[]): object {
  const known = Object.keys(fields);
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!Object.hasOwn(fields, key)) {
      faults.push({ kind: "unknown", field: join(path, key), key, parent: path, suggestion: closestKey(key, known), known });
    }
  }
  let copy: Record<string, unknown> | undefined;
  const replace = (key: string, next: unknown): void => {
    copy ??= { ...record };
    if (next === undefined) delete copy[key];
    else copy[key] = next;
  };
  for (const key of known) {
    const rule = fields[key] as AnyRule;
    const presence = typeof rule === "string" ? (rule.split(" ")[0] as Presence) : rule.presence;
    const field = join(path, key);
    const current = record[key];
    if (current === undefined || current === null) {
      if (presence === "required") faults.push({ kind: "required", field });
      continue;
    }
    const next = inspectValue(current, rule, field, faults);
    if (next !== current) replace(key, next);
  }
  return copy ?? value;
}

/** The value as the constructor may read it: itself, a copy with faulty parts left out, or undefined. */
function inspectValue(value: unknown, rule: AnyRule, field: string, faults: PropsFault[]): unknown {
  const wantsList = typeof rule === "string" ? rule.endsWith(" list") : rule.each !== undefined;
  const wantsObject = typeof rule === "string" ? rule.endsWith(" object") : rule.fields !== undefined;
  if (wantsList && !Array.isArray(value)) {
    faults.push({ kind: "not-a-list", field, value: describeValue(value) });
    return undefined;
  }
  if (wantsObject && !isObject(value)) {
    faults.push({ kind: "not-an-object", field, value: describeValue(value) });
    return undefined;
  }
  if (typeof rule !== "string" && rule.fields) return inspectObject(value as object, rule.fields, field, faults);
  if (!wantsList) return value;
  const each = typeof rule === "string" ? undefined : rule.each;
  const items = value as readonly unknown[];
  // An item left out stays out of what the constructor reads: a later item's path then names its new index
  // in other messages, a small price for never reading an undefined.
  const checked = items.flatMap((item, index) => {
    const at = `${field}[${index}]`;
    if (item === undefined || item === null) {
      faults.push({ kind: "missing-item", field: at, value: describeValue(item) });
      return [];
    }
    if (!each) return [item];
    if (!isObject(item)) {
      faults.push({ kind: "not-an-object", field: at, value: describeValue(item) });
      return [];
    }
    return [inspectObject(item, each, at, faults)];
  });
  return checked.length === items.length && checked.every((item, index) => item === items[index]) ? value : checked;
}

/** The values that are there: what a construct passes on when some of its props may be missing (reported apart). */
export function present<T>(values: readonly (T | undefined | null)[]): T[] {
  return values.filter((value): value is T => value !== undefined && value !== null);
}

/**
 * The known key the user most likely meant: the same but for case, else the nearest by edit distance when
 * it is near enough to be a typo (one edit in a short key, up to three in a long one).
 */
export function closestKey(key: string, known: readonly string[]): string | undefined {
  const lower = key.toLowerCase();
  const sameButCase = known.find((candidate) => candidate.toLowerCase() === lower);
  if (sameButCase) return sameButCase;
  const allowed = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  let best: { key: string; distance: number } | undefined;
  for (const candidate of known) {
    const edits = distance(lower, candidate.toLowerCase());
    if (edits <= allowed && (!best || edits < best.distance)) best = { key: candidate, distance: edits };
  }
  return best?.key;
}

function isObject(value: unknown): value is object {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** A value for a message: primitives as written, anything else by its kind (a construct by its path), never a dump. */
function describeValue(value: unknown): string {
  if (value === undefined) return "undefined";
  if (value === null) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "bigint") return String(value);
  if (typeof value === "function") return "a function";
  if (Array.isArray(value)) return "a list";
  const path = (value as { node?: { path?: unknown } }).node?.path;
  return typeof path === "string" ? `the construct ${path || "cluster"}` : "an object";
}
