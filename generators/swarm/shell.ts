import { GENERATED_NOTICE } from "../../src/synth/header.js";

/** A word bash reads back unchanged: plain when it only has safe characters, single-quoted otherwise. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A bash script with the generated banner, strict mode and what it is for. */
export function bashScript(purpose: readonly string[], body: readonly string[]): string {
  return [
    "#!/usr/bin/env bash",
    `# ${GENERATED_NOTICE}`,
    ...purpose.map((line) => `# ${line}`),
    "set -euo pipefail",
    "",
    ...body,
    "",
  ].join("\n");
}
