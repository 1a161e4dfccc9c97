import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Overlay } from "./plan.js";
import * as problem from "./problems.js";
import type { ProvisionProblem } from "./problems.js";

/** Overlays hold private keys: only their owner may list the folder or read a file. */
const FOLDER_MODE = 0o700;
const FILE_MODE = 0o600;

export function overlayFile(dir: string, hostname: string): string {
  return path.join(dir, `${hostname}.ign`);
}

/**
 * Refuses a folder where an overlay could end up committed: inside out/ (committed by design), or inside a
 * git work tree whose ignore rules do not cover it. Outside any repository there is nothing to commit to.
 */
export function checkOverlayFolder(dir: string, outDir: string, display: (file: string) => string): ProvisionProblem | undefined {
  if (isInside(dir, outDir)) return problem.insideOut(display(dir), display(outDir));
  if (gitWouldCommit(overlayFile(dir, "node"))) return problem.notIgnored(display(dir));
  return undefined;
}

/** Each overlay written to a 0600 temporary file and renamed over the old one, so no reader ever sees it wider. */
export function writeOverlays(dir: string, overlays: readonly Overlay[]): string[] {
  mkdirSync(dir, { recursive: true, mode: FOLDER_MODE });
  chmodSync(dir, FOLDER_MODE); // a folder that existed keeps its mode otherwise
  return overlays.map((overlay) => {
    const target = overlayFile(dir, overlay.hostname);
    const temporary = `${target}.tmp-${process.pid}`;
    try {
      writeFileSync(temporary, overlay.content, { mode: FILE_MODE, flag: "wx" });
      chmodSync(temporary, FILE_MODE); // the umask may only narrow it, but say it plainly
      renameSync(temporary, target);
    } finally {
      if (existsSync(temporary)) rmSync(temporary, { force: true });
    }
    return target;
  });
}

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
