import path from "node:path";
import { packageRoot } from "./package-root.js";

/**
 * Where builds keep what they may reuse between runs (the config's bundle, the topology drawing): the
 * package's node_modules/.cache/swarm-cluster, as other tools keep theirs, never out/ or the repository;
 * SWARM_CLUSTER_CACHE_DIR moves it (tests give each run an empty one). Everything kept there is checked
 * against what it was made from before it is used, so a stale or missing cache only costs the work again.
 */
export function cacheDir(kind: string): string {
  return path.join(process.env.SWARM_CLUSTER_CACHE_DIR ?? path.join(packageRoot(), "node_modules", ".cache", "swarm-cluster"), kind);
}
