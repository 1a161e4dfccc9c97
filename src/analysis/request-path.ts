import type { Service } from "../model/stack.js";

/**
 * The roles a family's construct plays on the public request path (DNS → front → app → SQL proxy →
 * database). Families declare them as plain properties, and the failure simulation finds them by these
 * markers, so it depends on no family's module.
 */

/** The public entry: DNS points at the nodes running `front`, which passes requests to `app` (php-fpm). */
export interface PublicEntry {
  readonly publicEntry: { readonly front: Service; readonly app: Service };
}

/** A SQL proxy: the application reaches `proxy` on a shared overlay, and it passes queries to `database`. */
export interface SqlProxyStage {
  readonly sqlProxyStage: { readonly proxy: Service; readonly database: object };
}

/** Data copied whole onto the node of each of these services (Galera members): it survives while one does. */
export interface ReplicatedData {
  readonly dataCopies: readonly Service[];
}

export function isPublicEntry<T>(value: T): value is T & PublicEntry {
  const entry = (value as Partial<PublicEntry> | undefined)?.publicEntry;
  return typeof entry === "object" && entry !== null && entry.front !== undefined && entry.app !== undefined;
}

export function isSqlProxyStage<T>(value: T): value is T & SqlProxyStage {
  const stage = (value as Partial<SqlProxyStage> | undefined)?.sqlProxyStage;
  return typeof stage === "object" && stage !== null && stage.proxy !== undefined && stage.database !== undefined;
}

export function isReplicatedData<T>(value: T): value is T & ReplicatedData {
  return Array.isArray((value as Partial<ReplicatedData> | undefined)?.dataCopies);
}
