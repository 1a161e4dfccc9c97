import { errorsOf } from "../analysis/findings.js";
import { compareWithDisk, isSame } from "../synth/compare.js";
import { assertReplaceable, OutDirRefused } from "../synth/out-dir-guard.js";
import { writeOutAtomically, writeStateFiles } from "../synth/write-out.js";
import { compileProject } from "./compile.js";
import { projectPaths } from "./project.js";
import { reportError } from "./report-error.js";

export interface BuildOptions {
  readonly config: string;
  readonly out?: string;
  /** Write nothing; exit 1 listing what a fresh build would change. */
  readonly check?: boolean;
  /** Fail on any high-availability finding of severity error. */
  readonly strict?: boolean;
}

export interface Output {
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
}

export async function runBuild(options: BuildOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config, options.out);
  let result;
  try {
    result = await compileProject(paths, !options.check);
  } catch (error) {
    return reportError(error, io.err);
  }

  const haErrors = errorsOf(result.ha);
  if (options.strict && haErrors.length > 0) {
    io.err(`swarm-cluster: --strict: ${haErrors.length} high-availability error(s); nothing was written.\n`);
    for (const finding of haErrors) io.err(`  ${finding.construct}: ${finding.code}: ${finding.message}\n`);
    return 1;
  }

  const difference = compareWithDisk(result.files, paths.outDir);
  if (options.check) {
    if (isSame(difference) && result.pendingIssues.length === 0) {
      io.out(`out/ is up to date (${result.files.length} files).\n`);
      return 0;
    }
    io.err("swarm-cluster: out/ differs from what the config compiles to:\n");
    for (const file of difference.changed) io.err(`  changed  ${file}\n`);
    for (const file of difference.added) io.err(`  missing  ${file}\n`);
    for (const file of difference.removed) io.err(`  stale    ${file}\n`);
    for (const reason of result.pendingIssues) io.err(`  pki      ${reason}\n`);
    io.err("Run `npm run build` and commit out/ (and pki/).\n");
    return 1;
  }

  try {
    assertReplaceable(paths.outDir);
  } catch (error) {
    if (!(error instanceof OutDirRefused)) throw error;
    io.err(`swarm-cluster: ${error.message}\n`);
    return 1;
  }
  writeStateFiles(result.stateWrites);
  await writeOutAtomically(paths.outDir, result.files);
  const changes = difference.added.length + difference.changed.length + difference.removed.length;
  io.out(`wrote ${result.files.length} files to ${paths.outDir} (${changes} changed)\n`);
  if (haErrors.length > 0) {
    io.out(`note: ${haErrors.length} high-availability error(s), see out/analysis/ha-report.md (--strict fails on them)\n`);
  }
  return 0;
}
