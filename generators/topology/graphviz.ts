import type { Viz } from "@viz-js/viz";

let loading: Promise<Viz> | undefined;

/**
 * Graphviz compiled to WebAssembly (@viz-js/viz), loaded on first use only: the package is kept out of
 * the CLI bundle (scripts/compile.mjs) so that a command that draws nothing never parses its 1 MB of
 * embedded WebAssembly.
 */
function graphviz(): Promise<Viz> {
  loading ??= import("@viz-js/viz").then((module) => module.instance());
  return loading;
}

/** The SVG dot draws for a graph; the same input gives the same bytes (no ids, dates or paths in it). */
export async function renderSvg(dot: string): Promise<string> {
  const viz = await graphviz();
  const result = viz.render(dot, { format: "svg", engine: "dot" });
  if (result.status !== "success") {
    throw new Error(`Graphviz could not draw the topology: ${result.errors.map((error) => error.message).join("; ")}`);
  }
  return result.output;
}
