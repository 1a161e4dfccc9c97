import { readFileSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../src/core/package-root.js";
import Handlebars from "handlebars";

/** Compiles generators/<family>/<file> once; `noEscape` because the output is config text, not HTML. */
export function loadTemplate(family: string, file: string): Handlebars.TemplateDelegate {
  let compiled: Handlebars.TemplateDelegate | undefined;
  return (context: unknown) => {
    compiled ??= Handlebars.compile(readFileSync(path.join(packageRoot(), "generators", family, file), "utf8"), {
      noEscape: true,
      strict: true,
    });
    return compiled(context);
  };
}
