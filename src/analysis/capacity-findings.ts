import { formatMemorySize } from "../core/memory-size.js";
import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { Resources } from "./capacity.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";

/**
 * Reservations against the nodes' memory and CPUs: an error for tasks that find no node with room while every
 * node is up (Swarm leaves them pending for good), a warning for tasks that a single node's loss leaves
 * without room on the survivors (pending until the node is back), and the same for a whole zone.
 */
export function capacityFindings(analysis: FailureAnalysis): Problem[] {
  const { model, capacity } = analysis;
  const findings: Problem[] = [];
  const hostname = (node: number) => model.nodes[node]?.hostname ?? "";
  const freeText = (nodes: readonly number[]) => listed(nodes.map((node) => `${hostname(node)} ${resourcesText(capacity.free(node))}`));

  model.services.forEach((entry, index) => {
    const unplaced = capacity.unplaced[index] ?? 0;
    const wants = capacity.reservation[index];
    if (unplaced === 0 || !wants) return;
    findings.push(
      finding("error", "capacity/no-room", entry.service, {
        message: `${entry.service.name} reserves ${resourcesText(wants)} per task, and ${unplaced} of its ${entry.replicas} task(s) find no node with room even with every node up (unreserved: ${freeText(entry.eligible)}): Swarm leaves them pending`,
        hint: "lower its `reservations`, declare more `memory`/`cpus` on its nodes, or widen its placement",
      }),
    );
  });

  const bySingle = new Map<number, number[]>();
  analysis.singles.forEach((outcome, node) => {
    for (const short of outcome.shortOfRoom) bySingle.set(short.service, [...(bySingle.get(short.service) ?? []), node]);
  });
  for (const [index, nodes] of bySingle) {
    const entry = model.services[index];
    const wants = capacity.reservation[index];
    if (!entry || !wants) continue;
    findings.push(
      finding("warning", "capacity/no-room-after-loss", entry.service, {
        message: `losing ${listed(nodes.map(hostname), "or")} leaves tasks of ${entry.service.name} (${resourcesText(wants)} reserved each) without room on the other nodes: they stay pending until the node is back`,
        hint: `keep a node's share of ${entry.service.name}'s reservations free on the others: reserve less, or add memory or a node to its placement`,
      }),
    );
  }

  for (const { zone, outcome } of analysis.zones) {
    for (const short of outcome.shortOfRoom) {
      const entry = model.services[short.service];
      if (!entry || bySingle.has(short.service)) continue;
      findings.push(
        finding("warning", "capacity/no-room-after-zone-loss", entry.service, {
          message: `losing zone ${zone} leaves ${short.missing} task(s) of ${entry.service.name} without room on the other zones' nodes: they stay pending until the zone is back`,
          hint: "keep room for a zone's share of its tasks in the other zones: reserve less, or add memory or nodes there",
        }),
      );
    }
  }
  return findings;
}

function resourcesText(resources: Resources): string {
  const parts = [
    ...(Number.isFinite(resources.memory)
      ? resources.memory > 0
        ? [`${formatMemorySize(resources.memory)} memory`]
        : []
      : ["memory unlimited"]),
    ...(Number.isFinite(resources.cpus) ? (resources.cpus > 0 ? [`${Number(resources.cpus.toFixed(2))} CPUs`] : []) : []),
  ];
  return parts.length > 0 ? parts.join(", ") : "nothing";
}
