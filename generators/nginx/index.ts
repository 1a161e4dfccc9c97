import { FrontProxy, NGINX_FILES } from "../../src/constructs/front-proxy.js";
import { ConfigError } from "../../src/core/problems.js";
import type { Site } from "../../src/model/site.js";
import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";
import { frontProxyProblems, parseNginxVersion, usesHttp2Directive } from "./checks.js";

const options = { partials: ["tls", "listen-https", "refuse-blocked-agents"], helpers: { join: (items: readonly string[], separator: string) => items.join(separator) } };
const templates = {
  main: loadTemplate("nginx", "nginx.conf.hbs", options),
  modsecurity: loadTemplate("nginx", "modsecurity.conf.hbs", options),
  site: loadTemplate("nginx", "site.conf.hbs", options),
};

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
    const problems = [
      ...others.map((other) => ({
        code: "nginx/second-front-proxy",
        construct: other.path,
        field: "",
        message: `a FrontProxy is already declared at ${proxy.path}; both would write out/nginx/`,
        hint: "declare one FrontProxy and give it every Site",
        location: other.location,
      })),
      ...frontProxyProblems(proxy),
    ];
    if (problems.length > 0) throw new ConfigError(problems);
    return renderFrontProxy(proxy);
  },
};

function renderFrontProxy(proxy: FrontProxy): GeneratedFile[] {
  const delivery = { kind: "stack", stack: proxy.stack.name } as const;
  const version = parseNginxVersion(proxy.settings.layout.nginxVersion) ?? [0, 0, 0];
  const { layout } = proxy.settings;
  const listen = { http: listenTarget(layout.listenAddress, layout.httpPort), https: listenTarget(layout.listenAddress, layout.httpsPort) };
  const base = { notice: GENERATED_NOTICE, ...proxy.settings, listen, http2Directive: usesHttp2Directive(version) };
  return [
    { path: NGINX_FILES.main, content: templates.main(base), construct: proxy.path, delivery },
    { path: NGINX_FILES.modsecurity, content: templates.modsecurity(base), construct: proxy.path, delivery },
    ...proxy.sites.map((site) => ({
      path: NGINX_FILES.site(site),
      content: templates.site({ ...base, site: siteView(site), aliases: site.domains.slice(1) }),
      construct: site.path,
      delivery,
    })),
  ];
}

/** The first parameter of `listen`: the bare port, or `address:port` (IPv6 addresses in brackets). */
function listenTarget(address: string, port: number): string {
  if (!address) return String(port);
  return `${address.includes(":") && !address.startsWith("[") ? `[${address}]` : address}:${port}`;
}

/** Handlebars only reads own properties, not class getters: hand it a plain object. */
function siteView(site: Site) {
  return { name: site.name, domains: site.domains, root: site.root, canonicalDomain: site.canonicalDomain };
}
