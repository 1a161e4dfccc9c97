/**
 * Names listed compactly for a reviewer: runs of one prefix with consecutive numbers are folded,
 * `sw-node-4, sw-node-5, sw-node-6, sw-node-9` → `sw-node-4…6, sw-node-9`. Order is kept.
 */
export function foldNames(names: readonly string[]): string {
  const parts: string[] = [];
  let run: { prefix: string; first: number; last: number } | undefined;
  const flush = () => {
    if (!run) return;
    const { prefix, first, last } = run;
    if (first === last) parts.push(`${prefix}${first}`);
    else if (last === first + 1) parts.push(`${prefix}${first}`, `${prefix}${last}`);
    else parts.push(`${prefix}${first}…${last}`);
    run = undefined;
  };
  for (const name of names) {
    const [, prefix, digits] = /^(.*?)(\d+)$/.exec(name) ?? [];
    const number = Number(digits);
    // Only plain numbers fold: `node-01` and `node-1` must not read as one run.
    if (prefix === undefined || digits === undefined || !Number.isSafeInteger(number) || String(number) !== digits) {
      flush();
      parts.push(name);
      continue;
    }
    if (run && run.prefix === prefix && run.last + 1 === number) {
      run.last = number;
      continue;
    }
    flush();
    run = { prefix, first: number, last: number };
  }
  flush();
  return parts.join(", ");
}
