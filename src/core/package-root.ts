import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/**
 * The swarm-cluster package folder, found by walking up from this module to the package.json named
 * swarm-cluster. The same walk works from the TypeScript sources (tests) and from the compiled dist/, so
 * templates under generators/ and schemas under ../shared are read in place, never copied into dist/.
 */
export function packageRoot(): string {
  if (cached) return cached;
  const start = path.dirname(fileURLToPath(import.meta.url));
  for (let dir = start; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "swarm-cluster") {
      cached = dir;
      return dir;
    }
    if (path.dirname(dir) === dir) throw new Error(`swarm-cluster: no swarm-cluster package.json above ${start}`);
  }
}

/**
 * The version in the package.json of a dependency installed in this package's own node_modules, which is
 * where Node's resolution from dist/ or from the sources finds it first; undefined when it is not there (a
 * dependency hoisted above, where the caller resolves it as before). For the keys of the caches a build
 * keeps: a `require` of the package.json, or a resolution through the package's exports, cost a small
 * build about a millisecond each, for four of them.
 */
export function installedVersion(name: string): string | undefined {
  try {
    return (JSON.parse(readFileSync(path.join(packageRoot(), "node_modules", name, "package.json"), "utf8")) as { version?: string })
      .version;
  } catch {
    return undefined;
  }
}
