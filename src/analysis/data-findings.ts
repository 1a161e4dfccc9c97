import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";

/**
 * Where the data lives. A replicated data set (Galera) survives while one copy's node is up; a service that
 * writes a named volume keeps its data on the node its task runs on (Docker's local driver): pinned, the
 * data stops with that node; free to move, Swarm restarts it elsewhere on an empty volume.
 */
export function dataFindings(analysis: FailureAnalysis): Problem[] {
  const { model } = analysis;
  const copies = new Set(model.dataSets.flatMap((set) => set.services));
  const findings: Problem[] = [];
  for (const set of model.dataSets) {
    const nodes = [...new Set(set.services.flatMap((service) => model.services[service]?.eligible ?? []))];
    const names = nodes.map((node) => model.nodes[node]?.hostname ?? "");
    if (set.services.length === 1) {
      findings.push(
        finding("error", "data/single-copy", set.at, {
          message: `${set.at.path} keeps its data on one node (${listed(names)}): losing it loses the data`,
          hint: "add a second copy on another node (for an XtraDB cluster, a second database node in `nodes`)",
        }),
      );
      continue;
    }
    const zones = [...new Set(nodes.map((node) => model.nodes[node]?.zone))];
    const [only] = zones;
    if (model.zones.size >= 2 && zones.length === 1 && only !== undefined) {
      const others = [...model.zones.keys()].filter((zone) => zone !== only);
      findings.push(
        finding("warning", "data/one-zone", set.at, {
          message: `every copy of ${set.at.path}'s data (on ${listed(names)}) is in zone ${only}: losing the zone loses the data`,
          hint: `move one copy to a node in zone ${listed(others)}`,
        }),
      );
    }
  }
  model.services.forEach((entry, index) => {
    const service = entry.service;
    const volumes = writableNamedVolumes(service.props.volumes ?? []);
    const [only, ...others] = service.eligibleNodes;
    if (!only) return;
    if (others.length === 0 && !service.props.critical) {
      const data = volumes.length > 0 ? `, and its data (${listed(volumes)}) lives only there` : "";
      findings.push(
        finding("info", "spof/pinned-service", service, {
          message: `${service.name} can run only on ${only.hostname}: it stops while ${only.hostname} is down${data}`,
          hint: "widen its placement once its data survives a move (shared storage), if it must not stop with its node",
        }),
      );
    } else if (others.length > 0 && volumes.length > 0 && entry.replicas === 1 && !entry.onEveryNode && !copies.has(index)) {
      findings.push(
        finding("warning", "data/single-replica-volume", service, {
          message: `${service.name} runs 1 task and keeps its data in the node-local volume ${listed(volumes)}: when its node fails, Swarm restarts it on another node with an empty volume`,
          hint: `pin it to one node (\`placement: { hostname: "${only.hostname}" }\`) and back the volume up, or keep the data on storage that follows the task`,
        }),
      );
    }
  });
  return findings;
}

/** Named volumes mounted writable (`data:/var/lib/x`), not host paths nor read-only mounts. */
function writableNamedVolumes(volumes: readonly unknown[]): string[] {
  return volumes.flatMap((volume) => {
    // Not a short-syntax string: the model's schema or the output check reports it; nothing to analyse here.
    if (typeof volume !== "string") return [];
    const [source, , mode] = volume.split(":");
    if (!source || source.startsWith("/") || source.startsWith(".") || !volume.includes(":")) return [];
    return mode?.split(",").includes("ro") ? [] : [source];
  });
}
