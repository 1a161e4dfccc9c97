import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the prometheus family is being written; it returns no files yet. */
export const prometheusGenerator: Generator = {
  name: "prometheus",
  generate: () => [],
};
