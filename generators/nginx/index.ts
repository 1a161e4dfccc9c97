import { FrontProxy, NGINX_FILES } from "../../src/constructs/front-proxy.js";
import { ConfigError } from "../../src/core/problems.js";
import type { Site } from "../../src/model/site.js";
import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { render } from "./templates.js";

/**
 * nginx + ModSecurity configuration of the FrontProxy: nginx.conf, the ModSecurity/CRS entry point and one
 * server file per Site. The stacks generator turns them into the Docker configs the FrontProxy mounts.
 */
export const nginxGenerator: Generator = {
  name: "nginx",
  generate({ cluster }): GeneratedFile[] {
    const proxies = cluster.all(FrontProxy);
    const [proxy, ...others] = proxies;
    if (!proxy) return [];
    if (others.length > 0) {
      throw new ConfigError(
        others.map((other) => ({
          code: "nginx/second-front-proxy",
          construct: other.path,
          field: "",
          message: `a FrontProxy is already declared at ${proxy.path}; both would write out/nginx/`,
          hint: "declare one FrontProxy and give it every Site",
          location: other.location,
        })),
      );
    }
    return renderFrontProxy(proxy);
  },
};

function renderFrontProxy(proxy: FrontProxy): GeneratedFile[] {
  const delivery = { kind: "stack", stack: proxy.stack.name } as const;
  const base = { notice: GENERATED_NOTICE, ...proxy.settings };
  return [
    { path: NGINX_FILES.main, content: render("nginx.conf.hbs", base), construct: proxy.path, delivery },
    { path: NGINX_FILES.modsecurity, content: render("modsecurity.conf.hbs", base), construct: proxy.path, delivery },
    ...proxy.sites.map((site) => ({
      path: NGINX_FILES.site(site),
      content: render("site.conf.hbs", { ...base, site: siteView(site), aliases: site.domains.slice(1) }),
      construct: site.path,
      delivery,
    })),
  ];
}

/** Handlebars only reads own properties, not class getters: hand it a plain object. */
function siteView(site: Site) {
  return { name: site.name, domains: site.domains, root: site.root, canonicalDomain: site.canonicalDomain };
}
