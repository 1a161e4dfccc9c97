import type { Generator } from "../../src/synth/generator.js";

/** TEMPORARY: the systemd family is being written; it returns no files yet. */
export const systemdGenerator: Generator = {
  name: "systemd",
  generate: () => [],
};
