import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../src/core/package-root.js";
import Handlebars from "handlebars";

/** Templates stay in generators/nginx/ and are read in place (see packageRoot). */
function templateDir(): string {
  return path.join(packageRoot(), "generators", "nginx");
}

const PARTIALS = ["tls"] as const;
// nginx and ModSecurity configuration is not HTML: nothing is escaped. Strict: a missing field is a bug.
const COMPILE_OPTIONS = { noEscape: true, strict: true } as const;

let handlebars: typeof Handlebars | undefined;
const compiled = new Map<string, Handlebars.TemplateDelegate>();

function instance(): typeof Handlebars {
  if (handlebars) return handlebars;
  const created = Handlebars.create();
  created.registerHelper("join", (items: readonly string[], separator: string) => items.join(separator));
  for (const name of PARTIALS) created.registerPartial(name, created.compile(read(`${name}.hbs`), COMPILE_OPTIONS));
  handlebars = created;
  return created;
}

function read(file: string): string {
  return readFileSync(path.join(templateDir(), file), "utf8");
}

/** Renders `generators/nginx/<file>` with a plain-object context (Handlebars refuses class getters). */
export function render(file: string, context: object): string {
  let template = compiled.get(file);
  if (!template) {
    template = instance().compile(read(file), COMPILE_OPTIONS);
    compiled.set(file, template);
  }
  return template(context);
}
