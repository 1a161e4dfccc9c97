import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";

/** Keys, secrets and user-data: only their owner may list the folder or read a file. */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

/** Creates the folder owner-only; one that existed is narrowed too, as mkdir leaves its mode alone. */
export function makePrivateFolder(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  chmodSync(dir, FOLDER_MODE);
}

/**
 * Written to a 0600 temporary file and renamed over the old one, so no reader ever sees it wider than `mode`
 * or half-written. `mode` (0600 unless given) is set before the rename: a public file beside a key may be wider.
 */
export function writePrivateFile(target: string, content: string, mode: number = FILE_MODE): void {
  const temporary = `${target}.tmp-${process.pid}`;
  try {
    writeFileSync(temporary, content, { mode: FILE_MODE, flag: "wx" });
    chmodSync(temporary, mode); // the umask may only narrow it, but say it plainly
    renameSync(temporary, target);
  } finally {
    if (existsSync(temporary)) rmSync(temporary, { force: true });
  }
}
