import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import path from "node:path";
import { makePrivateFolder, writePrivateFile } from "../core/private-files.js";
import type { Overlay } from "./plan.js";
import * as problem from "./problems.js";
import type { ProvisionProblem } from "./problems.js";

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

/** Overlays hold private keys: each is its owner's alone, in a folder only its owner may list. */
export function writeOverlays(dir: string, overlays: readonly Overlay[]): string[] {
  makePrivateFolder(dir);
  return overlays.map((overlay) => {
    const target = overlayFile(dir, overlay.hostname);
    writePrivateFile(target, overlay.content);
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
