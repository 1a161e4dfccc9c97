import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { PkiState } from "../pki/state.js";
import { planOverlays } from "../provision/plan.js";
import { formatProblem, type ProvisionProblem } from "../provision/problems.js";
import { checkOverlayFolder, writeOverlays } from "../provision/write-overlays.js";
import type { Output } from "./output.js";
import type { SynthResult } from "../synth/synthesize.js";
import { OUT_PATHS } from "../synth/out-paths.js";
import { compileProject } from "./compile.js";
import { displayPath, projectPaths } from "./project.js";
import { reportError } from "./report-error.js";

export interface ProvisionOptions {
  readonly config: string;
  /** Hostnames to provision; every node when empty. */
  readonly node?: readonly string[];
  /** Folder for the overlays (default: secrets/ignition beside the config). */
  readonly out?: string | undefined;
  /** Print only errors. */
  readonly quiet?: boolean | undefined;
}

/**
 * Writes each node's user-data: its Ignition config with its private key, which out/ never holds. The public
 * part comes from a fresh in-memory build (the same compile as `build`), so it is what out/ holds when out/
 * is current. Nothing here prints key material: stdout and stderr name files, never their contents.
 */
export async function runProvision(options: ProvisionOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config);
  const { root } = paths;
  const overlayDir = path.resolve(options.out ?? path.join(root, "secrets", "ignition"));
  const display = (file: string): string => displayPath(root, file);

  const folderProblem = checkOverlayFolder(overlayDir, paths.outDir, display);
  if (folderProblem) return fail([folderProblem], io);

  let build: SynthResult;
  try {
    // Never issues: a new certificate is state to commit, which is `build`'s job.
    build = await compileProject(paths, false);
  } catch (error) {
    return reportError(error, io);
  }

  const readSecret = (relative: string): string | undefined => {
    const file = path.join(root, "secrets", relative);
    return existsSync(file) ? readFileSync(file, "utf8") : undefined;
  };
  const { overlays, problems } = planOverlays(build, (domain) => new PkiState(paths.pki, domain), options.node ?? [], readSecret);
  if (problems.length > 0) return fail(problems, io);

  const say = (text: string): void => {
    if (!options.quiet) io.out(text);
  };
  const note = (text: string): void => {
    if (!options.quiet) io.err(text);
  };
  const written = writeOverlays(overlayDir, overlays);
  for (const [index, overlay] of overlays.entries()) {
    say(`wrote ${display(written[index] ?? "")} (user-data for ${overlay.hostname})\n`);
    const committed = path.join(paths.outDir, OUT_PATHS.nodeIgnition(overlay));
    if (!existsSync(committed) || readFileSync(committed, "utf8") !== overlay.publicConfig) {
      note(
        `note: ${display(committed)} is not what the config compiles to; the overlay follows the config: run \`swarm-cluster build\` and commit out/\n`,
      );
    }
  }
  say(`${overlays.length} overlay(s) hold private keys: pass each as its machine's user-data, never commit or paste them.\n`);
  return 0;
}

function fail(problems: readonly ProvisionProblem[], io: Output): number {
  io.err(`swarm-cluster: provision: ${problems.length} problem(s); nothing was written.\n`);
  for (const entry of problems) io.err(formatProblem(entry));
  return 1;
}
