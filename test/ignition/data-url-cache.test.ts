// Unit test of the large files' compressed sources kept between builds (generators/ignition/data-url.ts over
// src/core/kept-texts.ts): the source is fflate's gzip of the text, decodes back to it, and a later build
// reads the kept source instead of compressing again.
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { gunzipSync, strFromU8 } from "fflate";
import { describe, expect, it } from "vitest";
import { contentsText, ignitionContents } from "../../generators/ignition/data-url.js";
import { keepTextsNow } from "../../src/core/kept-texts.js";
import { temporaryCacheDir } from "../helpers/cache-dir.js";

const FFLATE_VERSION = (createRequire(import.meta.url)("fflate/package.json") as { version: string }).version;

describe("a large file's compressed source, kept between builds", () => {
  const cacheDir = temporaryCacheDir("gzip-cache");

  it("is the gzip of the text, kept, and read back by a later build", () => {
    const text = Array.from({ length: 400 }, (_, i) => `10.0.${i >> 8}.${i & 255} node-${i}.example.internal node-${i}`).join("\n");
    const contents = ignitionContents(text);
    expect(contents.compression).toBe("gzip");
    const base64 = contents.source.replace(/^data:;base64,/, "");
    expect(strFromU8(gunzipSync(Buffer.from(base64, "base64")))).toBe(text);
    expect(contentsText(contents)).toBe(text);
    keepTextsNow("ignition-gzip");
    const file = path.join(cacheDir(), "ignition-gzip", "texts.json");
    const kept = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    expect(Object.values(kept)).toEqual([contents.source]);
    // A later build takes a kept source as it is, for a text this process never compressed: a stand-in
    // tells it from a compression. (Another cache folder in between makes this process read the file again.)
    const later = `${text}\nand one more line`;
    const laterKey = createHash("sha256").update(`${FFLATE_VERSION}\0${later}`).digest("base64url");
    writeFileSync(file, JSON.stringify({ ...kept, [laterKey]: "data:;base64,c3RhbmQtaW4=" }));
    const other = mkdtempSync(path.join(tmpdir(), "swarm-cluster-gzip-cache-other-"));
    process.env.SWARM_CLUSTER_CACHE_DIR = other;
    ignitionContents(`${text}\nread in another folder`);
    rmSync(other, { recursive: true, force: true });
    process.env.SWARM_CLUSTER_CACHE_DIR = cacheDir();
    expect(ignitionContents(later)).toEqual({ source: "data:;base64,c3RhbmQtaW4=", compression: "gzip" });
  });
});
