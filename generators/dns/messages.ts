import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the hosted zones' checks report: names DNS cannot serve, and values Route53 would refuse. */
export const DNS_MESSAGES = defineMessages({
  "dns/name-outside-zones": entry<{ name: string; zones: string }>(
    ({ name, zones }) =>
      `${name} is in none of the hosted zones declared (${zones}): no record would send visitors to the fronts, and certbot's DNS challenge could not prove it`,
    ({ name }) => `declare a HostedZone whose name is ${name} or a parent of it, or correct the name`,
  ),
  "dns/zone-name-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a DNS name`,
    'give the zone\'s domain, dot-separated labels of letters, digits and "-", e.g. "example.org"',
  ),
  "dns/zone-declared-twice": entry<{ name: string; first: string }>(
    ({ name, first }) => `zone ${name} is already declared by ${first}`,
    "declare each hosted zone once",
  ),
  "dns/zone-id-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a Route53 hosted zone id`,
    'give the id Route53 shows for the zone, upper-case letters and digits such as "Z0123456789ABCDEFGHIJ" (or leave it out)',
  ),
  "dns/ttl-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a TTL Route53 accepts`,
    "give whole seconds from 0 to 2147483647 (60 to 300 lets a change of fronts reach visitors quickly)",
  ),
  "dns/routing-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a routing policy this generator writes`,
    'give "simple" (one record set listing every front) or "multivalue" (one per front, each with a health check)',
  ),
  "dns/health-check-invalid": entry<{ value: unknown; rule: string }>(
    ({ value, rule }) => `${shown(value)} cannot be used: ${rule}`,
    "see Route53's CreateHealthCheck limits in the message, or leave the field out for the default",
  ),
  "dns/health-check-without-multivalue": entry<Record<string, never>>(
    () => "a health check is set but routing is simple: Route53 would check the fronts and still answer every address",
    'set routing: "multivalue", or leave healthCheck out',
  ),
  "dns/no-public-front": entry<Record<string, never>>(
    () => "no node running a front has a public address: the zone's records would have no value",
    "give the front nodes a `publicIp`",
  ),
  "dns/public-ipv6-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not an IPv6 address`,
    "give the node's public IPv6 address, e.g. 2001:db8::11, or leave `publicIpv6` out",
  ),
});
