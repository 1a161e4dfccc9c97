/**
 * Items by key, keys in the order first seen, each group in the items' order (Map.groupBy, which Node 20
 * lacks); an item whose key is undefined is left out.
 */
export function groupBy<T, K>(items: readonly T[], key: (item: T) => K | undefined): Map<K, T[]> {
  const groups = new Map<K, T[]>();
  for (const item of items) {
    const name = key(item);
    if (name === undefined) continue;
    const group = groups.get(name);
    if (group) group.push(item);
    else groups.set(name, [item]);
  }
  return groups;
}
