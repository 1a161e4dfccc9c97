// `npm run import [-- --check] [-- --schemas DIR]`: regenerates src/imports/ from ../shared/schemas and the
// model's types. For maintainers of this package (it needs the dev dependencies and writes into src/), so
// it is not a command of the swarm-cluster CLI. Runs the compiled generator from dist/ (npm run compile).
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    check: { type: "boolean", default: false },
    schemas: { type: "string" },
  },
});
const { runImport } = await import("../dist/import.js");
process.exitCode = await runImport({ check: values.check, ...(values.schemas ? { schemasDir: values.schemas } : {}) });
