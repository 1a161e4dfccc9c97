import { contentsText } from "../../generators/ignition/data-url.js";
import type { File as IgnitionFile, IgnitionConfig } from "../imports/ignition-v3.3.js";

/** The modes a private key may have on a node: read (and, for 0600, replace) by its owner alone. */
export const PRIVATE_KEY_MODES: readonly number[] = [0o600, 0o400];

const PEM_PRIVATE_KEY = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/;
/** Names that say "private key" whatever the contents (a remote source, an encoding the reader cannot open). */
const KEY_FILE_NAME = /(?:\.key|[-_.]key\.pem)$/;

/** A key file of a node's Ignition config that someone other than root could read or own. */
export interface UnsafeKeyFile {
  readonly path: string;
  readonly reason: string;
}

/** True when the file holds a private key: by its PEM contents, or by a name that says so. */
export function isPrivateKeyFile(file: IgnitionFile): boolean {
  if (KEY_FILE_NAME.test(file.path)) return true;
  const text = contentsText(file.contents);
  return text !== undefined && PEM_PRIVATE_KEY.test(text);
}

/**
 * Every private key file of an Ignition config (the node's whole user-data, keys included) that is not
 * root's alone: mode 0600 or 0400, user and group root. Ignition writes a file without a mode 0644 and
 * without a user or group as root, so a missing mode is unsafe and a missing owner is root.
 */
export function unsafeKeyFiles(config: IgnitionConfig): UnsafeKeyFile[] {
  const unsafe: UnsafeKeyFile[] = [];
  for (const file of config.storage?.files ?? []) {
    if (!isPrivateKeyFile(file)) continue;
    const reasons: string[] = [];
    const mode = file.mode ?? 0o644;
    if (!PRIVATE_KEY_MODES.includes(mode)) reasons.push(`mode ${mode.toString(8).padStart(4, "0")} (must be 0600 or 0400)`);
    if (!isRoot(file.user)) reasons.push(`owner ${describeOwner(file.user)} (must be root)`);
    if (!isRoot(file.group)) reasons.push(`group ${describeOwner(file.group)} (must be root)`);
    if (reasons.length > 0) unsafe.push({ path: file.path, reason: reasons.join(", ") });
  }
  return unsafe;
}

type Owner = IgnitionFile["user"];

function isRoot(owner: Owner): boolean {
  if (!owner) return true;
  const { id, name } = owner;
  if (id !== undefined && id !== null && id !== 0) return false;
  if (name !== undefined && name !== null && name !== "root") return false;
  return true;
}

function describeOwner(owner: Owner): string {
  return owner?.name ?? `uid ${owner?.id}`;
}
