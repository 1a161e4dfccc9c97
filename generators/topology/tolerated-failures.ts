import type { IConstruct } from "constructs";
import type { HaReport } from "../../src/analysis/findings.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { Service } from "../../src/model/stack.js";
import { isQuorumGroup } from "../../src/validate/quorum-group.js";
import { XtraDbCluster } from "../xtradb/index.js";
import { foldNames } from "./names.js";
import { zoneOf } from "./zones.js";

/** One row of the reviewer's table: a failure, whether the cluster rides it out, and what it costs. */
export interface ToleratedFailure {
  readonly failure: string;
  readonly tolerated: boolean;
  /** What breaks (when not tolerated), or what stops until the node returns (when tolerated). */
  readonly consequences: readonly string[];
}

/** Names of the quorum groups as a reviewer knows them, by the code prefix of their findings. */
const GROUP_NAMES: Readonly<Record<string, string>> = { swarm: "the Swarm managers", etcd: "etcd", galera: "Galera" };

/** Simultaneous node losses the table asks about. */
const NODE_LOSSES = [1, 2] as const;

interface QuorumVoters {
  readonly name: string;
  readonly tolerates: number;
  /** The voting members' nodes, when the group's construct names them. */
  readonly voters: readonly Node[] | undefined;
}

/**
 * What the cluster tolerates, from what the analysis knows today: each quorum group's fault tolerance
 * (src/analysis/quorum.ts, carried by the HaReport's findings), the services on the request path and the
 * services pinned to one node. Any 1 and any 2 simultaneous node losses, and each zone the model declares.
 * This is the one place the reviewer's README asks; a failure simulation can answer it instead.
 */
export function toleratedFailures(cluster: Cluster, ha: HaReport): ToleratedFailure[] {
  const groups = quorumGroups(cluster, ha);
  const critical = cluster.all(Service).filter((service) => service.props.critical);
  const pinned = cluster.all(Service).filter((service) => !service.props.critical && service.eligibleNodes.length === 1);
  const rows: ToleratedFailure[] = NODE_LOSSES.map((count) => anyNodes(count, groups, critical, pinned));
  const zones = [...new Set(cluster.nodes.map(zoneOf).filter((zone): zone is string => zone !== undefined))].sort();
  for (const zone of zones) {
    const lost = new Set(cluster.nodes.filter((node) => zoneOf(node) === zone));
    rows.push(losing(`zone ${zone} (${lost.size} node${lost.size === 1 ? "" : "s"})`, lost, groups, critical, pinned));
  }
  return rows;
}

function anyNodes(
  count: number,
  groups: readonly QuorumVoters[],
  critical: readonly Service[],
  pinned: readonly Service[],
): ToleratedFailure {
  const failure = `any ${count} node${count === 1 ? "" : "s"}`;
  const broken = [
    ...groups
      .filter((group) => group.tolerates < count)
      .map((group) => {
        const lost = group.tolerates + 1;
        const named =
          group.voters && group.voters.length >= lost
            ? `losing ${andList(group.voters.slice(0, lost).map((node) => node.hostname))}`
            : `losing ${lost} of its voters`;
        return `${named} loses the majority of ${group.name}, which tolerate${plural(group)} ${group.tolerates} loss${group.tolerates === 1 ? "" : "es"}`;
      }),
    ...critical.flatMap((service) => {
      const nodes = service.eligibleNodes;
      if (service.replicaCount < 2) return [`losing the node ${service.name}'s only task runs on stops ${service.name}`];
      return nodes.length <= count ? [`losing ${andList(nodes.map((node) => node.hostname))} stops ${service.name}`] : [];
    }),
  ];
  if (broken.length > 0) return { failure, tolerated: false, consequences: broken };
  return { failure, tolerated: true, consequences: count === 1 ? pinned.map(stopsWithItsNode) : [] };
}

function losing(
  failure: string,
  lost: ReadonlySet<Node>,
  groups: readonly QuorumVoters[],
  critical: readonly Service[],
  pinned: readonly Service[],
): ToleratedFailure {
  const broken = [
    ...groups.flatMap((group) => {
      const gone = (group.voters ?? []).filter((node) => lost.has(node));
      return gone.length > group.tolerates
        ? [
            `losing ${foldNames(gone.map((node) => node.hostname))} loses the majority of ${group.name}, which tolerate${plural(group)} ${group.tolerates} loss${group.tolerates === 1 ? "" : "es"}`,
          ]
        : [];
    }),
    ...critical.flatMap((service) => {
      const left = service.eligibleNodes.filter((node) => !lost.has(node));
      if (left.length === 0) return [`${service.name} has no node left`];
      return service.replicaCount < 2 && left.length < service.eligibleNodes.length
        ? [`${service.name}'s only task may be on a lost node`]
        : [];
    }),
  ];
  if (broken.length > 0) return { failure, tolerated: false, consequences: broken };
  return {
    failure,
    tolerated: true,
    consequences: pinned.filter((service) => service.eligibleNodes.some((node) => lost.has(node))).map(stopsWithItsNode),
  };
}

function stopsWithItsNode(service: Service): string {
  return `${service.name} stops until ${foldNames(service.eligibleNodes.map((node) => node.hostname))} is back`;
}

/** Each quorum group the analysis reported (one entry per group, though it may have several findings). */
function quorumGroups(cluster: Cluster, ha: HaReport): QuorumVoters[] {
  const seen = new Set<string>();
  const groups: QuorumVoters[] = [];
  for (const found of ha.findings) {
    if (found.tolerates === undefined) continue;
    const prefix = found.code.split("/")[0] ?? found.code;
    const key = `${found.construct}\u0000${prefix}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const construct = cluster.node.findAll().find((candidate) => candidate.node.path === found.construct);
    groups.push({
      name: GROUP_NAMES[prefix] ?? `${prefix} (${found.construct})`,
      tolerates: found.tolerates,
      voters: construct && votersOf(cluster, construct, prefix),
    });
  }
  return groups;
}

function votersOf(cluster: Cluster, construct: IConstruct, prefix: string): readonly Node[] | undefined {
  if (construct === cluster && prefix === "swarm") return cluster.managers;
  if (isQuorumGroup(construct)) return construct.quorumNodes;
  if (construct instanceof XtraDbCluster) return [...construct.dataNodes, ...(construct.arbitratorNode ? [construct.arbitratorNode] : [])];
  return undefined;
}

/** "tolerate" for a group named in the plural (the Swarm managers), "tolerates" otherwise. */
function plural(group: QuorumVoters): string {
  return group.name.endsWith("s") ? "" : "s";
}

function andList(names: readonly string[]): string {
  return names.length <= 1 ? (names[0] ?? "") : `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
}
