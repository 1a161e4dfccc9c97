import type { Cluster } from "../../model/cluster.js";
import type { Service } from "../../model/stack.js";
import type { ModelDocument, ServiceSpec } from "../model-document.js";

/** What every semantic check reads: the tree (identities, derived values) and its plain JSON view. */
export interface CheckContext {
  readonly cluster: Cluster;
  readonly document: ModelDocument;
}

export interface ServiceEntry {
  readonly service: Service;
  readonly spec: ServiceSpec;
}

/** Each service with its document entry (both in declaration order, see toModelDocument). */
export function serviceEntries({ cluster, document }: CheckContext): ServiceEntry[] {
  return cluster.stacks.flatMap((stack, i) =>
    stack.services.flatMap((service, j) => {
      const spec = document.stacks[i]?.services[j];
      return spec ? [{ service, spec }] : [];
    }),
  );
}

/** Every item whose key an earlier item already has, paired with that earlier item. */
export function repeats<T>(items: readonly T[], key: (item: T) => unknown): { item: T; first: T; value: string }[] {
  const seen = new Map<string, T>();
  const found: { item: T; first: T; value: string }[] = [];
  for (const item of items) {
    const value = key(item);
    if (typeof value !== "string" || value === "") continue;
    const first = seen.get(value);
    if (first === undefined) seen.set(value, item);
    else found.push({ item, first, value });
  }
  return found;
}
