// Unit test of the drawing cache: the real Graphviz (WebAssembly, in process) draws, and what the cache
// gives back is compared byte for byte with what it drew.
import { existsSync, readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { renderSvg } from "../../generators/topology/graphviz.js";
import { drawnBefore, keepDrawing } from "../../generators/topology/svg-cache.js";
import { temporaryCacheDir } from "../helpers/cache-dir.js";

const DOT = 'digraph { a -> b; b -> c; a [label="front"]; }';

describe("the topology drawing cache", () => {
  const cacheDir = temporaryCacheDir("svg-cache", "each");

  it("gives back exactly what Graphviz drew, without drawing again", async () => {
    expect(drawnBefore()).toBe(false);
    const drawn = await renderSvg(DOT);
    expect(drawn).toMatch(/<\/svg>\s*$/);
    expect(drawnBefore()).toBe(true);
    let draws = 0;
    const again = await keepDrawing(DOT, async () => {
      draws += 1;
      return "not this";
    });
    expect(draws).toBe(0);
    expect(again).toBe(drawn);
  });

  it("draws a different graph anew, and keeps each drawing under its own key", async () => {
    await renderSvg(DOT);
    const other = await renderSvg(DOT.replace("front", "back"));
    expect(other).toContain("back");
    expect(readdirSync(path.join(cacheDir(), "topology-svg")).filter((name) => name.endsWith(".svg"))).toHaveLength(2);
  });

  it("draws when the cache cannot be written, and leaves no temporary file", async () => {
    // A file where the cache folder should be: nothing can be kept, the drawing still comes.
    writeFileSync(path.join(cacheDir(), "topology-svg"), "");
    const drawn = await keepDrawing(DOT, async () => "<svg/>\n");
    expect(drawn).toBe("<svg/>\n");
    expect(existsSync(path.join(cacheDir(), "topology-svg"))).toBe(true);
    expect(readdirSync(cacheDir())).toEqual(["topology-svg"]);
  });
});
