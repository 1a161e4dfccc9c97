import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the nginx family is being written; it returns no files yet. */
export const nginxGenerator: Generator = {
  name: "nginx",
  generate: () => [],
};
