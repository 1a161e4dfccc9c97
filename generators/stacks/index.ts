import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the stacks family is being written; it returns no files yet. */
export const stacksGenerator: Generator = {
  name: "stacks",
  generate: () => [],
};
