import { toJson } from "../../src/core/stable-json.js";
import type { Problem } from "../../src/core/problems.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";

const HEADINGS = { error: "Errors", warning: "Warnings", info: "Notes" } as const;

/** The availability report: what the architecture tolerates and where it has single points of failure. */
export const analysisGenerator = defineGenerator({
  name: "analysis",
  generate({ cluster, ha }): GeneratedFile[] {
    const delivery = { kind: "operator" } as const;
    return [
      {
        path: OUT_PATHS.availabilityReport.json,
        content: toJson({ cluster: cluster.name, findings: ha.findings.map(reported) }),
        construct: "cluster",
        delivery,
      },
      { path: OUT_PATHS.availabilityReport.markdown, content: renderMarkdown(cluster.name, ha.findings), construct: "cluster", delivery },
    ];
  },
});

/**
 * A finding as the committed report keeps it: without its config line, which moves with every edit above
 * it and would make unrelated changes show in the report's diff (the construct path names it).
 */
function reported(finding: Problem) {
  const { severity, code, construct, message, hint, tolerates } = finding;
  return { severity, code, construct, message, hint, ...(tolerates === undefined ? {} : { tolerates }) };
}

function renderMarkdown(clusterName: string, findings: readonly Problem[]): string {
  const lines = [`<!-- ${GENERATED_NOTICE} -->`, `# High-availability report: ${clusterName}`, ""];
  const counts = (["error", "warning", "info"] as const).map(
    (s) => `${findings.filter((f) => f.severity === s).length} ${HEADINGS[s].toLowerCase()}`,
  );
  lines.push(`${counts.join(", ")}. \`swarm-cluster build --strict\` fails while there are errors or warnings.`, "");
  for (const severity of ["error", "warning", "info"] as const) {
    const group = findings.filter((finding) => finding.severity === severity);
    if (group.length === 0) continue;
    lines.push(`## ${HEADINGS[severity]}`, "");
    for (const finding of group) {
      const tolerance = finding.tolerates === undefined ? "" : ` (tolerates ${finding.tolerates} failure(s))`;
      const fix = severity === "info" ? "" : ` Fix: ${finding.hint}.`;
      lines.push(`- **${finding.code}** \`${finding.construct}\`: ${finding.message}${tolerance}.${fix}`);
    }
    lines.push("");
  }
  return lines.join("\n");
}
