import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { keptTexts } from "../../src/core/kept-texts.js";
import { installedVersion } from "../../src/core/package-root.js";

/**
 * Ignition file contents inline, as RFC 2397 data URLs. Percent-encoding every reserved character keeps
 * the URL valid for Ignition's parser; the plain text is what the readable copies next to config.ign show.
 */
export function toDataUrl(text: string): string {
  return `data:,${encodeURIComponent(text)}`;
}

/**
 * Beyond this many bytes a file goes into config.ign gzip-compressed (Ignition 3.3's `compression: "gzip"`),
 * when that is smaller: /etc/hosts names every node, so uncompressed it would make each node's config grow
 * by the whole cluster (some 60 KB at a thousand nodes), and config.ign is the node's user-data, which
 * clouds limit. Small files stay readable in the config.
 */
export const COMPRESS_ABOVE_BYTES = 4096;

/**
 * Sources by text: a large file is usually the same on every node (/etc/hosts), and compressing it once per
 * node made gzip most of a thousand-node build; most small files are the same on many nodes too, and each
 * node's config is built twice (the CIS check's, with the planned certificates, then the one written), so
 * percent-encoding each text once halves what the configs cost beside gzip.
 */
const knownContents = new Map<string, { source: string; compression?: "gzip" }>();

/**
 * The text each `contents` made here came from, so the readable copies, the apply script and the CIS check
 * read it back without decoding what was just encoded. Kept with its source: a patch of `overrideIgnition`
 * that rewrote the source or compression in place is decoded, never answered from here.
 */
const madeFrom = new WeakMap<object, { readonly source: string; readonly compression: string | undefined; readonly text: string }>();

function made<T extends { source: string; compression?: string }>(contents: T, text: string): T {
  madeFrom.set(contents, { source: contents.source, compression: contents.compression, text });
  return contents;
}

/** An Ignition file's `contents`: a plain data URL, or a base64 one of the gzip of the text when that pays. */
export function ignitionContents(text: string): { source: string; compression?: "gzip" } {
  // Looked up first: the large text of every node is one string (/etc/hosts), whose hash V8 keeps, while
  // counting its UTF-8 bytes again for each node cost as much as the rest of the config.
  const known = knownContents.get(text);
  if (known) return made({ ...known }, text);
  // A UTF-8 text has at least as many bytes as UTF-16 units: only a short one needs counting.
  if (text.length <= COMPRESS_ABOVE_BYTES && Buffer.byteLength(text) <= COMPRESS_ABOVE_BYTES) {
    const contents = { source: toDataUrl(text) };
    knownContents.set(text, contents);
    return made({ ...contents }, text);
  }
  const key = createHash("sha256").update(`${fflateVersion()}\0${text}`).digest("base64url");
  let source = GZIPPED.get(key);
  if (source === undefined) {
    source = largeSource(text);
    GZIPPED.set(key, source);
  }
  const contents = source.startsWith(BASE64_PREFIX) ? { source, compression: "gzip" as const } : { source };
  knownContents.set(text, contents);
  return made({ ...contents }, text);
}

const BASE64_PREFIX = "data:;base64,";

/**
 * A large file's source, kept between builds (src/core/kept-texts.ts) under the SHA-256 of fflate's version
 * and the text: compressing at level 9 is most of what a large cluster's per-node files cost (the firewall
 * rulesets differ from node to node), and the same text always compresses to the same bytes.
 */
const GZIPPED = keptTexts("ignition-gzip");

function fflateVersion(): string {
  return installedVersion("fflate") ?? "unknown";
}

let fflateLoaded: typeof import("fflate") | undefined;

/**
 * fflate, loaded on first use: its module builds its Huffman tables when evaluated, and a build whose large
 * texts are all kept from the last one (GZIPPED) compresses nothing.
 */
function fflate(): typeof import("fflate") {
  fflateLoaded ??= createRequire(import.meta.url)("fflate") as typeof import("fflate");
  return fflateLoaded;
}

/** The gzip of the text as a base64 data URL when that is shorter than the plain one, else the plain one. */
function largeSource(text: string): string {
  const plain = toDataUrl(text);
  // fflate, not node:zlib: the same bytes on every machine (zlib builds differ with the CPU's features),
  // and a zero modification time in the gzip header, so a rebuild is byte-identical.
  const { gzipSync, strToU8 } = fflate();
  const gzipped = gzipSync(strToU8(text), { level: 9, mtime: 0 });
  const compressed = `${BASE64_PREFIX}${Buffer.from(gzipped).toString("base64")}`;
  return compressed.length < plain.length ? compressed : plain;
}

/**
 * The text of a `data:` source, or undefined for anything else (a remote source an override put in, a
 * compressed or undecodable payload): those get no readable copy rather than a wrong one.
 */
export function fromDataUrl(source: string | null | undefined): string | undefined {
  const match = /^data:([^,]*),(.*)$/s.exec(source ?? "");
  if (!match) return undefined;
  const [, parameters = "", data = ""] = match;
  try {
    const decoded = decodeURIComponent(data);
    return parameters.split(";").includes("base64") ? Buffer.from(decoded, "base64").toString("utf8") : decoded;
  } catch {
    return undefined;
  }
}

/**
 * The text of an Ignition file's contents: a data URL, gzip-compressed or not. Undefined for a remote
 * source, another compression, or a payload that does not decode.
 */
export function contentsText(contents: { source?: string | null; compression?: string | null } | null | undefined): string | undefined {
  const known = contents ? madeFrom.get(contents) : undefined;
  if (known !== undefined && known.source === contents?.source && known.compression === (contents?.compression ?? undefined))
    return known.text;
  if (!contents?.compression) return fromDataUrl(contents?.source);
  if (contents.compression !== "gzip") return undefined;
  const match = /^data:([^,]*);base64,(.*)$/s.exec(contents.source ?? "");
  if (!match) return undefined;
  try {
    const { gunzipSync, strFromU8 } = fflate();
    return strFromU8(gunzipSync(Buffer.from(match[2] ?? "", "base64")));
  } catch {
    return undefined;
  }
}
