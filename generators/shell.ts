import { GENERATED_NOTICE } from "../src/synth/header.js";

/** A word bash reads back unchanged: plain when it only has safe characters, single-quoted otherwise. */
export function shellWord(value: string): string {
  if (/^[A-Za-z0-9_.,:/=@%+-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** A bash script with the generated banner, strict mode and what it is for. */
export function bashScript(purpose: readonly string[], body: readonly string[]): string {
  return ["#!/usr/bin/env bash", `# ${GENERATED_NOTICE}`, ...purpose.map((line) => `# ${line}`), "set -euo pipefail", "", ...body, ""].join(
    "\n",
  );
}

/** The account the operator's scripts log in to nodes as (Flatcar's and Fedora CoreOS's default user). */
export const SSH_USER = "core";

/**
 * How the operator's scripts (swarm/bootstrap.sh, nodes/<host>/apply.sh) reach a node: `$SWARM_SSH`,
 * split into words so it can carry options (`ssh -J bastion`), into the array `ssh_command`.
 */
export const SSH_COMMAND_SETUP: readonly string[] = ["SWARM_SSH=${SWARM_SSH:-ssh}", 'read -r -a ssh_command <<<"$SWARM_SSH"'];
