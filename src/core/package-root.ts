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

const versions = new Map<string, string | undefined>();

/**
 * The version of an installed dependency, from its package.json, found as Node's resolution finds the
 * package from this package's files: in node_modules/<name> of the package folder, then of each folder above
 * it (a dependency hoisted by the install), skipping folders that are themselves node_modules; undefined when
 * none holds it. Read once per name. For the keys of the caches a build keeps (yaml, fflate, esbuild,
 * Graphviz): a `require` of the package.json, or a resolution through the package's exports (which may hide
 * the file), cost a small build about a millisecond each.
 */
export function installedVersion(name: string): string | undefined {
  if (!versions.has(name)) versions.set(name, installedVersionFrom(packageRoot(), name));
  return versions.get(name);
}

/** {@link installedVersion}'s walk, from a package folder `start` (not read once). */
export function installedVersionFrom(start: string, name: string): string | undefined {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (path.basename(dir) !== "node_modules") {
      const manifest = path.join(dir, "node_modules", name, "package.json");
      if (existsSync(manifest)) return (JSON.parse(readFileSync(manifest, "utf8")) as { version?: string }).version;
    }
    if (path.dirname(dir) === dir) return undefined;
  }
}
