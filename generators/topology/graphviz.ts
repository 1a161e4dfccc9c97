import type { Viz } from "@viz-js/viz";
import { drawnBefore, keepDrawing } from "./svg-cache.js";

let loading: Promise<Viz> | undefined;

/**
 * Graphviz compiled to WebAssembly (@viz-js/viz), loaded on first use only: the package is kept out of
 * the CLI bundle (scripts/compile.mjs) so that a command that draws nothing never parses its 1 MB of
 * embedded WebAssembly, and a build whose drawing is cached (svg-cache.ts) never loads it.
 */
function graphviz(): Promise<Viz> {
  if (!loading) {
    loading = import("@viz-js/viz").then((module) => module.instance());
    // Whoever awaits it sees a failure; a preload nobody awaits must not crash the process.
    loading.catch(() => {});
  }
  return loading;
}

/**
 * Starts loading Graphviz without waiting for it, so that it compiles while the config is bundled; only
 * when nothing was drawn on this machine yet: once drawings are cached, a build usually draws none, and
 * loading Graphviz for nothing cost more than what the preload saves on a miss.
 */
export function preloadGraphviz(): void {
  if (!drawnBefore()) void graphviz();
}

/** The SVG dot draws for a graph; the same input gives the same bytes (no ids, dates or paths in it). */
export async function renderSvg(dot: string): Promise<string> {
  return keepDrawing(dot, async () => {
    const viz = await graphviz();
    const result = viz.render(dot, { format: "svg", engine: "dot" });
    if (result.status !== "success") {
      throw new Error(`Graphviz could not draw the topology: ${result.errors.map((error) => error.message).join("; ")}`);
    }
    return result.output;
  });
}
