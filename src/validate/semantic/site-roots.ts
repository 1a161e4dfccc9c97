import type { Problem } from "../../core/problems.js";
import { problem } from "../problem.js";
import { firstOutside } from "../plain-token.js";
import type { CheckContext } from "./context.js";

/**
 * The characters of a document root: nginx writes it as the one argument of `root`, and Docker reads it as
 * the target of the short volume syntax `<volume>:<root>[:ro]`. Whitespace, `;`, `{`, `}`, quotes and `#`
 * would end the nginx token or directive (`/var/www/html; autoindex on` adds a directive), `:` would split
 * the mount, and `$` would be an nginx variable where php-fpm sees a literal path.
 */
const ROOT_CHARACTER = /^[A-Za-z0-9._~@+=,%/-]$/;

export function checkSiteRoots({ cluster }: CheckContext): Problem[] {
  return cluster.sites.flatMap((site) => {
    // Not a string, or not absolute: the schema reports it.
    if (typeof site.root !== "string" || !site.root.startsWith("/")) return [];
    const offending = firstOutside(site.root, ROOT_CHARACTER);
    if (!offending) return [];
    const splits = offending === '":"' ? "mount" : "directive";
    return [problem("site/root-not-a-plain-path", site, "root", { root: site.root, offending, splits })];
  });
}
