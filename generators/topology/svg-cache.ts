import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheDir as cacheRoot } from "../../src/core/cache-dir.js";
import { installedVersion } from "../../src/core/package-root.js";

/**
 * Drawings of earlier builds, kept by what was drawn. Graphviz in WebAssembly is the largest single cost of
 * a small build (loading and compiling it, then its first, unoptimized run: about 0.15 s of CPU for the
 * reference cluster), while the topology it draws changes only when nodes or tiers do. Graphviz gives the
 * same bytes for the same dot text, so an SVG found under the key of the dot text and the Graphviz
 * version is the one it would draw: a hit changes no output. The cache lives outside out/ and the
 * repository (src/core/cache-dir.ts); anything wrong with it (missing, unwritable, a half-written entry
 * never renamed into place) only means drawing again.
 */
const cacheDir = (): string => cacheRoot("topology-svg");

/** Entries kept: a few topologies a user switches between; older ones are removed when a new one is drawn. */
const KEEP_ENTRIES = 16;

/** The installed @viz-js/viz's version, from its package.json (its exports hide the file from a require). */
function graphvizVersion(): string {
  return installedVersion("@viz-js/viz") ?? "unknown";
}

/** True once any drawing is cached here (the topology preload is then skipped). */
export function drawnBefore(): boolean {
  try {
    return readdirSync(cacheDir()).some((name) => name.endsWith(".svg"));
  } catch {
    return false;
  }
}

/** The cached SVG of `dot`, else `draw()`'s, which is then kept for the next build. */
export async function keepDrawing(dot: string, draw: () => Promise<string>): Promise<string> {
  let file: string | undefined;
  try {
    const key = createHash("sha256")
      .update(JSON.stringify(["dot", "svg", graphvizVersion(), dot]))
      .digest("hex");
    file = path.join(cacheDir(), `${key}.svg`);
    return readFileSync(file, "utf8");
  } catch {
    // Not cached (or the cache cannot be read): draw.
  }
  const svg = await draw();
  if (file) keep(file, svg);
  return svg;
}

/** Writes the entry under a temporary name and renames it, so a reader never sees half of it; errors are ignored. */
function keep(file: string, svg: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, svg);
    renameSync(temporary, file);
    prune(path.dirname(file));
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The folder itself is unusable: nothing was written.
    }
  }
}

function prune(folder: string): void {
  const entries = readdirSync(folder)
    .filter((name) => name.endsWith(".svg"))
    .map((name) => ({ file: path.join(folder, name), used: statSync(path.join(folder, name)).mtimeMs }))
    .sort((a, b) => b.used - a.used);
  for (const old of entries.slice(KEEP_ENTRIES)) rmSync(old.file, { force: true });
}
