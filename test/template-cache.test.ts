// Unit test of the compiled-template cache with the real Handlebars: a kept template renders exactly as a
// freshly compiled one, and a damaged entry is compiled again.
import { readdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import Handlebars from "handlebars";
import runtime from "handlebars/runtime.js";
import { describe, expect, it } from "vitest";
import { compileCached } from "../generators/template-cache.js";
import { temporaryCacheDir } from "./helpers/cache-dir.js";

const SOURCE = "server {{name}};\n{{#each ports}}listen {{this}};\n{{/each}}{{> tail}}\n";
const OPTIONS = { noEscape: true, strict: true };
const CONTEXT = { name: "a&b", ports: [80, 443] };

/** Handlebars' runtime alone, as generators/template.ts uses it: the compiler is loaded only for a miss. */
function instance(): typeof Handlebars {
  const handlebars = (runtime as unknown as typeof Handlebars).create();
  handlebars.registerPartial("tail", compileCached(handlebars, "# {{name}}", OPTIONS));
  return handlebars;
}

describe("the compiled-template cache", () => {
  const cacheDir = temporaryCacheDir("template-cache", "each");

  it("renders as Handlebars.compile does, first compiled, then from the kept entry", () => {
    const full = Handlebars.create();
    full.registerPartial("tail", full.compile("# {{name}}", OPTIONS));
    const expected = full.compile(SOURCE, OPTIONS)(CONTEXT);
    expect(expected).toBe("server a&b;\nlisten 80;\nlisten 443;\n# a&b\n");
    expect(compileCached(instance(), SOURCE, OPTIONS)(CONTEXT)).toBe(expected);
    // The template and its partial.
    expect(readdirSync(path.join(cacheDir(), "handlebars"))).toHaveLength(2);
    expect(compileCached(instance(), SOURCE, OPTIONS)(CONTEXT)).toBe(expected);
  });

  it("stays strict: a missing field is an error, as with compile", () => {
    const template = compileCached(instance(), SOURCE, OPTIONS);
    expect(() => template({ ports: [] })).toThrow(/"name" not defined/);
    expect(() => compileCached(instance(), SOURCE, OPTIONS)({ ports: [] })).toThrow(/"name" not defined/);
  });

  it("compiles again when the kept entry is damaged, and keeps a different text apart", () => {
    compileCached(instance(), SOURCE, OPTIONS);
    for (const entry of readdirSync(path.join(cacheDir(), "handlebars")))
      writeFileSync(path.join(cacheDir(), "handlebars", entry), "{ not javascript");
    expect(compileCached(instance(), SOURCE, OPTIONS)(CONTEXT)).toBe("server a&b;\nlisten 80;\nlisten 443;\n# a&b\n");
    expect(compileCached(instance(), "other {{name}}", OPTIONS)(CONTEXT)).toBe("other a&b");
    expect(readdirSync(path.join(cacheDir(), "handlebars"))).toHaveLength(3);
  });
});
