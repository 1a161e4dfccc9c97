import type { Problem } from "../../src/core/problems.js";
import { describeCharacter, firstOutside } from "../../src/validate/plain-token.js";
import type { Declared } from "../../src/validate/problem.js";
import type { FrontProxySettings, NginxLayout } from "./layout.js";
import { NGINX_MESSAGES } from "./messages.js";

/** What the values check reads: the resolved settings and the props that reach nginx.conf but not the settings. */
export interface FrontProxyValues {
  readonly at: Declared;
  readonly settings: FrontProxySettings;
  readonly phpPort: unknown;
  readonly replicas: unknown;
}

/**
 * A character of an unquoted nginx (or ModSecurity) argument: whitespace ends the token, `;` the directive,
 * `{` and `}` open and close blocks, quotes start a quoted token, `#` a comment, `\` escapes the next one.
 * Anything else is written as given; `*` stays, for the CRS rules glob.
 */
const TOKEN_CHARACTER = /^[^\s;{}"'#\\\p{Cc}]$/u;

/** Layout values written as one unquoted argument, with the directive that takes them (for the message). */
const LAYOUT_TOKENS: readonly { readonly field: keyof NginxLayout; readonly directive: string; readonly optional?: boolean }[] = [
  { field: "modsecurityModule", directive: "load_module" },
  { field: "geoip2Module", directive: "load_module" },
  { field: "configDir", directive: "include" },
  { field: "mimeTypes", directive: "include" },
  { field: "fastcgiParams", directive: "include" },
  { field: "crsSetup", directive: "Include (ModSecurity)" },
  { field: "crsRules", directive: "Include (ModSecurity)" },
  { field: "unicodeMapping", directive: "SecUnicodeMapFile (ModSecurity)", optional: true },
  { field: "letsencryptDir", directive: "ssl_certificate" },
  { field: "user", directive: "user" },
  { field: "listenAddress", directive: "listen", optional: true },
  { field: "statusSocket", directive: "listen", optional: true },
];

/** nginx's size syntax (ngx_parse_offset): digits with an optional k, m or g, either case. */
const NGINX_SIZE = /^\d+[kKmMgG]?$/;

/** A DNS server as `resolver` takes it: an IPv4 or IPv6 address or a hostname, with an optional port. */
const RESOLVER_CHARACTER = /^[A-Za-z0-9.:[\]-]$/;

/**
 * Every value the FrontProxy writes into nginx.conf, the site files and the ModSecurity entry point from
 * its props. Refused here, not escaped: nginx has no escaping for unquoted arguments, and a value that ends a
 * directive (`/var/www/html; autoindex on`) changes the configuration instead of failing it.
 */
export function frontProxyValueProblems({ at, settings, phpPort, replicas }: FrontProxyValues): Problem[] {
  const problems: Problem[] = [];
  const { layout } = settings;
  for (const { field, directive, optional } of LAYOUT_TOKENS) {
    problems.push(...tokenProblems(at, `layout.${field}`, layout[field], directive, optional ?? false, TOKEN_CHARACTER));
  }
  problems.push(...tokenProblems(at, "resolver", settings.resolver, "resolver", false, RESOLVER_CHARACTER));

  const size: unknown = settings.clientMaxBodySize;
  if (typeof size !== "string" || !NGINX_SIZE.test(size)) {
    problems.push(NGINX_MESSAGES.problem("nginx/size-invalid", at, "clientMaxBodySize", { value: size }));
  }

  const agents: unknown = settings.blockedUserAgents;
  if (Array.isArray(agents)) {
    agents.forEach((pattern: unknown, index) => {
      const reason = userAgentPatternFault(pattern);
      if (reason)
        problems.push(NGINX_MESSAGES.problem("nginx/user-agent-pattern-invalid", at, `blockedUserAgents[${index}]`, { pattern, reason }));
    });
  } else {
    problems.push(NGINX_MESSAGES.problem("nginx/not-a-list", at, "blockedUserAgents", { value: agents }));
  }

  if (settings.geoip) problems.push(...countryProblems(at, settings.geoip));

  if (phpPort !== undefined && !(typeof phpPort === "number" && Number.isInteger(phpPort) && phpPort >= 1 && phpPort <= 65535)) {
    problems.push(NGINX_MESSAGES.problem("nginx/port-out-of-range", at, "phpPort", { value: phpPort }));
  }
  // A negative or fractional count is the nginx Service's schema problem; zero is valid there, not here.
  if (replicas === 0) problems.push(NGINX_MESSAGES.problem("nginx/no-replicas", at, "replicas", {}));
  return problems;
}

/**
 * Region names ICU knows; an unassigned code comes back as itself or "Unknown Region". Made on first use:
 * loading ICU's region names cost every build some 10 ms at start-up, and only a geoip allow-list needs them.
 */
let regionNames: Intl.DisplayNames | undefined;
/** Codes ICU names that are no country GeoIP2 reports: groupings and reserved codes. */
const NOT_COUNTRIES = new Set(["EU", "EZ", "UN", "QO", "ZZ"]);

function isCountryCode(value: unknown): boolean {
  if (typeof value !== "string" || !/^[A-Z]{2}$/.test(value) || NOT_COUNTRIES.has(value)) return false;
  regionNames ??= new Intl.DisplayNames(["en"], { type: "region" });
  const name = regionNames.of(value);
  return name !== undefined && name !== value && name !== "Unknown Region";
}

/** The allow-list's codes: ISO 3166-1 alpha-2, each once, at least one; the database path one token. */
function countryProblems(at: Declared, geoip: { readonly database: string; readonly countries: unknown }): Problem[] {
  const problems = tokenProblems(at, "geoipDatabase", geoip.database, "geoip2", false, TOKEN_CHARACTER);
  const countries = geoip.countries;
  if (!Array.isArray(countries))
    return [...problems, NGINX_MESSAGES.problem("nginx/not-a-list", at, "geoipCountries", { value: countries })];
  if (countries.length === 0) problems.push(NGINX_MESSAGES.problem("nginx/no-countries", at, "geoipCountries", {}));
  const seen = new Set<string>();
  countries.forEach((value: unknown, index) => {
    const field = `geoipCountries[${index}]`;
    if (!isCountryCode(value)) problems.push(NGINX_MESSAGES.problem("nginx/country-invalid", at, field, { value }));
    else if (seen.has(value as string))
      problems.push(NGINX_MESSAGES.problem("nginx/country-repeated", at, field, { value: value as string }));
    else seen.add(value as string);
  });
  return problems;
}

function tokenProblems(at: Declared, field: string, value: unknown, directive: string, optional: boolean, allowed: RegExp): Problem[] {
  if (typeof value !== "string") return [NGINX_MESSAGES.problem("nginx/not-a-string", at, field, { value })];
  if (value === "") return optional ? [] : [NGINX_MESSAGES.problem("nginx/empty-argument", at, field, { directive })];
  const offending = firstOutside(value, allowed);
  return offending ? [NGINX_MESSAGES.problem("nginx/unsafe-argument", at, field, { value, offending, directive })] : [];
}

/**
 * Why a pattern cannot be a `"~*…"` key of the user-agent map, or undefined when it can. nginx compiles it
 * with PCRE; JavaScript's RegExp is the approximation checked here (what both reject is most of what a typo
 * produces). `"` would end the quoted key, a trailing `\` would escape the closing quote, `;` and line
 * breaks end the map entry; an empty pattern matches every user agent, so every visitor would get no answer.
 */
function userAgentPatternFault(pattern: unknown): string | undefined {
  if (typeof pattern !== "string") return "it is not a string";
  if (pattern === "") return "it is empty, and an empty pattern matches every user agent: every visitor would be refused";
  const breaking = [...pattern].find((character) => character === '"' || character === ";" || /[\p{Cc}]/u.test(character));
  if (breaking !== undefined) return `it contains ${describeCharacter(breaking)}, which would end the quoted map key in nginx.conf`;
  if (/(^|[^\\])(\\\\)*\\$/.test(pattern)) return "it ends with a lone backslash, which would escape the closing quote of the map key";
  try {
    new RegExp(pattern, "i");
  } catch (error) {
    return `it is not a valid regular expression (${(error as Error).message.replace(/^Invalid regular expression: /, "")})`;
  }
  return undefined;
}
