import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../src/core/package-root.js";
import type Handlebars from "handlebars";
// The runtime only: templates come compiled from template-cache.ts, which loads the compiler when it must.
// Named with its file (Node resolves no bare subpath of this package); its types are the full package's.
import runtime from "handlebars/runtime.js";
import { compileCached } from "./template-cache.js";

export interface TemplateOptions {
  /** Partials of the same family, by name: `{{> tls}}` reads `generators/<family>/tls.hbs`. */
  readonly partials?: readonly string[];
  /** Helpers the template calls, by name. */
  readonly helpers?: Readonly<Record<string, Handlebars.HelperDelegate>>;
}

/**
 * The one Handlebars loader of the generators. Templates stay in generators/<family>/ and are read in place
 * (see packageRoot), compiled on first use. Output is configuration text, not HTML: nothing is escaped.
 * Strict: a field the context lacks is a bug, not an empty string.
 */
export function loadTemplate(family: string, file: string, options: TemplateOptions = {}): Handlebars.TemplateDelegate {
  const compileOptions = { noEscape: true, strict: true } as const;
  const read = (name: string) => readFileSync(path.join(packageRoot(), "generators", family, name), "utf8");
  let compiled: Handlebars.TemplateDelegate | undefined;
  return (context: unknown) => {
    if (!compiled) {
      // An isolated instance per template: helpers and partials of one family never leak into another's.
      const handlebars = (runtime as unknown as typeof Handlebars).create();
      for (const [name, helper] of Object.entries(options.helpers ?? {})) handlebars.registerHelper(name, helper);
      // Compiled once per build machine and kept (template-cache.ts), not at every build.
      for (const name of options.partials ?? [])
        handlebars.registerPartial(name, compileCached(handlebars, read(`${name}.hbs`), compileOptions));
      compiled = compileCached(handlebars, read(file), compileOptions);
    }
    return compiled(context);
  };
}
