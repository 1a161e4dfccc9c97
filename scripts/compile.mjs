// Compiles the CLI and the library into dist/ with esbuild, as one CommonJS bundle, dist/runtime.cjs, so the
// CLI and the library entry that cluster.config.ts imports share the same classes, and a build process loads
// one file instead of a hundred modules (the build's start-up time is benchmarked). dist/cli.js and
// dist/index.js are small ES modules that load it through dist/runtime-loader.js (src/cli/runtime-loader.ts),
// which keeps a V8 code cache of it between runs; CommonJS because Node 20 caches compiled code only for a
// vm.Script. Commands and families still load lazily: esbuild runs a dynamically imported module's code on
// first import.
// The small runtime dependencies are bundled too; left outside are esbuild (a native binary), the packages
// only `import` and certificate issuing load (lazily), and `constructs`: a config, and any construct package
// it imports from node_modules, must extend the very classes the library does, and such a package requires
// `constructs` from node_modules itself, so the library must too (a bundled copy would be another class).
// Type checking is `tsc --noEmit`, run by the tests; this only strips types.
import { createHash } from "node:crypto";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { TraceMap, originalPositionFor } from "@jridgewell/trace-mapping";
import { build } from "esbuild";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const outdir = path.join(root, "dist");
const runtimeFile = path.join(outdir, "runtime.cjs");

const external = [
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
];
const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  target: "node20",
  external,
  // Class names appear in messages (a duplicate id names the kind of construct): keep them unmangled.
  keepNames: true,
  sourcemap: "linked",
  logLevel: "warning",
};
// An ES module bundle's CommonJS dependencies (handlebars) call require(): give it one.
const esmRequire = "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);";

rmSync(outdir, { recursive: true, force: true });
await build({
  ...common,
  stdin: {
    contents: [
      'import * as library from "./src/index.ts";',
      'export { main } from "./src/cli/main.ts";',
      'export { setModuleImporter } from "./src/config/import-module.ts";',
      "export { library };",
    ].join("\n"),
    resolveDir: root,
    sourcefile: "runtime-entry.ts",
    loader: "ts",
  },
  outfile: runtimeFile,
  format: "cjs",
  // Every import() a require(): V8 cannot resolve an import() in a function it read from a code cache
  // (src/config/import-module.ts). The packages imported lazily all have a CommonJS entry.
  supported: { "dynamic-import": false },
  // import.meta.url, which the sources read to find the package and resolve packages, in CommonJS.
  define: { "import.meta.url": "__importMetaUrl" },
  banner: { js: 'var __importMetaUrl = require("node:url").pathToFileURL(__filename).href;' },
  plugins: [grafanaSdkBuilders(), commanderWithoutChildProcess(), ajvRuntimeBundled()],
  // Without indentation, newlines and comments (names are kept): 1.5 MB instead of 2.1, which every start
  // reads, and in which V8 scans any function the code cache does not hold (40 paired runs of the 8-node
  // build: 6.7 ms less CPU). The stack of a crash, and SWARM_CLUSTER_DEBUG's trace, name each frame's source
  // position, read from dist/runtime.cjs.map (withSourcePositions, src/core/source-location.ts).
  minifyWhitespace: true,
});

asciiOnly(runtimeFile);

const runtimeSha256 = createHash("sha256").update(readFileSync(runtimeFile)).digest("hex");
await build({
  ...common,
  entryPoints: { "runtime-loader": "src/cli/runtime-loader.ts" },
  outdir,
  format: "esm",
  define: { RUNTIME_SHA256: JSON.stringify(runtimeSha256) },
});

// The library's names, as dist/index.js exports them (read from the bundle itself: nothing to keep in step).
const libraryNames = Object.keys(createRequire(import.meta.url)(runtimeFile).library).sort();
writeFileSync(
  path.join(outdir, "cli.js"),
  `import { loadRuntime } from "./runtime-loader.js";\nexport const { main } = loadRuntime(\`cli-\${process.argv[2] ?? ""}\`);\n`,
);
writeFileSync(
  path.join(outdir, "index.js"),
  `import { loadRuntime } from "./runtime-loader.js";\nexport const { ${libraryNames.join(", ")} } = loadRuntime("library").library;\n`,
);

// `import` is the maintainers' type generator (scripts/import.mjs), apart from the operator CLI.
await build({
  ...common,
  entryPoints: { import: "src/typegen/run-import.ts" },
  outdir,
  format: "esm",
  banner: { js: esmRequire },
});

/**
 * Fails the compile unless the bundle is pure ASCII. esbuild escapes non-ASCII characters in strings and
 * template literals, but keeps regular expression literals as written, and Node decodes a UTF-8 file holding
 * a single character beyond Latin-1 into a two-byte string: reading this bundle took the loader about 12 ms
 * instead of 6 (simdutf's ASCII path, one byte per character), at every start of the CLI (a paired run of the
 * 8-node build: 5 ms less CPU). Rewriting the bundle's characters as `\uXXXX` escapes would change what a
 * tagged template (String.raw) sees, so the sources write them as escapes instead (`/\u00b5s/`, the same
 * regular expression): this names the source position of any that comes back, through the source map.
 */
function asciiOnly(file) {
  const bytes = readFileSync(file);
  const at = bytes.findIndex((byte) => byte >= 0x80);
  if (at < 0) return;
  const before = bytes.subarray(0, at).toString("latin1");
  const line = before.split("\n").length;
  const column = at - (before.lastIndexOf("\n") + 1);
  const original = originalPositionFor(new TraceMap(readFileSync(`${file}.map`, "utf8")), { line, column });
  const where = original.source ? `${original.source}:${original.line}:${(original.column ?? 0) + 1}` : "an unmapped position";
  throw new Error(
    `${file}:${line}:${column + 1}: a non-ASCII character, from ${where}: write it as a \\u escape in the source, so that Node reads the bundle as a one-byte string`,
  );
}

/**
 * commander requires node:child_process when it loads, for subcommands that are separate executables
 * (`.command(name, description)`), which this CLI does not have; loading child_process (and net, dgram and
 * the stream wrappers it brings) cost every start about 3 ms. Its one use, `childProcess.spawn`, now loads
 * the module on first call. A commander whose source no longer holds that line fails the compile, rather than
 * silently loading it again.
 */
function commanderWithoutChildProcess() {
  const line = "const childProcess = require('node:child_process');";
  return {
    name: "commander-without-child-process",
    setup(build) {
      build.onLoad({ filter: /[\\/]commander[\\/]lib[\\/]command\.js$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!source.includes(line)) throw new Error(`${args.path}: no \`${line}\` to make lazy (commander changed)`);
        const lazy = "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };";
        return { contents: source.replace(line, lazy), loader: "js" };
      });
    },
  };
}

/**
 * The Docker stack validator (ajv standalone code, src/imports/docker-stack-v3-validator.ts) requires ajv's
 * small runtime helpers (`ajv/dist/runtime/equal`, `…/ucs2length`) through a `createRequire`, which esbuild
 * cannot follow: every start loaded them, and fast-deep-equal, from node_modules, resolving each through its
 * package's exports and compiling it without the code cache (about 3 ms in the CPU profile). Here that
 * `require` is the module's own, so esbuild bundles the helpers into dist/runtime.cjs; the rest of ajv stays
 * outside (only the maintainers' type generator loads it). The two lines become blank ones, so the source map
 * keeps its lines.
 */
function ajvRuntimeBundled() {
  const lines = ['import { createRequire } from "node:module";', "const require = createRequire(import.meta.url);"];
  const requireFrom = createRequire(path.join(root, "package.json"));
  return {
    name: "ajv-runtime-bundled",
    setup(build) {
      build.onLoad({ filter: /[\\/]src[\\/]imports[\\/][^\\/]+-validator\.ts$/ }, (args) => {
        const source = readFileSync(args.path, "utf8");
        if (!lines.every((line) => source.includes(line))) return undefined;
        return { contents: lines.reduce((text, line) => text.replace(line, ""), source), loader: "ts" };
      });
      build.onResolve({ filter: /^ajv\/dist\/runtime\/\w+$/ }, (args) => ({ path: requireFrom.resolve(args.path) }));
    },
  };
}

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
      // The index as the SDK writes it, but lazy: each name is a getter that runs the family's files on first
      // use, types first (circular requires from the builders see the types already exported, as in the
      // SDK's own index). Every build loaded the dashboard and common families (about 3 ms at start), which
      // only a cluster with Grafana uses. The names are read here from the SDK's files themselves.
      build.onLoad({ filter: /.*/, namespace: "grafana-sdk-family" }, (args) => {
        const files = ["types.gen", ...BUILDERS[args.pluginData].map((builder) => `${builder}.gen`)];
        const requireFrom = createRequire(path.join(sdk, args.pluginData, "index.js"));
        const names = [...new Set(files.flatMap((file) => Object.keys(requireFrom(`./${file}.js`))))].filter((name) => name !== "default");
        return {
          contents: [
            '"use strict";',
            'Object.defineProperty(exports, "__esModule", { value: true });',
            "const family = {};",
            "let loading = false;",
            "function load() {",
            "  if (!loading) {",
            "    loading = true;",
            ...files.map((file) => `    Object.assign(family, require("./${file}.js"));`),
            "  }",
            "  return family;",
            "}",
            `for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`,
          ].join("\n"),
          loader: "js",
          resolveDir: path.join(sdk, args.pluginData),
        };
      });
    },
  };
}
