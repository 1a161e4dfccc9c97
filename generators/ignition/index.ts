import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the ignition family is being written; it returns no files yet. */
export const ignitionGenerator: Generator = {
  name: "ignition",
  generate: () => [],
};
