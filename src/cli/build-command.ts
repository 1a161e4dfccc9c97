import path from "node:path";
import { OUT_PATHS } from "../synth/out-paths.js";
import { compareWithDisk, isSame, type TreeDifference } from "../synth/compare.js";
import { assertReplaceable, OutDirRefused } from "../synth/out-dir-guard.js";
import type { SynthResult } from "../synth/synthesize.js";
import { writeOutAtomically, writeStateFiles } from "../synth/write-out.js";
import { compileProject } from "./compile.js";
import { errStyleOf, printJson, type Output } from "./output.js";
import { projectPaths } from "./project.js";
import { failureFindings, reportError } from "./report-error.js";
import { failsStrict, type Problem } from "../core/problems.js";
import { commandProblem, countBySeverity, findingJson, printFindings, type FindingJson } from "./report-findings.js";

export type { Output } from "./output.js";

export interface BuildOptions {
  readonly config: string;
  readonly out?: string | undefined;
  /** Write nothing; exit 1 listing what a fresh build would change. */
  readonly check?: boolean | undefined;
  /** Fail on any warning, and on availability errors (model errors always fail). */
  readonly strict?: boolean | undefined;
  /** Print only errors. */
  readonly quiet?: boolean | undefined;
  /** Print one JSON document (BuildJson) on stdout instead of text. */
  readonly json?: boolean | undefined;
}

/**
 * `build --json` on stdout. `outcome`: written | unchanged (a build that matched out/ and touched nothing) |
 * up-to-date | out-of-date (`--check`) | failed (a config problem, `--strict`, or a refused out folder).
 */
export interface BuildJson {
  readonly command: "build";
  readonly ok: boolean;
  readonly outcome: "written" | "unchanged" | "up-to-date" | "out-of-date" | "failed";
  readonly outDir: string;
  /** Files the config compiles to; null when it did not compile. */
  readonly files: number | null;
  readonly changes: { readonly added: readonly string[]; readonly changed: readonly string[]; readonly removed: readonly string[] };
  /** Certificates a build with the CA key would issue. */
  readonly pendingCertificates: readonly string[];
  /** Availability findings of every severity, or why the config did not compile. */
  readonly findings: readonly FindingJson[];
}

const NO_CHANGES: TreeDifference = { added: [], changed: [], removed: [] };

export async function runBuild(options: BuildOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config, options.out);
  const json = (
    outcome: BuildJson["outcome"],
    fields: { result?: SynthResult; difference?: TreeDifference; findings: readonly Problem[] },
  ): number => {
    const ok = outcome !== "failed" && outcome !== "out-of-date";
    const difference = fields.difference ?? NO_CHANGES;
    const document: BuildJson = {
      command: "build",
      ok,
      outcome,
      outDir: paths.outDir,
      files: fields.result ? fields.result.files.length : null,
      changes: { added: difference.added, changed: difference.changed, removed: difference.removed },
      pendingCertificates: fields.result?.pendingIssues ?? [],
      findings: fields.findings.map(findingJson),
    };
    printJson(io, document);
    return ok ? 0 : 1;
  };
  const say = (text: string): void => {
    if (!options.quiet && !options.json) io.out(text);
  };
  const style = errStyleOf(io);

  let result: SynthResult;
  try {
    result = await compileProject(paths, !options.check);
  } catch (error) {
    return options.json ? json("failed", { findings: failureFindings(error) }) : reportError(error, io);
  }

  // Model warnings and every availability finding: printed, and failing --strict unless a note.
  const reported = [...result.problems, ...result.ha.findings];
  const blocking = options.strict ? reported.filter(failsStrict) : [];
  if (blocking.length > 0) {
    if (options.json) return json("failed", { result, findings: reported });
    io.err(
      `swarm-cluster: ${style.error("--strict")}: ${blocking.length} error(s) or warning(s) (availability findings and model warnings); nothing was written.\n`,
    );
    printFindings(blocking, io);
    return 1;
  }
  if (!options.json) printFindings(reported, io, { quiet: options.quiet });

  const difference = compareWithDisk(result.files, paths.outDir);
  if (options.check) {
    const upToDate = isSame(difference) && result.pendingIssues.length === 0;
    if (options.json) return json(upToDate ? "up-to-date" : "out-of-date", { result, difference, findings: reported });
    if (upToDate) {
      say(`out/ is up to date (${result.files.length} files).\n`);
      return 0;
    }
    io.err(`swarm-cluster: ${style.error("out/ differs")} from what the config compiles to:\n`);
    for (const file of difference.changed) io.err(`  changed  ${file}\n`);
    for (const file of difference.added) io.err(`  missing  ${file}\n`);
    for (const file of difference.removed) io.err(`  stale    ${file}\n`);
    for (const reason of result.pendingIssues) io.err(`  pki      ${reason}\n`);
    io.err("Run `npm run build` and commit out/ (and pki/).\n");
    return 1;
  }

  const unchanged = isSame(difference);
  if (!unchanged) {
    try {
      assertReplaceable(paths.outDir);
    } catch (error) {
      if (!(error instanceof OutDirRefused)) throw error;
      const refused = commandProblem("out/refused", error.message, "pass --out a folder that is empty or an earlier build");
      if (options.json) return json("failed", { result, difference, findings: [refused] });
      io.err(`swarm-cluster: ${style.error("error")}: ${error.message}\n`);
      return 1;
    }
  }
  writeStateFiles(result.stateWrites);
  // Nothing to change: out/ keeps its files, and their modification times, as they are.
  if (!unchanged) await writeOutAtomically(paths.outDir, result.files);
  if (options.json) return json(unchanged ? "unchanged" : "written", { result, difference, findings: reported });
  if (unchanged) {
    say(`out/ is up to date (${result.files.length} files); nothing written.\n`);
  } else {
    const changes = difference.added.length + difference.changed.length + difference.removed.length;
    say(`wrote ${result.files.length} files to ${paths.outDir} (${changes} changed)\n`);
  }
  const errors = countBySeverity(reported, "error");
  const warnings = countBySeverity(reported, "warning");
  if (errors + warnings > 0 && !options.quiet) {
    const report = path.relative(process.cwd(), path.join(paths.outDir, OUT_PATHS.availabilityReport.markdown)) || "ha-report.md";
    io.err(`${errors} availability error(s), ${warnings} warning(s): see ${report} (--strict fails on them)\n`);
  }
  return 0;
}
