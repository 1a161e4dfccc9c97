// Compiles the library and the CLI into dist/ with esbuild: one bundle with shared chunks, so the CLI and
// the library entry that cluster.config.ts imports share the same classes, and a build process loads a
// handful of files instead of a hundred modules (the build's start-up time is benchmarked).
// Type checking is `tsc --noEmit`, run by the tests; this step only strips types.
import { rmSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist");

rmSync(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: { index: "src/index.ts", cli: "src/cli/main.ts" },
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  packages: "external",
  chunkNames: "chunks/[name]-[hash]",
  sourcemap: "linked",
  logLevel: "warning",
});
