/**
 * The intermediate TypeScript type model between schema and text. Conversion builds it, the writer prints
 * it; keeping it as data lets unions be deduplicated and `unknown`/`never` absorbed before anything is printed.
 */

export type TsType =
  | { readonly kind: "atom"; readonly text: string }
  | { readonly kind: "array"; readonly element: TsType }
  | { readonly kind: "tuple"; readonly elements: readonly TsType[]; readonly required: number; readonly rest?: TsType }
  | { readonly kind: "union"; readonly members: readonly TsType[] }
  | { readonly kind: "intersection"; readonly members: readonly TsType[] }
  | { readonly kind: "object"; readonly properties: readonly TsProperty[]; readonly indexes: readonly TsIndex[] };

export type TsObject = Extract<TsType, { kind: "object" }>;

export interface TsProperty {
  readonly name: string;
  readonly type: TsType;
  readonly optional: boolean;
  readonly description?: string | undefined;
}

export interface TsIndex {
  /** `string`, or a template literal type such as `` `x-${string}` ``. */
  readonly key: string;
  readonly value: TsType;
}

export const atom = (text: string): TsType => ({ kind: "atom", text });
export const UNKNOWN = atom("unknown");
export const isUnknown = (type: TsType): boolean => type.kind === "atom" && type.text === "unknown";

export function union(types: readonly TsType[]): TsType {
  const members = new Map<string, TsType>();
  for (const type of types) {
    for (const member of type.kind === "union" ? type.members : [type]) members.set(JSON.stringify(member), member);
  }
  const list = [...members.values()];
  if (list.some(isUnknown)) return UNKNOWN;
  const never = list.filter((member) => !(member.kind === "atom" && member.text === "never"));
  if (never.length === 0) return atom("never");
  return never.length === 1 ? (never[0] as TsType) : { kind: "union", members: never };
}

export function intersection(types: readonly TsType[]): TsType {
  const members = types.filter((type) => !isUnknown(type));
  if (members.length === 0) return UNKNOWN;
  return members.length === 1 ? (members[0] as TsType) : { kind: "intersection", members };
}
