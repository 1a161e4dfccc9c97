import { PLAIN, styleFor, type Style } from "./style.js";

/** Where a command writes: results to `out`, diagnostics to `err`, highlighted with `errStyle`. */
export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** How diagnostics are highlighted; plain when absent. */
  readonly errStyle?: Style;
  /** How results on `out` are highlighted (a report for a person); plain when absent. */
  readonly outStyle?: Style;
}

/**
 * The process's own streams, each touched only when first used: Node builds process.stderr and stdout (and loads
 * their tty or pipe modules) on first access, a cost at the start of every build that prints nothing.
 */
export function processOutput(): Output {
  return {
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    get errStyle() {
      return styleFor(process.stderr);
    },
    get outStyle() {
      return styleFor(process.stdout);
    },
  };
}

export function outStyleOf(io: Output): Style {
  return io.outStyle ?? PLAIN;
}

/**
 * The style of diagnostics, read when the first one is highlighted: reading it builds process.stderr (and loads
 * the modules of a pipe or a terminal), which a build that prints nothing never needs.
 */
export function errStyleOf(io: Output): Style {
  let style: Style | undefined;
  const get = (): Style => (style ??= io.errStyle ?? PLAIN);
  return { error: (text) => get().error(text), warning: (text) => get().warning(text) };
}

/** A machine-readable result on stdout: one JSON document, keys in a fixed order, and a final newline. */
export function printJson(io: Output, document: unknown): void {
  io.out(`${JSON.stringify(document, null, 2)}\n`);
}
