import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the swarm family is being written; it returns no files yet. */
export const swarmGenerator: Generator = {
  name: "swarm",
  generate: () => [],
};
