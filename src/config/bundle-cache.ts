import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "../core/cache-dir.js";

/** The config as Node imports it: esbuild's bundle of its own files, and the source map back to them. */
export interface ConfigBundle {
  readonly code: string;
  readonly map: string;
}

/**
 * The last bundle of each config file, with what it was made from: every source file esbuild read and
 * the settings files it may have read beside them (tsconfig.json, jsconfig.json, package.json in any
 * folder above a source), each by the SHA-256 of its bytes or as absent, and the context (esbuild's
 * version, the options, where the library is). A build whose config and its files are unchanged imports
 * that bundle instead of starting esbuild's service, which cost a small build about a tenth of a second;
 * any difference, or any doubt, bundles again. Executing the same code builds the same model, so output
 * cannot change.
 */
interface Entry {
  readonly context: string;
  readonly inputs: readonly (readonly [file: string, sha256: string | null])[];
  readonly code: string;
  readonly map: string;
}

const SETTINGS_FILES = ["tsconfig.json", "jsconfig.json", "package.json"] as const;

const entryFile = (configFile: string): string => path.join(cacheDir("config-bundle"), `${sha256(configFile)}.json`);

function sha256(data: string | Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/** The file's SHA-256, or null when it cannot be read (absent). */
function fingerprint(file: string): string | null {
  try {
    return sha256(readFileSync(file));
  } catch {
    return null;
  }
}

/** The bundle kept for `configFile`, when it was made in the same context from the same bytes. */
export function cachedBundle(configFile: string, context: string): ConfigBundle | undefined {
  try {
    const entry = JSON.parse(readFileSync(entryFile(configFile), "utf8")) as Entry;
    if (entry.context !== context || !entry.inputs.every(([file, hash]) => fingerprint(file) === hash)) return undefined;
    return { code: entry.code, map: entry.map };
  } catch {
    return undefined;
  }
}

/**
 * Keeps `bundle`, made from `sources` by a build that started at `startedMs`. A source written since then
 * may hold bytes the bundle does not: nothing is kept. Errors (an unwritable cache) are ignored.
 */
export function keepBundle(configFile: string, context: string, sources: readonly string[], startedMs: number, bundle: ConfigBundle): void {
  const files = new Set(sources);
  for (const source of sources) {
    for (let dir = path.dirname(source); ; dir = path.dirname(dir)) {
      for (const name of SETTINGS_FILES) files.add(path.join(dir, name));
      if (path.dirname(dir) === dir) break;
    }
  }
  const file = entryFile(configFile);
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    if (sources.some((source) => statSync(source).mtimeMs >= startedMs)) return;
    const inputs = [...files].sort().map((input): [string, string | null] => [input, fingerprint(input)]);
    const entry: Entry = { context, inputs, code: bundle.code, map: bundle.map };
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify(entry));
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The cache folder itself is unusable: nothing was written.
    }
  }
}
