import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/*
 * Files that must stay private (node keys, Docker secrets, user-data, an operator's key): written where git
 * would not commit them, readable by their owner alone.
 */

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

/** True when `dir` is `parent` or a folder below it. */
export function isInside(dir: string, parent: string): boolean {
  const relative = path.relative(path.resolve(parent), path.resolve(dir));
  return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * True when `file` lies in a git work tree that does not ignore it. `git check-ignore` exits 0 for an ignored
 * path, 1 for one that is not, 128 outside a repository; without git there is no repository to guard.
 */
export function gitWouldCommit(file: string): boolean {
  const cwd = nearestExistingFolder(path.dirname(file));
  const run = spawnSync("git", ["check-ignore", "-q", file], { cwd, stdio: "ignore" });
  return run.error === undefined && run.status === 1;
}

function nearestExistingFolder(dir: string): string {
  let current = path.resolve(dir);
  while (!existsSync(current) && path.dirname(current) !== current) current = path.dirname(current);
  return current;
}
