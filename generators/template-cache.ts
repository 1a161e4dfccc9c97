import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import type Handlebars from "handlebars";
import { cacheDir } from "../src/core/cache-dir.js";

/**
 * Templates as Handlebars compiles them, kept between builds. Compiling means parsing the template with
 * Handlebars' generated parser and writing its JavaScript, which cost a build some 50-100 ms for a dozen
 * templates, every build, before V8 had warmed up. `Handlebars.precompile` gives that JavaScript as text
 * (the same code `compile` builds, with the same options); it is kept under the SHA-256 of the template's
 * text, the options and Handlebars' version, and turned back into a template with `Handlebars.template`, as
 * precompiled templates are meant to be used. The cache is outside out/ and the repository
 * (src/core/cache-dir.ts); an entry that is missing, unreadable or does not evaluate is compiled again.
 */
export function compileCached(
  handlebars: typeof Handlebars,
  source: string,
  options: Readonly<Record<string, boolean>>,
): Handlebars.TemplateDelegate {
  const key = createHash("sha256")
    .update(JSON.stringify([handlebars.VERSION, options, source]))
    .digest("hex");
  const file = path.join(cacheDir("handlebars"), `${key}.js`);
  let spec: string | undefined;
  try {
    spec = readFileSync(file, "utf8");
    return handlebars.template(evaluate(spec));
  } catch {
    // Not kept yet, or not usable: compile below.
  }
  // Typed as the spec object, precompile returns its source text.
  spec = compiler().precompile(source, options) as unknown as string;
  const template = handlebars.template(evaluate(spec));
  keep(file, spec);
  return template;
}

/**
 * Handlebars with its compiler (parser, code generator and the source-map library it uses), loaded from
 * node_modules only when a template is not kept: the bundle carries only Handlebars' runtime, which is all
 * a build with every template kept runs.
 */
function compiler(): typeof Handlebars {
  return createRequire(import.meta.url)("handlebars") as typeof Handlebars;
}

/** What `Handlebars.template` takes: the spec object a precompiled template's text describes. */
type TemplateSpec = Parameters<typeof Handlebars.template>[0];

function evaluate(spec: string): TemplateSpec {
  return new Function(`return ${spec};`)() as TemplateSpec;
}

/** Writes the entry under a temporary name and renames it, so a reader never sees half of it; errors are ignored. */
function keep(file: string, spec: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(temporary, spec);
    renameSync(temporary, file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The cache folder itself is unusable: nothing was written.
    }
  }
}
