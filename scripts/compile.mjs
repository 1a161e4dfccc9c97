// Compiles the library and the CLI into dist/ with esbuild: one bundle with shared chunks, so the CLI and
// the library entry that cluster.config.ts imports share the same classes, and a build process loads a
// handful of files instead of a hundred modules (the build's start-up time is benchmarked).
// The small runtime dependencies are bundled too; left outside are esbuild (a native binary), the packages
// only `import` and certificate issuing load (lazily), and `constructs`, which a config may import itself
// and must then be the same copy. Type checking is `tsc --noEmit`, run by the tests; this only strips types.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist");

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  // `import` is the maintainers' type generator (scripts/import.mjs), apart from the operator CLI.
  entryPoints: { index: "src/index.ts", cli: "src/cli/main.ts", import: "src/typegen/run-import.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: [
    "esbuild",
    "constructs",
    "@peculiar/x509",
    "reflect-metadata",
    "ts-morph",
    "ts-json-schema-generator",
    "typescript",
    "ajv",
    "ajv/*",
    "ajv-formats",
    "ajv-draft-04",
    // Graphviz in WebAssembly (1 MB): loaded by the topology family when it draws, never at start-up.
    "@viz-js/viz",
  ],
  // Bundled CommonJS dependencies (handlebars) call require(); give the ES module bundle one.
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  chunkNames: "chunks/[name]-[hash]",
  // Class names appear in messages (a duplicate id names the kind of construct): keep them unmangled.
  keepNames: true,
  sourcemap: "linked",
  logLevel: "warning",
});
