import type { SystemdUnit } from "../../src/model/node.js";
import { GENERATED_NOTICE, withHashHeader } from "../../src/synth/header.js";

/**
 * The text of a unit as it lands on the host: the "do not edit" banner first, a final newline last.
 * Ignition embeds this string; the systemd family copies it back out of the final Ignition config for
 * reviewers and `systemd-analyze verify`, so what is reviewed is byte for byte what boots.
 */
export function unitFileText(unit: SystemdUnit): string {
  const contents = unit.contents;
  const text = contents.endsWith("\n") ? contents : `${contents}\n`;
  return text.startsWith(`# ${GENERATED_NOTICE}`) ? text : withHashHeader(text);
}
