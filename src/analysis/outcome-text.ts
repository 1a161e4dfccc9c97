import { listed } from "../core/wording.js";
import { type FailureModel, hostnames } from "./failure-model.js";
import { pathText } from "./path-findings.js";
import type { Outcome } from "./simulate.js";

/** What a scenario breaks, in words ("loses the majority of etcd; stops the request path at proxysql"). */
export function describeLosses(model: FailureModel, outcome: Outcome): string {
  const parts = [
    ...outcome.quorumLost.map(
      (group) => `loses the majority of ${lowerFirst(model.groups[group]?.group.quorumDescription.component ?? "a group")}`,
    ),
    ...outcome.pathBreaks.map((broken) => {
      const stages = model.paths[broken.path] ?? [];
      return `stops the request path (${pathText(stages)}) at ${stages[broken.stage]?.role ?? "?"}`;
    }),
    ...outcome.dataLost.map((set) => `leaves no copy of ${model.dataSets[set]?.at.path ?? "a data set"}'s data`),
  ];
  return parts.length > 0 ? parts.join("; ") : "breaks nothing";
}

/** "losing sw-node-1 and sw-node-2 loses the majority of …". */
export function describeScenario(model: FailureModel, outcome: Outcome): string {
  return `losing ${listed(hostnames(model, outcome.lost))} ${describeLosses(model, outcome)}`;
}

/**
 * The services a scenario leaves with no node to run on, each until one of its nodes is back
 * ("prometheus stops until sw-node-1 is back"): what a tolerated loss still costs.
 */
export function describeStops(model: FailureModel, outcome: Outcome): string[] {
  return outcome.servicesDown.flatMap((index) => {
    const entry = model.services[index];
    if (!entry) return [];
    const names = hostnames(model, entry.eligible);
    return [`${entry.service.name} stops until ${names.length > 1 ? "one of " : ""}${listed(names, "or")} is back`];
  });
}

/**
 * "The Swarm manager Raft group" as the middle of a sentence has it; a name whose first word has two capitals
 * ("XtraDB cluster", "ProxySQL") stays as it is.
 */
function lowerFirst(text: string): string {
  return /^[A-Z]\S*[A-Z]/.test(text) ? text : text.charAt(0).toLowerCase() + text.slice(1);
}
