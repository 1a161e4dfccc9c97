import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import { hostnames } from "./failure-model.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";
import { describeLosses, describeScenario } from "./outcome-text.js";
import { breaksSomething } from "./simulate.js";

/**
 * Notes on what the cluster as a whole tolerates: any one node, any two, each zone. The failures behind a
 * "no" are errors of their own (quorum, request path, data); a pair is a note, as tolerating two losses
 * is a choice (`swarm-cluster analyze --fail 2` makes it a requirement).
 */
export function toleranceFindings(analysis: FailureAnalysis): Problem[] {
  const { model } = analysis;
  const cluster = model.cluster;
  if (model.nodes.length === 0) return [];
  const single = analysis.singles.find((outcome) => breaksSomething(model, outcome));
  const pair = analysis.pairs.first;
  const answer = (outcome: typeof single): string => (outcome ? `no: ${describeScenario(model, outcome)}` : "yes");
  const findings = [
    finding("info", "tolerance/nodes", cluster, {
      message:
        `any 1 node lost: ${answer(single)}; any 2 nodes lost: ${answer(pair)}` +
        (analysis.pairs.breaking > 0 ? ` (${analysis.pairs.breaking} of ${analysis.pairs.checked} pairs break something)` : ""),
      hint: "the errors above name what to change",
    }),
  ];
  for (const { zone, outcome } of analysis.zones) {
    const nodes = hostnames(model, outcome.lost);
    const broken = breaksSomething(model, outcome);
    findings.push(
      finding("info", "tolerance/zone", cluster, {
        message: `zone ${zone} lost (${listed(nodes)}): ${broken ? `no: it ${describeLosses(model, outcome)}` : "yes"}`,
        hint: "the errors above name what to change",
      }),
    );
  }
  return findings;
}
