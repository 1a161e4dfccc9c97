import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { MANIFEST_PATH, parseManifest } from "./manifest.js";

export class OutDirRefused extends Error {
  override name = "OutDirRefused";
}

/**
 * A build replaces its output folder wholesale (stale files must go), so it must never be pointed at a
 * folder it did not write: `--out .` would otherwise delete the repository. Replaceable means missing,
 * empty, or holding the manifest.json of an earlier build.
 */
export function assertReplaceable(outDir: string): void {
  if (!existsSync(outDir)) return;
  if (!statSync(outDir).isDirectory()) throw new OutDirRefused(`refusing to write to ${outDir}: it is a file, not a folder`);
  if (readdirSync(outDir).length === 0) return;
  const manifest = path.join(outDir, MANIFEST_PATH);
  if (existsSync(manifest) && parseManifest(readFileSync(manifest, "utf8"))?.generatedBy === "swarm-cluster") return;
  throw new OutDirRefused(
    `refusing to replace ${outDir}: it holds files but no swarm-cluster ${MANIFEST_PATH}, so it is not an earlier build. ` +
      "Point --out at an empty folder or at a previous build's output.",
  );
}
