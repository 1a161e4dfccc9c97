import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { packageRoot } from "../core/package-root.js";
import { generateModelFiles } from "../validate/model-schema-generate.js";
import { generateImports } from "./index.js";
import type { Output } from "../cli/output.js";

export interface ImportOptions {
  /** Where the JSON schemas are; default `../shared/schemas` next to the repository. */
  schemasDir?: string;
  /** Where the generated modules go; default `src/imports` in the repository. */
  outDir?: string;
  /** Write nothing; exit 1 when a generated file is missing or out of date. */
  check?: boolean;
}

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/**
 * `npm run import` (scripts/import.mjs): regenerates src/imports/ — types from the official schemas, and the
 * model's own schema and validator from its types. A maintainer's task, not an operator's: it needs the dev
 * dependencies (ts-morph, ts-json-schema-generator) and writes into this package's own sources. Returns the exit code.
 */
export async function runImport(options: ImportOptions = {}, io: Output = stdio): Promise<number> {
  const root = packageRoot();
  const schemasDir = resolve(options.schemasDir ?? join(root, "..", "shared", "schemas"));
  const outDir = resolve(options.outDir ?? join(root, "src", "imports"));
  const generated = new Map([...generateImports(schemasDir), ...generateModelFiles()]);

  const stale: string[] = [];
  for (const [name, text] of generated) {
    const path = join(outDir, name);
    const shown = relative(process.cwd(), path) || path;
    if (existsSync(path) && readFileSync(path, "utf8") === text) {
      io.out(`unchanged ${shown}\n`);
      continue;
    }
    stale.push(shown);
    if (options.check) {
      io.out(`out of date ${shown}\n`);
    } else {
      mkdirSync(outDir, { recursive: true });
      writeFileSync(path, text);
      io.out(`updated ${shown}\n`);
    }
  }
  if (options.check && stale.length > 0) {
    io.err(`${stale.length} generated file(s) differ from the schemas: run \`npm run import\`.\n`);
    return 1;
  }
  return 0;
}
