import type { Problem } from "../../src/core/problems.js";
import type { Site } from "../../src/model/site.js";
import type { Service } from "../../src/model/stack.js";
import type { Declared } from "../../src/validate/problem.js";
import type { FrontProxySettings } from "./layout.js";
import { NGINX_MESSAGES } from "./messages.js";
import { parseNginxVersion } from "./version.js";

/** What a FrontProxy hands its checks: its settings, its nginx and php services and its sites. */
export interface FrontProxyParts {
  readonly at: Declared;
  readonly settings: FrontProxySettings;
  readonly nginx: Service;
  readonly php: Service;
  readonly sites: readonly Site[];
}

/**
 * What the nginx configuration relies on outside itself: a readable version, two distinct listen ports, the
 * php Service reachable on an overlay nginx joins, and every site's files at the same path in nginx and in php-fpm.
 */
export function frontProxyProblems({ at, settings, nginx, php, sites }: FrontProxyParts): Problem[] {
  const problems: Problem[] = [];
  const { layout } = settings;
  if (!parseNginxVersion(layout.nginxVersion)) {
    problems.push(NGINX_MESSAGES.problem("nginx/version-unreadable", at, "layout.nginxVersion", { version: layout.nginxVersion }));
  }
  // A port outside 1-65535 is the Service's problem: its published target is this port.
  if (layout.httpPort === layout.httpsPort) {
    problems.push(NGINX_MESSAGES.problem("nginx/listen-port-shared", at, "layout.httpsPort", { port: layout.httpPort }));
  }
  const nginxNetworks = new Set(nginx.networks);
  if (!php.networks.some((network) => nginxNetworks.has(network))) {
    problems.push(NGINX_MESSAGES.problem("nginx/php-unreachable", at, "php", { php: php.name, upstream: settings.fastcgiUpstream }));
  }
  const phpVolumes = new Set(php.props.volumes ?? []);
  const roots = new Map<string, string>();
  for (const site of sites) {
    if (!phpVolumes.has(site.volumeMount()) && !phpVolumes.has(site.volumeMount({ readOnly: true }))) {
      problems.push(NGINX_MESSAGES.problem("nginx/site-volume-not-in-php", at, "php", { php: php.name, mount: site.volumeMount() }));
    }
    const other = roots.get(site.root);
    if (other)
      problems.push(NGINX_MESSAGES.problem("nginx/shared-site-root", at, "sites", { first: other, second: site.name, root: site.root }));
    roots.set(site.root, site.name);
  }
  return problems;
}
