import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";

/**
 * The repository root, found from this module: templates stay in generators/<family>/ and are read from
 * there both by the TypeScript sources (tests) and by the compiled dist/ code.
 */
function repositoryRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("swarm-cluster: cannot find the repository root (package.json)");
    dir = parent;
  }
  return dir;
}

/** Compiles generators/<family>/<file> once; `noEscape` because the output is config text, not HTML. */
export function loadTemplate(family: string, file: string): Handlebars.TemplateDelegate {
  let compiled: Handlebars.TemplateDelegate | undefined;
  return (context: unknown) => {
    compiled ??= Handlebars.compile(readFileSync(path.join(repositoryRoot(), "generators", family, file), "utf8"), {
      noEscape: true,
      strict: true,
    });
    return compiled(context);
  };
}
