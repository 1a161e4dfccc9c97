import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the pki family is being written; it returns no files yet. */
export const pkiGenerator: Generator = {
  name: "pki",
  generate: () => [],
};
