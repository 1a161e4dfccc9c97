// Unit test of src/core/yaml-text.ts: the text is yaml's own stringify (compared with it, for documents kept and
// refused), and a kept text is read back from the cache folder by a later build, not rendered again.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseDocument, stringify } from "yaml";
import { keepYamlTexts, yamlText } from "../src/core/yaml-text.js";
import { temporaryCacheDir } from "./helpers/cache-dir.js";

describe("yamlText", () => {
  const cacheDir = temporaryCacheDir("yaml-text");

  const documents: Record<string, unknown> = {
    plain: { version: "3.8", services: { web: { image: "nginx:1.27", ports: [80, 443], command: ["a: b", "#c", "yes", "0123"] } } },
    "strings that need quoting": { a: "", b: "null", c: "true", d: "1e3", e: "line\nbreak", f: " padded ", g: "tab\t" },
    "an absent value": { a: undefined, b: null, c: false },
    "a long line": { text: "word ".repeat(60) },
  };

  it.each(Object.keys(documents))("writes %s as yaml's stringify does, the first time and from the cache", (name) => {
    const document = documents[name];
    const expected = stringify(document, { lineWidth: 0 });
    expect(yamlText(document)).toBe(expected);
    expect(yamlText(structuredClone(document))).toBe(expected);
  });

  it("tells documents apart that JSON would not, by rendering them every time", () => {
    const shared = { external: true };
    const aliased = { a: shared, b: shared };
    expect(yamlText(aliased)).toBe(stringify(aliased, { lineWidth: 0 }));
    expect(yamlText({ a: { external: true }, b: { external: true } })).toBe(stringify({ a: { external: true }, b: { external: true } }));
    for (const odd of [{ n: -0 }, { n: Number.NaN }, { when: new Date(0) }, { list: [1, undefined] }, { map: new Map([["a", 1]]) }]) {
      expect(yamlText(odd)).toBe(stringify(odd, { lineWidth: 0 }));
    }
    expect(yamlText({ n: 0 })).toBe("n: 0\n");
  });

  it("puts each comment above the key it names, nested keys included", () => {
    const text = yamlText({ services: { web: { image: "a" }, db: { image: "b" } }, secrets: { s: { external: true } } }, [
      { path: ["services", "db"], comment: " the database" },
      { path: ["secrets"], comment: " secrets\n two lines" },
      { path: ["absent"], comment: " nowhere" },
    ]);
    expect(text).toBe(
      "services:\n  web:\n    image: a\n  # the database\n  db:\n    image: b\n# secrets\n# two lines\nsecrets:\n  s:\n    external: true\n",
    );
    expect(parseDocument(text).toJS()).toEqual({
      services: { web: { image: "a" }, db: { image: "b" } },
      secrets: { s: { external: true } },
    });
  });

  it("keeps the texts a build rendered, which the next one reads instead of rendering", () => {
    const text = yamlText({ kept: [1, "two"] });
    expect(text).toBe("kept:\n  - 1\n  - two\n");
    // What the process's exit writes.
    keepYamlTexts();
    const file = path.join(cacheDir(), "yaml", "texts.json");
    const texts = JSON.parse(readFileSync(file, "utf8")) as Record<string, string>;
    const [key] = Object.entries(texts).find(([, kept]) => kept === text) ?? [];
    expect(key).toBeDefined();
    // A later build (another cache folder in between makes this process read the file again) takes the
    // kept text as it is: here a stand-in, to tell it from a rendering.
    writeFileSync(file, JSON.stringify({ [key ?? ""]: "kept text\n" }));
    process.env.SWARM_CLUSTER_CACHE_DIR = mkdtempSync(path.join(tmpdir(), "swarm-cluster-yaml-text-other-"));
    expect(yamlText({ other: true })).toBe("other: true\n");
    rmSync(process.env.SWARM_CLUSTER_CACHE_DIR, { recursive: true, force: true });
    process.env.SWARM_CLUSTER_CACHE_DIR = cacheDir();
    expect(yamlText({ kept: [1, "two"] })).toBe("kept text\n");
  });
});
