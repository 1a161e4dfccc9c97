import type { FrontProxy } from "../../src/constructs/front-proxy.js";
import type { Problem } from "../../src/core/problems.js";

/** nginx versions from which `http2 on;` replaces the deprecated `listen … http2` parameter. */
const HTTP2_DIRECTIVE_SINCE = [1, 25, 1] as const;

/** `[major, minor, patch]` of a `major.minor[.patch]` version; undefined when it is not one. */
export function parseNginxVersion(version: string): [number, number, number] | undefined {
  const match = /^(\d+)\.(\d+)(?:\.(\d+))?$/.exec(version);
  return match ? [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)] : undefined;
}

/** True when the nginx of this version takes `http2 on;` (and deprecates `listen … ssl http2`). */
export function usesHttp2Directive(version: readonly [number, number, number]): boolean {
  for (let i = 0; i < 3; i++) {
    const [have, since] = [version[i] ?? 0, HTTP2_DIRECTIVE_SINCE[i] ?? 0];
    if (have !== since) return have > since;
  }
  return true;
}

/**
 * What the nginx configuration relies on outside itself: a readable version, two distinct listen ports, the
 * php Service reachable on an overlay nginx joins, and every site's files at the same path in nginx and in php-fpm.
 */
export function frontProxyProblems(proxy: FrontProxy): Problem[] {
  const problems: Problem[] = [];
  const report = (code: string, field: string, message: string, hint: string) =>
    problems.push({ code, construct: proxy.path, field, message, hint, location: proxy.location });

  const version = proxy.settings.layout.nginxVersion;
  if (!parseNginxVersion(version)) {
    report("nginx/version-unreadable", "layout.nginxVersion", `"${version}" is not a major.minor[.patch] nginx version`, 'give the image\'s nginx version, e.g. "1.26"');
  }

  // A port outside 1-65535 is the Service's problem: its published target is this port.
  const { httpPort, httpsPort } = proxy.settings.layout;
  if (httpPort === httpsPort) {
    report("nginx/listen-port-shared", "layout.httpsPort", `HTTP and HTTPS both listen on port ${httpPort}`, "give HTTPS its own port (443 by default)");
  }

  const nginxNetworks = new Set(proxy.service.networks);
  if (!proxy.php.networks.some((network) => nginxNetworks.has(network))) {
    report(
      "nginx/php-unreachable",
      "php",
      `php service "${proxy.php.name}" joins none of nginx's overlays, so ${proxy.settings.fastcgiUpstream} does not resolve`,
      "put the php service's overlay (appnet) in the FrontProxy's networks",
    );
  }

  const phpVolumes = new Set(proxy.php.props.volumes ?? []);
  const roots = new Map<string, string>();
  for (const site of proxy.sites) {
    if (!phpVolumes.has(site.volumeMount()) && !phpVolumes.has(site.volumeMount({ readOnly: true }))) {
      report(
        "nginx/site-volume-not-in-php",
        "php",
        `php service "${proxy.php.name}" does not mount ${site.volumeMount()}: nginx would serve files php-fpm cannot run, at paths it does not have`,
        `add site.volumeMount() to the volumes of the php service`,
      );
    }
    const other = roots.get(site.root);
    if (other) {
      report("nginx/shared-site-root", "sites", `sites "${other}" and "${site.name}" both have the document root ${site.root}`, "give each site its own root");
    }
    roots.set(site.root, site.name);
  }
  return problems;
}
