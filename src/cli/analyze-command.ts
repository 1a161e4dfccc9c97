import { tolerance, type Tolerance } from "../analysis/failures.js";
import { hostnames } from "../analysis/failure-model.js";
import { describeLosses } from "../analysis/outcome-text.js";
import { toleranceProblem } from "../analysis/tolerance-fix.js";
import { formatProblem, type Problem } from "../core/problems.js";
import { compileProject } from "./compile.js";
import { outStyleOf, printJson, type Output } from "./output.js";
import { projectPaths } from "./project.js";
import { failureFindings, reportError } from "./report-error.js";
import { commandProblem, countBySeverity, findingJson, type FindingJson } from "./report-findings.js";

export interface AnalyzeOptions {
  readonly config: string;
  /** How many simultaneous node losses the cluster must tolerate. */
  readonly fail?: number | undefined;
  readonly json?: boolean | undefined;
}

/** `analyze --json` on stdout. */
export interface AnalyzeJson {
  readonly command: "analyze";
  /** No error among the findings (the tolerance asked for included). */
  readonly ok: boolean;
  /** The simultaneous node losses asked for (`--fail`). */
  readonly fail: number;
  /** Sets of `fail` nodes tried, and how many break something; null when the config did not compile. */
  readonly sets: { readonly checked: number; readonly breaking: number } | null;
  /** The first set that breaks something, and what it breaks; null when every set is tolerated. */
  readonly firstBreaking: { readonly nodes: readonly string[]; readonly breaks: string } | null;
  readonly findings: readonly FindingJson[];
}

/**
 * The architecture analysis for a person: every availability finding with its fix, and whether the cluster
 * rides out any `--fail` nodes lost at once (naming the first set that it does not). Exit 1 on an error.
 */
export async function runAnalyze(options: AnalyzeOptions, io: Output): Promise<number> {
  const fail = options.fail ?? 1;
  const paths = projectPaths(options.config);
  const document = (fields: Omit<AnalyzeJson, "command" | "fail" | "ok">, ok: boolean): number => {
    printJson(io, { command: "analyze", ok, fail, ...fields } satisfies AnalyzeJson);
    return ok ? 0 : 1;
  };
  let found: { findings: readonly Problem[]; tolerance: Tolerance; describe: () => { nodes: string[]; breaks: string } | null };
  try {
    const result = await compileProject(paths, false);
    const { failures } = result.ha;
    const nodes = failures.model.nodes.length;
    if (fail > nodes) {
      const problem = commandProblem(
        "analyze/fail-too-large",
        `--fail ${fail} asks for more node losses than the cluster has nodes (${nodes})`,
        `pass --fail 1 to ${nodes}`,
      );
      if (options.json) return document({ sets: null, firstBreaking: null, findings: [findingJson(problem)] }, false);
      io.err(`swarm-cluster: ${problem.message}\n`);
      return 1;
    }
    const asked = fail === 2 ? failures.pairs : tolerance(failures.model, fail);
    const extra = fail >= 2 ? toleranceProblem(failures.model, asked) : undefined;
    found = {
      findings: [...(extra ? [extra] : []), ...result.problems, ...result.ha.findings],
      tolerance: asked,
      describe: () =>
        asked.first ? { nodes: hostnames(failures.model, asked.first.lost), breaks: describeLosses(failures.model, asked.first) } : null,
    };
  } catch (error) {
    if (!options.json) return reportError(error, io);
    return document({ sets: null, firstBreaking: null, findings: failureFindings(error).map(findingJson) }, false);
  }

  const errors = countBySeverity(found.findings, "error");
  const { checked, breaking } = found.tolerance;
  if (options.json)
    return document(
      { sets: { checked, breaking }, firstBreaking: found.describe(), findings: found.findings.map(findingJson) },
      errors === 0,
    );

  const style = outStyleOf(io);
  // A note's hint says nothing to do ("nothing to fix"): only errors and warnings print one.
  for (const finding of found.findings) {
    io.out(`${formatProblem(finding.severity === "info" ? { ...finding, hint: "" } : finding, { style, codeFrame: true })}\n`);
  }
  const first = found.describe();
  const verdict = first
    ? `no: losing ${first.nodes.join(" and ")} ${first.breaks} (${breaking} of ${checked} sets break something)`
    : `yes (${checked} sets tried)`;
  io.out(
    `\n${errors} error(s), ${countBySeverity(found.findings, "warning")} warning(s), ${countBySeverity(found.findings, "info")} note(s). ` +
      `Any ${fail} node(s) lost at once: ${verdict}.\n`,
  );
  return errors > 0 ? 1 : 0;
}
