import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/**
 * What the operators' admin entry of a FrontProxy reports: its host name, allow-list and the upstreams
 * families register under it. Apart from messages.ts so the entry stays one piece of the nginx family.
 */
export const NGINX_ADMIN_MESSAGES = defineMessages({
  "nginx/admin-hostname-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a DNS host name`,
    'give a fully qualified name in lower case that the operators resolve, e.g. "admin.example.org"',
  ),
  "nginx/admin-hostname-is-site": entry<{ hostname: string; site: string }>(
    ({ hostname, site }) =>
      `${hostname} is also a domain of site "${site}": two servers would claim one name, and nginx would serve only the first`,
    "give the admin entry a name of its own (e.g. admin.<site domain>)",
  ),
  "nginx/admin-allow-empty": entry<Record<string, never>>(
    () => "the allow-list is empty: every address would get 403, and no operator could reach the admin tools",
    'list the operators\' networks in CIDR form, e.g. ["198.51.100.0/24"]',
  ),
  "nginx/admin-allow-not-cidr": entry<{ value: unknown; aligned: string | undefined }>(
    ({ value }) => `${shown(value)} is not a network in CIDR form`,
    ({ aligned }) =>
      aligned
        ? `write the network with its host bits clear, ${aligned}, or a single address as <address>/32`
        : "write an IPv4 or IPv6 network as <address>/<prefix> with its host bits clear, e.g. 198.51.100.0/24 or 203.0.113.7/32",
  ),
  "nginx/admin-path-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} cannot be a path segment of the admin entry`,
    'give one lower-case segment of letters, digits and dashes, e.g. "grafana" (served at /grafana/)',
  ),
  "nginx/admin-path-taken": entry<{ path: string; first: string; second: string }>(
    ({ path, first, second }) => `/${path}/ is registered twice, by ${first} and ${second}`,
    "give each upstream its own path",
  ),
  "nginx/admin-upstream-port": entry<{ value: unknown; service: string }>(
    ({ value, service }) => `${shown(value)} is not a port of ${service}`,
    "give the port the service listens on, a whole number from 1 to 65535",
  ),
  "nginx/admin-upstream-published": entry<{ service: string }>(
    ({ service }) =>
      `${service} is served through the admin entry but also publishes a port on the nodes, where neither the allow-list nor the password guards it`,
    "remove the service's `ports`: the front reaches it on a shared overlay",
  ),
  "nginx/admin-upstream-unreachable": entry<{ service: string }>(
    ({ service }) => `${service} joins none of the front's overlays, so nginx cannot resolve it`,
    "put the service on one of the FrontProxy's networks, or the network in the FrontProxy's",
  ),
});
