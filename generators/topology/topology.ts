import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { Service, Stack } from "../../src/model/stack.js";
import type { Tier } from "../../src/model/tier.js";
import { isMajorityGroup } from "../../src/validate/quorum-group.js";

/** Tiers in the order a request crosses them: what the diagrams read from left to right. */
export const TIER_ORDER: readonly Tier[] = ["front", "app", "proxy", "db"];

export const TIER_TITLE: Readonly<Record<Tier, string>> = {
  front: "front tier",
  app: "app tier",
  proxy: "SQL-proxy tier",
  db: "database tier",
};

/**
 * Nodes alike (same tier, zone, role and services) are drawn one per box up to this many; more become one
 * "N nodes" box, so a 50-node cluster draws about as many boxes as the 8-node one.
 */
export const COLLAPSE_ABOVE = 3;
/** A zone of a tier with more boxes than this (nodes all different: pinned members) is drawn as one box. */
export const MAX_BOXES_PER_GROUP = 4;

/** The services of one stack that a box's nodes can run. */
export interface StackServices {
  readonly stack: string;
  readonly services: readonly string[];
}

/** One box of the diagram: one node, or several alike. */
export interface NodeBox {
  /** Identifier in the diagrams' languages: letters, digits and `_`. */
  readonly id: string;
  readonly hostnames: readonly string[];
  /** The private address of a box of one node. */
  readonly privateIp: string | undefined;
  /** Roles beyond a plain worker, with how many of the box's nodes hold them: Swarm manager, quorum member. */
  readonly roles: readonly { readonly role: string; readonly nodes: number }[];
  readonly stacks: readonly StackServices[];
}

export interface ZoneGroup {
  readonly id: string;
  /** Undefined when the model declares no zones. */
  readonly zone: string | undefined;
  readonly boxes: readonly NodeBox[];
}

export interface TierGroup {
  readonly id: string;
  readonly tier: Tier;
  readonly nodes: number;
  readonly zones: readonly ZoneGroup[];
}

export interface OverlayView {
  readonly id: string;
  readonly name: string;
  readonly subnet: string;
  readonly mtu: number;
  readonly encrypted: boolean;
  /** Tiers whose nodes run a service attached to the overlay, in request order. */
  readonly tiers: readonly Tier[];
}

export interface PublishedView {
  readonly stack: string;
  readonly service: string;
  /** `80/tcp`, one per published port, in declaration order. */
  readonly ports: readonly string[];
  readonly mode: "ingress" | "host";
  readonly tiers: readonly Tier[];
}

/** What the reviewer's diagrams draw, derived from the model once, so the Mermaid and Graphviz views agree. */
export interface Topology {
  readonly cluster: string;
  readonly zoned: boolean;
  readonly tiers: readonly TierGroup[];
  readonly overlays: readonly OverlayView[];
  readonly published: readonly PublishedView[];
  /** Services with a task on every node (agents, exporters): listed once instead of in every box. */
  readonly everywhere: readonly StackServices[];
}

interface PlacedService {
  readonly stack: Stack;
  readonly service: Service;
  readonly nodes: ReadonlySet<Node>;
}

export function topologyOf(cluster: Cluster): Topology {
  const nodes = cluster.nodes;
  const placed: PlacedService[] = cluster.stacks.flatMap((stack) =>
    stack.services.map((service) => ({ stack, service, nodes: new Set(service.eligibleNodes) })),
  );
  const runsEverywhere = (entry: PlacedService) => entry.service.mode === "global" && nodes.length > 0 && entry.nodes.size === nodes.length;
  const everywhere = placed.filter(runsEverywhere);
  const local = placed.filter((entry) => !runsEverywhere(entry));
  const roles = rolesByNode(cluster);
  const tiersOf = (members: ReadonlySet<Node>) => TIER_ORDER.filter((tier) => [...members].some((node) => node.tier === tier));

  return {
    cluster: cluster.name,
    zoned: nodes.some((node) => node.zone !== undefined),
    tiers: TIER_ORDER.map((tier) => tierGroup(tier, cluster.nodesInTier(tier), local, roles)).filter((group) => group.nodes > 0),
    overlays: cluster.networks.map((network) => ({
      id: diagramId("net", network.name),
      name: network.name,
      subnet: network.subnet,
      mtu: network.mtu,
      encrypted: network.encrypted,
      tiers: tiersOf(new Set(placed.filter((entry) => entry.service.networks.includes(network)).flatMap((entry) => [...entry.nodes]))),
    })),
    published: placed.flatMap((entry) => {
      const { ports } = entry.service;
      if (ports.length === 0) return [];
      return [
        {
          stack: entry.stack.name,
          service: entry.service.name,
          ports: ports.map((port) => `${port.published}/${port.protocol ?? "tcp"}`),
          mode: ports.every((port) => port.mode === "host") ? "host" : "ingress",
          tiers: tiersOf(entry.nodes),
        },
      ];
    }),
    everywhere: byStack(everywhere),
  };
}

/** A name made safe as an identifier in Mermaid and DOT. */
export function diagramId(...parts: readonly string[]): string {
  return parts.map((part) => part.replace(/[^A-Za-z0-9]/g, "_")).join("_");
}

/** Roles a node holds beyond running tasks: Swarm manager, member of a quorum group (etcd). */
function rolesByNode(cluster: Cluster): Map<Node, string[]> {
  const roles = new Map<Node, string[]>(cluster.nodes.map((node) => [node, node.swarmRole === "manager" ? ["manager"] : []]));
  for (const construct of cluster.node.findAll()) {
    if (!isMajorityGroup(construct)) continue;
    for (const member of construct.voterNodes) roles.get(member)?.push(construct.quorumKind);
  }
  return roles;
}

function tierGroup(
  tier: Tier,
  members: readonly Node[],
  services: readonly PlacedService[],
  roles: ReadonlyMap<Node, string[]>,
): TierGroup {
  const zones = [...new Set(members.map((node) => node.zone))].sort(compareZones);
  return {
    id: diagramId("tier", tier),
    tier,
    nodes: members.length,
    zones: zones.map((zone) => {
      const id = zone === undefined ? diagramId("tier", tier, "all") : diagramId("tier", tier, "zone", zone);
      const inZone = members.filter((node) => node.zone === zone);
      return { id, zone, boxes: boxesOf(id, inZone, services, roles) };
    }),
  };
}

/** Zones by name; nodes without a zone (in a zoned cluster) last. */
function compareZones(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

function boxesOf(
  groupId: string,
  members: readonly Node[],
  services: readonly PlacedService[],
  roles: ReadonlyMap<Node, string[]>,
): NodeBox[] {
  const alike = new Map<string, Node[]>();
  for (const node of members) {
    const signature = JSON.stringify([
      roles.get(node),
      services.filter((entry) => entry.nodes.has(node)).map((entry) => entry.service.path),
    ]);
    alike.set(signature, [...(alike.get(signature) ?? []), node]);
  }
  const sets = [...alike.values()].flatMap((same) => (same.length > COLLAPSE_ABOVE ? [same] : same.map((node) => [node])));
  const grouped = sets.length > MAX_BOXES_PER_GROUP ? [[...members]] : sets;
  return grouped.map((set) => {
    const first = set[0]?.hostname ?? "";
    return box(set.length === 1 ? diagramId("node", first) : diagramId(groupId, first, "group"), set, services, roles);
  });
}

function box(id: string, set: readonly Node[], services: readonly PlacedService[], roles: ReadonlyMap<Node, string[]>): NodeBox {
  const held = new Map<string, number>();
  for (const node of set) for (const role of roles.get(node) ?? []) held.set(role, (held.get(role) ?? 0) + 1);
  return {
    id,
    hostnames: set.map((node) => node.hostname),
    privateIp: set.length === 1 ? set[0]?.privateIp : undefined,
    roles: [...held].map(([role, nodes]) => ({ role, nodes })),
    stacks: byStack(services.filter((entry) => set.some((node) => entry.nodes.has(node)))),
  };
}

function byStack(entries: readonly PlacedService[]): StackServices[] {
  const stacks = new Map<string, string[]>();
  for (const { stack, service } of entries) stacks.set(stack.name, [...(stacks.get(stack.name) ?? []), service.name]);
  return [...stacks].map(([stack, services]) => ({ stack, services }));
}
