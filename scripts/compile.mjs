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
  plugins: [grafanaSdkBuilders()],
  sourcemap: "linked",
  logLevel: "warning",
});

/**
 * The Grafana Foundation SDK is CommonJS, so esbuild cannot drop what the grafana family does not use, and
 * each family's index requires every builder of that family, and through them the v2 dashboard schemas:
 * some 800 KB that every build parsed and ran (about a third of the library bundle's load time). This
 * resolves each SDK family's index, from our code and from inside the SDK, to the same index limited to
 * the family's types and the builders generators/grafana uses; their own code reads only the families'
 * types (`defaultPanel()` and the like). A builder used but left out here is undefined at run time: every
 * build of the reference, and so the snapshot tests (they run the compiled CLI), fail at once.
 */
function grafanaSdkBuilders() {
  const BUILDERS = {
    common: ["vizLegendOptionsBuilder"],
    dashboard: ["dashboardBuilder", "rowBuilder", "thresholdsConfigBuilder"],
    prometheus: ["dataqueryBuilder"],
    stat: ["panelBuilder"],
    timeseries: ["panelBuilder"],
  };
  const sdk = path.join(root, "node_modules", "@grafana", "grafana-foundation-sdk", "dist");
  const family = (importPath, importer) => {
    const direct = /^@grafana\/grafana-foundation-sdk\/(\w+)$/.exec(importPath);
    if (direct) return direct[1];
    if (!importer.startsWith(sdk) || !/^\.\.?\/?/.test(importPath)) return undefined;
    const target = path.resolve(path.dirname(importer), importPath);
    return path.dirname(target) === sdk ? path.basename(target) : undefined;
  };
  return {
    name: "grafana-sdk-builders",
    setup(build) {
      build.onResolve({ filter: /^(@grafana\/grafana-foundation-sdk\/\w+|\.\.\/\w+)$/ }, (args) => {
        const name = family(args.path, args.importer);
        if (name === undefined || !(name in BUILDERS)) return undefined;
        return { path: `@grafana/grafana-foundation-sdk/${name}`, namespace: "grafana-sdk-family", pluginData: name };
      });
      // The index as the SDK writes it (circular requires from the builders see the types already exported).
      build.onLoad({ filter: /.*/, namespace: "grafana-sdk-family" }, (args) => {
        const files = ["types.gen", ...BUILDERS[args.pluginData].map((builder) => `${builder}.gen`)];
        const requires = files.map((file) => `tslib.__exportStar(require("./${file}.js"), exports);`);
        return {
          contents: [
            '"use strict";',
            'Object.defineProperty(exports, "__esModule", { value: true });',
            'const tslib = require("tslib");',
            ...requires,
          ].join("\n"),
          loader: "js",
          resolveDir: path.join(sdk, args.pluginData),
        };
      });
    },
  };
}
