import type { Cluster } from "../model/cluster.js";

/**
 * Typed entry point of cluster.config.ts: `export default defineCluster(() => { … return cluster; })`.
 * It returns its argument; it exists so the editor checks the config's shape, as Vite's defineConfig does.
 */
export function defineCluster(build: () => Cluster): () => Cluster {
  return build;
}
