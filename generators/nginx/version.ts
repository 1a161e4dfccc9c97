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
