import { entry, shown } from "../../src/validate/messages.js";
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
    ({ php, mount }) =>
      `php service "${php}" does not mount ${mount}: nginx would serve files php-fpm cannot run, at paths it does not have`,
    "add site.volumeMount() to the volumes of the php service",
  ),
  "nginx/shared-site-root": entry<{ first: string; second: string; root: string }>(
    ({ first, second, root }) => `sites "${first}" and "${second}" both have the document root ${root}`,
    "give each site its own root",
  ),
  "nginx/unsafe-argument": entry<{ value: string; offending: string; directive: string }>(
    ({ value, offending, directive }) =>
      `${shown(value)} contains ${offending}: written as the argument of nginx's \`${directive}\`, it would end the argument or the directive, and the rest would be read as configuration`,
    "give a single token: no whitespace, line breaks, ; { } quotes, # or backslash",
  ),
  "nginx/empty-argument": entry<{ directive: string }>(
    ({ directive }) => `is empty, but nginx's \`${directive}\` needs an argument`,
    "give the value (leave the prop out for the default)",
  ),
  "nginx/not-a-string": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a string`,
    "give a string (the config is not type-checked at build time: run `tsc --noEmit` to catch this earlier)",
  ),
  "nginx/not-a-list": entry<{ value: unknown }>(({ value }) => `${shown(value)} is not a list`, "give a list of strings"),
  "nginx/size-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not an nginx size`,
    "write digits with an optional unit k, m or g (either case), e.g. 2048m; 0 lifts the limit",
  ),
  "nginx/user-agent-pattern-invalid": entry<{ pattern: unknown; reason: string }>(
    ({ pattern, reason }) => `user-agent pattern ${shown(pattern)} cannot be used: ${reason}`,
    'give a non-empty regular expression (nginx matches it case-insensitively, with PCRE) without " or ; (write \\x22 or \\x3b to match them)',
  ),
  "nginx/port-out-of-range": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a port: nginx would pass PHP requests to an address that does not parse`,
    "give the php-fpm port, a whole number from 1 to 65535 (9000 by default)",
  ),
  "nginx/country-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not an ISO 3166-1 alpha-2 country code`,
    'give two capital letters of an assigned country, as GeoIP2 reports them: "DE", "FR", "US"',
  ),
  "nginx/country-repeated": entry<{ value: string }>(({ value }) => `"${value}" is listed twice`, "list each country once"),
  "nginx/no-countries": entry<Record<string, never>>(
    () => "the country allow-list is empty: every public address would be refused",
    "list the allowed countries, or leave geoipCountries out for no allow-list",
  ),
  "nginx/no-replicas": entry<Record<string, never>>(
    () => "0 replicas: no nginx would run, so no site is served",
    "leave `replicas` out (one per front node) or give 1 or more",
  ),
});
