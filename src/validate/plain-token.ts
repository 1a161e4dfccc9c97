/**
 * Values written into a configuration file as one token (an nginx directive's argument, one side of a
 * volume mount): a character outside the expected set would end the token, or the directive, and let the
 * rest of the value be read as configuration of its own (`root /srv; autoindex on;`).
 */

/** How a character reads in a message: visible ones quoted, the invisible ones named. */
export function describeCharacter(character: string): string {
  if (character === " ") return "a space";
  if (character === "\t") return "a tab";
  if (character === "\n" || character === "\r") return "a line break";
  if (/\s/.test(character)) return "whitespace";
  const code = character.codePointAt(0) ?? 0;
  if (code < 0x20 || code === 0x7f) return `the control character U+${code.toString(16).toUpperCase().padStart(4, "0")}`;
  return `"${character}"`;
}

/** The first character of `value` outside `allowed` (a one-character class), described; undefined when there is none. */
export function firstOutside(value: string, allowed: RegExp): string | undefined {
  const character = [...value].find((each) => !allowed.test(each));
  return character === undefined ? undefined : describeCharacter(character);
}
