import type { SeverityStyle } from "../core/problems.js";

/** How text is highlighted on a stream: ANSI colours on a terminal, nothing elsewhere. */
export type Style = SeverityStyle;

const same = (text: string): string => text;
const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\x1b[${open}m${text}\x1b[${close}m`;

export const PLAIN: Style = { error: same, warning: same };
export const COLOURED: Style = { error: sgr(31, 39), warning: sgr(33, 39) };

/**
 * Colour only for a terminal that can show it, and never when NO_COLOR is set to anything but the empty
 * string (no-color.org); `hasColors` also honours TERM=dumb, NODE_DISABLE_COLORS and FORCE_COLOR.
 */
export function styleFor(stream: { isTTY?: boolean; hasColors?: () => boolean }, env: NodeJS.ProcessEnv = process.env): Style {
  if (env.NO_COLOR) return PLAIN;
  return stream.isTTY === true && stream.hasColors?.() === true ? COLOURED : PLAIN;
}
