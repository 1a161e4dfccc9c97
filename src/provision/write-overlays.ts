import path from "node:path";
import { gitWouldCommit, isInside, makePrivateFolder, writePrivateFile } from "../core/private-files.js";
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
