/**
 * Small renderers for the systemd unit files the host constructs write (and the other INI-style host
 * files: networkd .network files, NetworkManager keyfiles), so that every one has the same layout
 * (sections in the order given, one `Key=value` per line, long command lines continued) and a reviewer
 * can read one flag per line in an out/ diff.
 */

/**
 * One `Key=value` line; a key may repeat (After=, ExecStartPre=), so a section is a list, not a record.
 * The key `#` writes a comment line instead, for the why of a setting.
 */
export type UnitEntry = readonly [key: string, value: string];

/** Sections in file order, e.g. `{ Unit: [...], Service: [...], Install: [...] }`. */
export type UnitSections = Readonly<Record<string, readonly UnitEntry[]>>;

export function renderUnit(sections: UnitSections): string {
  return Object.entries(sections)
    .map(([name, entries]) => [`[${name}]`, ...entries.map(([key, value]) => (key === "#" ? `# ${value}` : `${key}=${value}`))].join("\n"))
    .join("\n\n")
    .concat("\n");
}

/**
 * A command line for ExecStart= and friends, one argument group per line: systemd joins lines ending in a
 * backslash, so the unit stays a single command while each flag gets its own diff line.
 */
export function commandLine(program: string, args: readonly string[]): string {
  return [program, ...args.map(quoteArgument)].join(" \\\n    ");
}

/**
 * systemd splits command lines on whitespace and expands `%` specifiers and `$` variables; quote and
 * escape so an argument reaches the program unchanged.
 */
export function quoteArgument(argument: string): string {
  // A function replacer: in a replacement string "$$" would itself mean a single "$".
  const escaped = argument.replaceAll("%", () => "%%").replaceAll("$", () => "$$");
  if (!/[\s"'\\;]/.test(escaped) && escaped !== "") return escaped;
  return `"${escaped.replaceAll("\\", "\\\\").replaceAll('"', '\\"')}"`;
}
