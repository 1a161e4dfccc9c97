import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "./cache-dir.js";

/**
 * Texts a build made and the next build may reuse, by a key that names everything they were made from (a
 * SHA-256 the caller computes): one JSON file per kind in node_modules/.cache/swarm-cluster/<kind>/texts.json
 * (src/core/cache-dir.ts), read once per process on first use. Once a text was made rather than read, the
 * process writes at exit the texts it used, and only those (a changed config's old texts go), under a
 * temporary name then renamed; errors (an unwritable cache) are ignored.
 */
export interface KeptTexts {
  get(key: string): string | undefined;
  /** A text made by this process. */
  set(key: string, text: string): void;
}

interface Store {
  readonly file: string;
  /** The texts the previous build kept. */
  readonly loaded: ReadonlyMap<string, string>;
  /** The texts this process made or read: what it keeps, if it made any. */
  readonly used: Map<string, string>;
  missed: boolean;
}

const stores = new Map<string, Store>();

export function keptTexts(kind: string): KeptTexts {
  return {
    get(key) {
      const store = storeOf(kind);
      const text = store.loaded.get(key) ?? store.used.get(key);
      if (text !== undefined) store.used.set(key, text);
      return text;
    },
    set(key, text) {
      const store = storeOf(kind);
      store.used.set(key, text);
      if (!store.missed) {
        store.missed = true;
        process.once("exit", () => keep(store));
      }
    },
  };
}

/** Writes now what the exit of this process would write (for tests). */
export function keepTextsNow(kind: string): void {
  const store = stores.get(kind);
  if (store?.missed) keep(store);
}

function storeOf(kind: string): Store {
  const file = path.join(cacheDir(kind), "texts.json");
  // SWARM_CLUSTER_CACHE_DIR may change between builds in one process (tests): one store per folder.
  const known = stores.get(kind);
  if (known?.file === file) return known;
  let loaded = new Map<string, string>();
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      loaded = new Map(Object.entries(parsed).filter((entry): entry is [string, string] => typeof entry[1] === "string"));
    }
  } catch {
    // Nothing kept yet (or unreadable): every text is made.
  }
  const store: Store = { file, loaded, used: new Map(), missed: false };
  stores.set(kind, store);
  return store;
}

function keep(from: Store): void {
  writeCacheEntries(from.file, from.used);
}

/**
 * Writes a cache's entries as one JSON object under a temporary name, then renames it: a reader never sees half a
 * file. Errors (an unwritable cache) are ignored: the next build makes what it does not find.
 */
export function writeCacheEntries(file: string, entries: ReadonlyMap<string, unknown>): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, JSON.stringify(Object.fromEntries(entries)));
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The cache folder itself is unusable: nothing was written.
    }
  }
}
