import type { Site } from "../../src/model/site.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";
import { parseNginxVersion, usesHttp2Directive } from "./version.js";
import type { FrontProxySettings } from "./layout.js";
import type { AdminEntry } from "./admin.js";

const options = {
  partials: ["tls", "listen-https", "refuse-blocked-agents"],
  helpers: { join: (items: readonly string[], separator: string) => items.join(separator) },
};
const templates = {
  main: loadTemplate("nginx", "nginx.conf.hbs", options),
  modsecurity: loadTemplate("nginx", "modsecurity.conf.hbs", options),
  site: loadTemplate("nginx", "site.conf.hbs", options),
  admin: loadTemplate("nginx", "admin.conf.hbs", options),
};

/** nginx.conf of a front proxy: modules, limits, the WAF and an include of every site's server file. */
export function renderNginxConf(settings: FrontProxySettings): string {
  return templates.main(templateContext(settings));
}

/** The ModSecurity entry point: engine settings and the OWASP CRS the image ships. */
export function renderModsecurityConf(settings: FrontProxySettings): string {
  return templates.modsecurity(templateContext(settings));
}

/** One server file per Site: the HTTP redirect, the canonical-domain redirect and the HTTPS server. */
export function renderSiteConf(
  settings: FrontProxySettings,
  site: Site,
  tls: TlsFiles = letsEncryptFiles(settings, site.canonicalDomain),
): string {
  return templates.site({ ...templateContext(settings), site: siteView(site), aliases: site.domains.slice(1), tls });
}

/**
 * The operators' server file: the admin host name's redirect and its TLS server, guarded by the allow-list and
 * basic auth, with one location per registered upstream. The `tls` partial reads the certificate of
 * `site.canonicalDomain`: here the admin host name's.
 */
export function renderAdminConf(
  settings: FrontProxySettings,
  admin: AdminEntry,
  tls: TlsFiles = letsEncryptFiles(settings, admin.hostname),
): string {
  const upstreams = admin.upstreams.map((upstream) => ({
    path: upstream.path,
    upstream: upstream.service.address(upstream.port),
    stripPrefix: upstream.stripPrefix,
    service: upstream.service.dockerName,
  }));
  return templates.admin({
    ...templateContext(settings),
    site: { canonicalDomain: admin.hostname },
    admin: { hostname: admin.hostname, allow: admin.allow, realm: "Operators", htpasswdFile: admin.htpasswdSecret.mountPath },
    upstreams,
    tls,
  });
}

/** The certificate chain and key a TLS server reads (one file may hold both). */
export interface TlsFiles {
  readonly certificate: string;
  readonly key: string;
}

/** Let's Encrypt's layout: `<letsencryptDir>/live/<name>/{fullchain,privkey}.pem`. */
function letsEncryptFiles(settings: FrontProxySettings, serverName: string): TlsFiles {
  const live = `${settings.layout.letsencryptDir}/live/${serverName}`;
  return { certificate: `${live}/fullchain.pem`, key: `${live}/privkey.pem` };
}

function templateContext(settings: FrontProxySettings) {
  const version = parseNginxVersion(settings.layout.nginxVersion) ?? [0, 0, 0];
  const { layout } = settings;
  const listen = { http: listenTarget(layout.listenAddress, layout.httpPort), https: listenTarget(layout.listenAddress, layout.httpsPort) };
  return { notice: GENERATED_NOTICE, ...settings, listen, http2Directive: usesHttp2Directive(version) };
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
