import type { IConstruct } from "constructs";

/**
 * Once a tree is locked (synthesis locks it before validating) nothing can be added to it, so the
 * constructs of each type are listed once, not on every `cluster.nodes`: at 1,000 nodes the generators ask
 * thousands of times, and each walk of the whole tree made a build quadratic in the node count.
 */
const byRoot = new WeakMap<IConstruct, Map<abstract new (...args: never[]) => IConstruct, IConstruct[]>>();

/** Every construct of a type under `root`, root included, in declaration order; a new array each call. */
export function constructsOfType<T extends IConstruct>(root: IConstruct, type: abstract new (...args: never[]) => T): T[] {
  if (!root.node.locked) return root.node.findAll().filter((c): c is T => c instanceof type);
  let byType = byRoot.get(root);
  if (!byType) {
    byType = new Map();
    byRoot.set(root, byType);
  }
  let found = byType.get(type);
  if (!found) {
    found = root.node.findAll().filter((c): c is T => c instanceof type);
    byType.set(type, found);
  }
  return [...(found as T[])];
}
