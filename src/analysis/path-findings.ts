import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { Node } from "../model/node.js";
import { type FailureModel, hostnames, type PathStage, type ServiceEntry } from "./failure-model.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";
import type { Outcome } from "./simulate.js";

/** The hops of a path as a person reads them: `DNS → web → php → proxysql → database`. */
export function pathText(stages: readonly PathStage[]): string {
  return stages.map((stage) => stage.role).join(" → ");
}

/**
 * Breaks of the public request path that one node's or one zone's loss causes, one finding per hop,
 * naming the nodes or zone and the smallest change that keeps the hop served. Breaks caused by a lost
 * majority are the quorum findings' (quorum.ts); here are hops that run out of nodes.
 */
export function pathFindings(analysis: FailureAnalysis): Problem[] {
  const { model } = analysis;
  const findings: Problem[] = [];
  model.paths.forEach((stages, path) => {
    const brokenBy = breaksByStage(analysis.singles, path);
    for (const [stage, nodes] of brokenBy) {
      const hop = stages[stage];
      if (hop) findings.push(nodeBreak(model, stages, hop, nodes));
    }
    for (const { zone, outcome } of analysis.zones) {
      for (const broken of outcome.pathBreaks) {
        const hop = stages[broken.stage];
        if (broken.path !== path || broken.cause === "quorum" || brokenBy.has(broken.stage) || !hop) continue;
        findings.push(zoneBreak(model, stages, hop, zone));
      }
    }
    if (model.zones.size >= 2) findings.push(...stages.flatMap((hop) => zoneSpread(model, hop)));
  });
  return findings;
}

/** For one path, the hops single-node losses break (not through a quorum), with the nodes that break each. */
function breaksByStage(singles: readonly Outcome[], path: number): Map<number, number[]> {
  const brokenBy = new Map<number, number[]>();
  singles.forEach((outcome, node) => {
    for (const broken of outcome.pathBreaks) {
      if (broken.path !== path || broken.cause === "quorum") continue;
      brokenBy.set(broken.stage, [...(brokenBy.get(broken.stage) ?? []), node]);
    }
  });
  return brokenBy;
}

function nodeBreak(model: FailureModel, stages: readonly PathStage[], hop: PathStage, nodes: readonly number[]): Problem {
  const losing = `${nodes.length > 1 ? "any one of " : ""}${listed(hostnames(model, nodes), "or")}`;
  const route = stages.length > 1 ? ` (${pathText(stages)})` : "";
  const entry = model.services[hop.services[0] ?? -1];
  if (!entry) {
    return finding("error", "spof/single-entry", hop.at, {
      message: `DNS can send visitors only to ${losing}, the only node with a public address that runs the front: losing it stops the request path${route}`,
      hint: "give a second node that runs the front a `publicIp`, and list it in DNS",
    });
  }
  const name = entry.service.name;
  const runs = entry.onEveryNode
    ? `runs on ${entry.eligible.length} node(s)`
    : `runs ${entry.replicas} task(s) on ${entry.eligible.length} node(s)`;
  const message = `${name} is on the request path${route} and ${runs}: losing ${losing} stops the path at ${hop.role}`;
  const code = entry.replicas < 2 ? "spof/single-replica" : entry.eligible.length < 2 ? "spof/single-node-placement" : "spof/request-path";
  return finding("error", code, hop.at, { message, hint: widenHint(model, stages, hop, entry) });
}

/**
 * One task on each of two nodes or more: when the placement already selects several nodes, one per node
 * is enough; otherwise the nodes of the hop before it (its clients: ProxySQL beside php-fpm) are the
 * natural second place.
 */
function widenHint(model: FailureModel, stages: readonly PathStage[], hop: PathStage, entry: ServiceEntry): string {
  const name = entry.service.name;
  const onePerNode = '`replicas: "one-per-node"`';
  if (entry.eligible.length >= 2) return `run ${name} with ${onePerNode}, one task on each of ${listed(hostnames(model, entry.eligible))}`;
  const before = stages[stages.indexOf(hop) - 1];
  const clients = before ? before.services.flatMap((service) => model.services[service]?.eligible ?? []) : [];
  const wider = [...new Set([...entry.eligible, ...clients])].sort((a, b) => a - b);
  if (wider.length >= 2) {
    return `run ${name} on ${listed(hostnames(model, wider))}, one task each: give them a label, place ${name} on it, and set ${onePerNode}`;
  }
  return `add a second node that ${name}'s placement selects, and set ${onePerNode}`;
}

function zoneBreak(model: FailureModel, stages: readonly PathStage[], hop: PathStage, zone: string): Problem {
  const entry = model.services[hop.services[0] ?? -1];
  const what = entry ? entry.service.name : "every front with a public address";
  const otherZones = [...model.zones.keys()].filter((other) => other !== zone);
  const nodes: readonly Node[] = entry ? entry.service.eligibleNodes : [];
  const tier = nodes[0]?.tier;
  const spares = model.nodes.filter((node) => node.zone !== zone && node.zone !== undefined && node.tier === tier);
  const where = spares.length > 0 ? ` (${listed(spares.map((node) => `${node.hostname} in zone ${node.zone}`))})` : "";
  return finding("error", "spof/zone-placement", hop.at, {
    message: `${what} runs only in zone ${zone}: losing zone ${zone} stops the request path (${pathText(stages)}) at ${hop.role}`,
    hint: entry
      ? `widen ${entry.service.name}'s placement to nodes in zone ${listed(otherZones)}${where}`
      : `give a front node in zone ${listed(otherZones)} a \`publicIp\``,
  });
}

/** A hop of fixed replicas Swarm may put all in one zone: losing it stops the hop until they are rescheduled. */
function zoneSpread(model: FailureModel, hop: PathStage): Problem[] {
  return hop.services.flatMap((index): Problem[] => {
    const entry = model.services[index];
    if (!entry || entry.onEveryNode || entry.replicas < 2 || entry.service.props.placement?.spreadOver !== undefined) return [];
    const zones = [...new Set(entry.service.eligibleNodes.map((node) => node.zone).filter((zone) => zone !== undefined))].sort();
    if (zones.length < 2) return [];
    const name = entry.service.name;
    return [
      finding("warning", "spof/zone-spread", entry.service, {
        message: `${name}'s ${entry.replicas} replicas are not spread over zones: Swarm may put them all in one zone, and losing it stops ${name} until they are rescheduled`,
        hint: `spread ${name} replicas over zones ${listed(zones)} (\`placement: { spreadOver: "zone" }\`)`,
      }),
    ];
  });
}
