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
    const match = /^(.*?)(\d+)$/.exec(name);
    const number = match ? Number(match[2]) : Number.NaN;
    if (!match || !Number.isSafeInteger(number) || (match[2]!.length > 1 && match[2]!.startsWith("0"))) {
      flush();
      parts.push(name);
      continue;
    }
    const prefix = match[1]!;
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
