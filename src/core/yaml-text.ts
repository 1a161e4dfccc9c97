import { createHash } from "node:crypto";
import { Document, isMap, isScalar, type YAMLMap } from "yaml";
import { keepTextsNow, keptTexts } from "./kept-texts.js";
import { installedVersion } from "./package-root.js";

const TEXTS = keptTexts("yaml");

/** A comment put above a key of the document: `path` leads to the key, through the maps above it. */
export interface YamlComment {
  readonly path: readonly string[];
  readonly comment: string;
}

/**
 * The YAML text of a document made of plain objects, arrays, strings, finite numbers, booleans and null:
 * `yaml`'s `stringify(value, { lineWidth: 0 })`, with `comments` above the keys they name. The text is kept
 * between builds (node_modules/.cache/swarm-cluster/yaml, src/core/cache-dir.ts) under the SHA-256 of the
 * document, the comments and yaml's version: `yaml` builds a node tree and decides each scalar's quoting, a
 * few milliseconds a stack file (more before V8 has warmed up: most of a small build's stack files), while the
 * same document always gives the same text. A document holding anything else (a Date, a Map, -0, NaN, a
 * hole, an object twice, which yaml writes as an alias) is rendered every time: its JSON would not tell it apart.
 */
export function yamlText(value: unknown, comments: readonly YamlComment[] = []): string {
  const document = canonicalJson(value);
  if (document === undefined) return render(value, comments);
  const key = createHash("sha256")
    .update(JSON.stringify([yamlVersion(), document, comments]))
    .digest("base64url");
  const known = TEXTS.get(key);
  if (known !== undefined) return known;
  const text = render(value, comments);
  TEXTS.set(key, text);
  return text;
}

/** The installed yaml's version (bundled into dist/, it is still installed beside it as a dependency). */
function yamlVersion(): string {
  return installedVersion("yaml") ?? "unknown";
}

function render(value: unknown, comments: readonly YamlComment[]): string {
  const document = new Document(value);
  for (const { path: keyPath, comment } of comments) {
    const map = keyPath.length === 1 ? document.contents : document.getIn(keyPath.slice(0, -1), true);
    commentKey(map, keyPath[keyPath.length - 1] ?? "", comment);
  }
  return document.toString({ lineWidth: 0 });
}

function commentKey(map: unknown, key: string, comment: string): void {
  if (!isMap(map)) return;
  const pair = (map as YAMLMap).items.find((item) => isScalar(item.key) && item.key.value === key);
  if (pair && isScalar(pair.key)) pair.key.commentBefore = comment;
}

class NotPlain extends Error {}

/** JSON of the value when JSON tells every such value apart as YAML does; undefined otherwise. */
function canonicalJson(value: unknown): string | undefined {
  // yaml writes an object met twice as an anchor and aliases, JSON as two copies: such a document is refused.
  const seen = new Set<object>();
  try {
    return JSON.stringify(value, function check(this: Record<string, unknown>, key: string, converted: unknown) {
      // The value before any toJSON (a Date's): what yaml would render.
      const raw = this[key];
      if (raw === null || typeof raw === "string" || typeof raw === "boolean") return converted;
      if (typeof raw === "number" && Number.isFinite(raw) && !Object.is(raw, -0)) return converted;
      // An absent map value: both leave the key out. In an array, JSON's null and yaml's null could differ: refused.
      if (raw === undefined && !Array.isArray(this)) return converted;
      if (typeof raw === "object" && !seen.has(raw)) {
        seen.add(raw);
        const prototype = Object.getPrototypeOf(raw);
        if (Array.isArray(raw) || ((prototype === Object.prototype || prototype === null) && !("toJSON" in raw))) return converted;
      }
      throw new NotPlain();
    });
  } catch (error) {
    if (error instanceof NotPlain) return undefined;
    throw error;
  }
}

/** Writes now what the exit of this process would write (for tests). */
export function keepYamlTexts(): void {
  keepTextsNow("yaml");
}
