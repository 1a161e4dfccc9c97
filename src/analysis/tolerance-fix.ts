import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { FailureModel } from "./failure-model.js";
import type { Tolerance } from "./failures.js";
import { finding } from "./findings.js";
import { describeScenario } from "./outcome-text.js";
import type { Outcome } from "./simulate.js";

/**
 * The finding for a tolerance asked of the cluster (`analyze --fail N`) that some set of N nodes breaks:
 * the first such set, what it breaks, and what would let the cluster ride it out.
 */
export function toleranceProblem(model: FailureModel, tolerance: Tolerance): Problem | undefined {
  const outcome = tolerance.first;
  if (!outcome) return undefined;
  const size = tolerance.size;
  return finding("error", "tolerance/failures", model.cluster, {
    message: `the cluster does not tolerate any ${size} node(s) lost at once: ${describeScenario(model, outcome)} (${tolerance.breaking} of ${tolerance.checked} sets of ${size} break something)`,
    hint: fixesFor(model, outcome, size).join("; "),
  });
}

/** Per loss: enough voters for a majority after `size` losses, enough nodes for a task after them, enough copies. */
function fixesFor(model: FailureModel, outcome: Outcome, size: number): string[] {
  const needed = size + 1;
  const fixes = outcome.quorumLost.map((index) => {
    const entry = model.groups[index];
    if (!entry) return "";
    const missing = 2 * size + 1 - entry.voters.length;
    const candidates = entry.group.voterCandidates().slice(0, Math.max(0, missing));
    const what = entry.group.quorumDescription.component;
    if (missing <= 0) return `spread the voters of ${what} so that no ${size} node(s) hold half of them`;
    return candidates.length === missing
      ? `${entry.group.addVotersFix(candidates)} (${2 * size + 1} voters tolerate ${size} losses)`
      : `give ${what} ${2 * size + 1} voters`;
  });
  for (const broken of outcome.pathBreaks) {
    const stage = model.paths[broken.path]?.[broken.stage];
    if (!stage || broken.cause === "quorum") continue;
    const names = stage.services.map((service) => model.services[service]?.service.name ?? "");
    fixes.push(
      stage.services.length > 0
        ? `run ${listed(names)} on at least ${needed} nodes, one task each`
        : `give at least ${needed} nodes that run the front a \`publicIp\``,
    );
  }
  for (const set of outcome.dataLost)
    fixes.push(`keep ${needed} copies of ${model.dataSets[set]?.at.path ?? "the data"}'s data on distinct nodes`);
  return [...new Set(fixes.filter((fix) => fix !== ""))];
}
