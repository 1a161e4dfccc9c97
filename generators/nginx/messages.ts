import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the FrontProxy's checks report: what nginx.conf relies on outside itself. */
export const NGINX_MESSAGES = defineMessages({
  "nginx/version-unreadable": entry<{ version: string }>(
    ({ version }) => `"${version}" is not a major.minor[.patch] nginx version`,
    'give the image\'s nginx version, e.g. "1.26"',
  ),
  "nginx/listen-port-shared": entry<{ port: number }>(
    ({ port }) => `HTTP and HTTPS both listen on port ${port}`,
    "give HTTPS its own port (443 by default)",
  ),
  "nginx/php-unreachable": entry<{ php: string; upstream: string }>(
    ({ php, upstream }) => `php service "${php}" joins none of nginx's overlays, so ${upstream} does not resolve`,
    "put the php service's overlay (appnet) in the FrontProxy's networks",
  ),
  "nginx/site-volume-not-in-php": entry<{ php: string; mount: string }>(
    ({ php, mount }) => `php service "${php}" does not mount ${mount}: nginx would serve files php-fpm cannot run, at paths it does not have`,
    "add site.volumeMount() to the volumes of the php service",
  ),
  "nginx/shared-site-root": entry<{ first: string; second: string; root: string }>(
    ({ first, second, root }) => `sites "${first}" and "${second}" both have the document root ${root}`,
    "give each site its own root",
  ),
});
