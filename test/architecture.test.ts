import path from "node:path";
import madge from "madge";
import { describe, expect, it } from "vitest";
import { repoRoot } from "./helpers/cli.js";

// What `npx madge --circular --extensions ts src generators` reports, as a test: the model, the compiler core
// and the families import in one direction only (type-only imports count too), so any module can be read and
// tested on its own.
describe("imports", () => {
  it("form no cycle in src/ and generators/", async () => {
    const graph = await madge([path.join(repoRoot, "src"), path.join(repoRoot, "generators")], {
      fileExtensions: ["ts"],
      excludeRegExp: [/src[\\/]imports[\\/]/],
      tsConfig: path.join(repoRoot, "tsconfig.json"),
    });
    expect(graph.circular()).toEqual([]);
    // The graph is real: the model is found, and the families import it.
    expect(Object.keys(graph.obj()).some((file) => file.endsWith("model/node.ts"))).toBe(true);
  });
});
