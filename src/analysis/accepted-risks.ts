import type { IConstruct } from "constructs";
import type { Problem } from "../core/problems.js";
import { declaredOf } from "../validate/problem.js";

const ACCEPTED_RISK = "swarm-cluster:accepted-risk";

interface RecordedRisk {
  readonly code: string;
  readonly reason: string;
}

/**
 * Accepts an availability warning on a construct, with the reason a reviewer reads in the report: the warning
 * becomes a note that says it was accepted and why, so `build --strict` passes while the risk stays in view.
 * Errors cannot be accepted: a quorum lost on one node, a broken request path or data with one copy is never
 * a choice this tool lets a config wave through. A construct's own check may honour it too, for a warning of
 * its own that is a risk rather than a mistake (an Image's base pinned by its tag only, images/base-digest-missing).
 */
export function acceptRisk(construct: IConstruct, reasons: Readonly<Record<string, string>>): void {
  for (const [code, reason] of Object.entries(reasons)) construct.node.addMetadata(ACCEPTED_RISK, { code, reason } satisfies RecordedRisk);
}

/**
 * Passes what was accepted of a construct on to a construct it makes later (a service made in the prepare
 * phase, which the config cannot reach): the findings are reported on the service.
 */
export function passOnAcceptedRisks(from: IConstruct, to: IConstruct): void {
  for (const entry of from.node.metadata) if (entry.type === ACCEPTED_RISK) to.node.addMetadata(ACCEPTED_RISK, entry.data);
}

/** The warnings of `findings` that a construct accepted, turned into notes carrying the reason. */
export function applyAcceptedRisks(findings: readonly Problem[], constructs: readonly IConstruct[]): Problem[] {
  const accepted = new Map<string, string>();
  for (const construct of constructs)
    for (const entry of construct.node.metadata)
      if (entry.type === ACCEPTED_RISK) {
        const { code, reason } = entry.data as RecordedRisk;
        accepted.set(`${declaredOf(construct).path}\u0000${code}`, reason);
      }
  if (accepted.size === 0) return [...findings];
  return findings.map((finding) => {
    const reason = accepted.get(`${finding.construct}\u0000${finding.code}`);
    if (reason === undefined || finding.severity !== "warning") return finding;
    return {
      ...finding,
      severity: "info",
      message: `${finding.message} (accepted: ${reason})`,
      hint: "accepted in the config with `acceptRisk`",
    };
  });
}
