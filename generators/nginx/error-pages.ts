/**
 * Custom error pages of the front proxy: nginx's own refusals and failures (a denied path, ModSecurity's 403,
 * a missing file, an unreachable php-fpm) answer with these pages instead of nginx's built-in ones, which name
 * the server. Each page is a Docker config mounted under `<configDir>/pages/`, served by an internal location.
 *
 * 444 has no page: it is nginx's code for closing the connection without any response, so nothing can be
 * sent (scanners and unknown host names are meant to get nothing at all). 5xx pages cover the errors nginx
 * produces itself (502/504 when php-fpm is down or slow, 500, 503); an error page PHP renders itself
 * (WordPress' 404 or 500) passes through unchanged (no `fastcgi_intercept_errors`).
 */
export const ERROR_PAGE_KEYS = ["403", "404", "410", "5xx"] as const;
export type ErrorPageKey = (typeof ERROR_PAGE_KEYS)[number];

/** The HTML of each page (a whole document); a code left out keeps the default page. */
export type ErrorPages = { readonly [key in ErrorPageKey]?: string };

/** What nginx answers each page for. */
const CODES: Record<ErrorPageKey, readonly number[]> = {
  "403": [403],
  "404": [404],
  "410": [410],
  "5xx": [500, 502, 503, 504],
};

const TITLES: Record<ErrorPageKey, string> = {
  "403": "403 Forbidden",
  "404": "404 Not Found",
  "410": "410 Gone",
  "5xx": "Service unavailable",
};

const TEXTS: Record<ErrorPageKey, string> = {
  "403": "You are not allowed to see this page.",
  "404": "This page does not exist.",
  "410": "This page has been removed for good.",
  "5xx": "The site cannot answer right now. Please try again in a few minutes.",
};

function defaultPage(key: ErrorPageKey): string {
  return [
    "<!doctype html>",
    '<html lang="en">',
    `<head><meta charset="utf-8"><meta name="robots" content="noindex"><title>${TITLES[key]}</title></head>`,
    `<body><h1>${TITLES[key]}</h1><p>${TEXTS[key]}</p></body>`,
    "</html>",
    "",
  ].join("\n");
}

export interface ErrorPageView {
  readonly key: ErrorPageKey;
  /** `403`, or `500 502 503 504`: the codes of the `error_page` directive. */
  readonly codes: string;
  /** The file name under `<configDir>/pages/`. */
  readonly file: string;
  readonly html: string;
}

/** Every page, in a fixed order; none when the pages are turned off (`false`). */
export function resolveErrorPages(pages: ErrorPages | false | undefined): readonly ErrorPageView[] {
  if (pages === false) return [];
  return ERROR_PAGE_KEYS.map((key) => ({ key, codes: CODES[key].join(" "), file: `${key}.html`, html: pages?.[key] ?? defaultPage(key) }));
}
