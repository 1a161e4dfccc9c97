import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import type { FailureAnalysis } from "./failures.js";
import { isReplicaGroup } from "../validate/replica-group.js";
import { finding } from "./findings.js";
import { STATE_CODE } from "./stateful-data.js";

/**
 * Where the data lives. A replicated data set (Galera) survives while one copy's node is up; a service that
 * writes a named volume keeps its data on the node its task runs on (Docker's local driver): pinned, the
 * data stops with that node and is lost with its disk (a warning naming it); free to move, Swarm restarts it
 * elsewhere on an empty volume. A named volume that services read on several nodes is an error: each node
 * has its own copy (see {@link nodeLocalSharedVolumes}). `described` holds the findings the families made of
 * their own stateful services (`data/single-replica-state`, src/analysis/stateful-data.ts): a service a
 * family describes is not reported twice.
 */
export function dataFindings(analysis: FailureAnalysis, described: readonly Problem[] = []): Problem[] {
  const { model } = analysis;
  const copies = new Set(model.dataSets.flatMap((set) => set.services));
  const describedServices = new Set(described.filter((entry) => entry.code === STATE_CODE).map((entry) => entry.construct));
  const gossip = new Set(
    model.cluster.node
      .findAll()
      .flatMap((construct) => (isReplicaGroup(construct) ? construct.replicaServices.map((service) => service.path) : [])),
  );
  // A volume name several pinned services use, each on its own node: the members of a clustered application
  // (Galera, Elasticsearch), whose copies the application keeps and its family reports.
  const memberVolumes = new Map<string, Set<number>>();
  for (const entry of model.services) {
    const [node, ...more] = entry.eligible;
    if (node === undefined || more.length > 0) continue;
    for (const volume of writableNamedVolumes(entry.service.props.volumes ?? [])) {
      memberVolumes.set(volume, (memberVolumes.get(volume) ?? new Set()).add(node));
    }
  }
  const members = (volumes: readonly string[]): boolean => volumes.every((volume) => (memberVolumes.get(volume)?.size ?? 0) > 1);
  const findings: Problem[] = [...nodeLocalSharedVolumes(analysis)];
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
    if (others.length === 0 && volumes.length > 0 && !copies.has(index) && !gossip.has(service.path) && !members(volumes)) {
      // Stateful and pinned: the data is on one node's disk. A family that describes it says what it holds.
      if (describedServices.has(service.path)) return;
      findings.push(
        finding("warning", STATE_CODE, service, {
          message: `${service.name} is pinned to ${only.hostname} and keeps its data in the node-local volume ${listed(volumes)}: while ${only.hostname} is down it stops, and losing ${only.hostname}'s disk loses ${listed(volumes)}`,
          hint: `back ${listed(volumes)} up, or keep the data on shared storage (a CephFS volume of \`CephCluster\`) and widen its placement`,
        }),
      );
    } else if (others.length === 0 && !service.props.critical) {
      findings.push(
        finding("info", "spof/pinned-service", service, {
          message: `${service.name} can run only on ${only.hostname}: it stops while ${only.hostname} is down`,
          hint: "widen its placement, if it must not stop with its node",
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

/** A named volume in a service's mounts, read-only or not. */
function namedVolumeMounts(volumes: readonly unknown[]): { name: string; readOnly: boolean }[] {
  return volumes.flatMap((volume) => {
    if (typeof volume !== "string") return [];
    const [source, , mode] = volume.split(":");
    if (!source || source.startsWith("/") || source.startsWith(".") || !volume.includes(":")) return [];
    return [{ name: source, readOnly: mode?.split(",").includes("ro") ?? false }];
  });
}

/**
 * Named volumes (Docker's local driver: one separate copy on each node) that services use on more than one
 * node as if they were one: a service with tasks on several nodes mounting it read-only (what it reads must be
 * put on every node apart), services on different sets of nodes sharing it (nginx on the fronts, php-fpm on
 * the app nodes: a docroot), or several tasks of a service not spread one per node. Each node then sees its
 * own copy, empty on a new node, and what one writes the others never see: an error. A volume each node keeps
 * for itself (one task per node of every service mounting it, all writing, on the same nodes: a socket shared
 * with an exporter, Filebeat's registry) is not shared data, and a pinned service's volume is on one node only.
 */
export function nodeLocalSharedVolumes(analysis: FailureAnalysis): Problem[] {
  const { model } = analysis;
  const users = new Map<string, { index: number; readOnly: boolean }[]>();
  model.services.forEach((entry, index) => {
    for (const mount of namedVolumeMounts(entry.service.props.volumes ?? [])) {
      users.set(mount.name, [...(users.get(mount.name) ?? []), { index, readOnly: mount.readOnly }]);
    }
  });
  const findings: Problem[] = [];
  for (const [volume, mounts] of [...users].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const entries = mounts.map((mount) => ({ ...mount, entry: model.services[mount.index] }));
    const multi = entries.filter(({ entry }) => entry && entry.replicas > 1 && entry.eligible.length > 1);
    const [first] = multi;
    if (!first?.entry) continue;
    const nodeSets = new Set(entries.map(({ entry }) => [...(entry?.eligible ?? [])].sort((a, b) => a - b).join(",")));
    const readers = multi.filter((mount) => mount.readOnly);
    const crowded = multi.filter(({ entry }) => !entry?.onEveryNode);
    if (readers.length === 0 && nodeSets.size === 1 && crowded.length === 0) continue;
    const services = [...new Set(entries.map(({ entry }) => entry?.service.name ?? ""))];
    const nodes = [...new Set(entries.flatMap(({ entry }) => entry?.eligible ?? []))].map((node) => model.nodes[node]?.hostname ?? "");
    findings.push(
      finding("error", "data/node-local-shared-volume", first.entry.service, {
        message: `the named volume ${volume} is node-local (Docker's local driver keeps a separate copy on each node), and ${listed(services)} ${services.length > 1 ? "use" : "uses"} it on ${listed(nodes)}: each node sees its own copy, empty on a new node, and what one writes the others never see`,
        hint: `keep ${volume} on shared storage: a CephFS volume of \`CephCluster\` (\`volumes: [{ name, kind: "cephfs" }]\`), mounted by each service as \`ceph.volumes.<name>.mount(target)\``,
      }),
    );
  }
  return findings;
}
