import type { Problem } from "../../core/problems.js";
import { problem } from "../problem.js";
import { repeats, type CheckContext } from "./context.js";

/**
 * Names Docker and nginx must see once. Construct ids are unique only among siblings, so two stacks (or
 * secrets, sites) declared under different parents can still share a name.
 */
export function checkNames({ cluster }: CheckContext): Problem[] {
  const domains = cluster.sites.flatMap((site) =>
    (Array.isArray(site.domains) ? site.domains : []).map((domain, index) => ({ site, domain, index })),
  );
  return [
    ...repeats(cluster.stacks, (stack) => stack.name).map(({ item, first, value }) =>
      problem("stack/duplicate-name", item, "name", { value, first: first.path }),
    ),
    ...repeats(cluster.secrets, (secret) => secret.name).map(({ item, first, value }) =>
      problem("secret/duplicate-name", item, "name", { value, first: first.path }),
    ),
    ...repeats(cluster.sites, (site) => site.name).map(({ item, first, value }) =>
      problem("site/duplicate-name", item, "name", { value, first: first.path }),
    ),
    ...repeats(domains, ({ domain }) => (typeof domain === "string" ? domain.toLowerCase() : undefined)).map(({ item, first, value }) =>
      problem("site/duplicate-domain", item.site, `domains[${item.index}]`, { value, first: first.site.path }),
    ),
  ];
}
