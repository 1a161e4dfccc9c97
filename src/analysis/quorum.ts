import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { Node } from "../model/node.js";
import { type GroupEntry, hostnames } from "./failure-model.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";

/** Members a majority-quorum group of `voters` can lose and keep a majority: ⌊(n−1)/2⌋. */
export function faultTolerance(voters: number): number {
  return voters > 0 ? Math.floor((voters - 1) / 2) : 0;
}

/**
 * Each majority group as the failure simulation found it: the nodes whose loss alone takes its majority
 * (an error, with the voters that would fix it named), the zones whose loss does, and otherwise what it
 * tolerates (a note). An even count buys nothing over one fewer voter (a warning).
 */
export function quorumFindings(analysis: FailureAnalysis): Problem[] {
  return analysis.model.groups.flatMap((entry, index) => groupFindings(analysis, entry, index));
}

function groupFindings(analysis: FailureAnalysis, entry: GroupEntry, index: number): Problem[] {
  const { model } = analysis;
  const { at, group } = entry;
  const { component, codePrefix, addVoter } = group.quorumDescription;
  const voters = entry.voters.length;
  const tolerates = faultTolerance(voters);
  const voterNames = hostnames(model, entry.voters);
  const onPath = model.paths.some((stages) => stages.some((stage) => stage.group === index));
  const consequence =
    index === model.swarmGroup ? ": nothing is rescheduled, deployed or scaled" : onPath ? ": the request path stops at it" : "";
  if (voters === 0) {
    return [finding("error", `${codePrefix}/no-voters`, at, { message: `${component} has no members`, hint: addVoter, tolerates })];
  }

  const findings: Problem[] = [];
  const breakers = analysis.singles.flatMap((outcome, node) => (outcome.quorumLost.includes(index) ? [node] : []));
  if (breakers.length > 0) {
    const names = hostnames(model, breakers);
    findings.push(
      finding("error", `${codePrefix}/no-fault-tolerance`, at, {
        message: `${component} has ${voters} voting member(s) (${listed(voterNames)}): losing ${names.length > 1 ? "any one of " : ""}${listed(names, "or")} loses its majority${consequence}; use 3 or 5`,
        hint: addVotersHint(entry, Math.max(1, 3 - voters)),
        tolerates,
      }),
    );
  } else {
    findings.push(
      finding("info", `${codePrefix}/quorum`, at, {
        message: `${component} has ${voters} voting members (${listed(voterNames)}) and keeps its majority after losing any ${tolerates}`,
        hint: "nothing to fix",
        tolerates,
      }),
    );
  }
  if (voters % 2 === 0 && breakers.length === 0) {
    findings.push(
      finding("warning", `${codePrefix}/even-voters`, at, {
        message: `${component} has an even number of voting members (${voters}): it tolerates no more failures than ${voters - 1}`,
        hint: `${addVotersHint(entry, 1)}, or remove one, for an odd count`,
        tolerates,
      }),
    );
  }
  for (const { zone, outcome } of analysis.zones) {
    if (!outcome.quorumLost.includes(index) || breakers.length > 0) continue;
    const inZone = entry.voters.filter((node) => model.nodes[node]?.zone === zone).length;
    findings.push(
      finding("error", `${codePrefix}/zone-loses-quorum`, at, {
        message: `losing zone ${zone} takes ${inZone} of the ${voters} voting members of ${component}: it loses its majority${consequence}`,
        hint: zoneFix(analysis, entry),
        tolerates,
      }),
    );
  }
  return findings;
}

/** The smallest change naming nodes: `count` more voters among the group's candidates, else its generic advice. */
function addVotersHint(entry: GroupEntry, count: number): string {
  const candidates = entry.group.voterCandidates().slice(0, count);
  return candidates.length === count ? entry.group.addVotersFix(candidates) : entry.group.quorumDescription.addVoter;
}

/**
 * Voters spread so that no zone holds half of them: with two zones that cannot be (one always holds half
 * or more), so a third zone is needed; with three or more, voters are added in the zones that hold fewest,
 * until the largest zone holds less than half.
 */
function zoneFix(analysis: FailureAnalysis, entry: GroupEntry): string {
  const { model } = analysis;
  const zones = [...model.zones.keys()];
  if (zones.length < 3) {
    return `add a node in a third zone and give it a vote: with ${zones.length} zones, one of them holds half the voters or more`;
  }
  const counts = new Map(zones.map((zone) => [zone, 0]));
  for (const node of entry.voters) {
    const zone = model.nodes[node]?.zone;
    if (zone !== undefined) counts.set(zone, (counts.get(zone) ?? 0) + 1);
  }
  let total = entry.voters.length;
  const pool = [...entry.group.voterCandidates()];
  const picked: Node[] = [];
  const largest = (): number => Math.max(...counts.values());
  while (2 * largest() >= total && picked.length < 4) {
    const emptiest = [...counts].filter(([zone]) => pool.some((node) => node.zone === zone)).sort((a, b) => a[1] - b[1])[0];
    if (!emptiest || emptiest[1] === largest()) break;
    const at = pool.findIndex((node) => node.zone === emptiest[0]);
    const [node] = pool.splice(at, 1);
    if (!node) break;
    picked.push(node);
    counts.set(emptiest[0], emptiest[1] + 1);
    total++;
  }
  if (2 * largest() < total && picked.length > 0) return `${entry.group.addVotersFix(picked)}, so that no zone holds half the voters`;
  const [crowded] = [...counts].sort((a, b) => b[1] - a[1])[0] ?? [""];
  return `move voters out of zone ${crowded} until no zone holds half of them`;
}
