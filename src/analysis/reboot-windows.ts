import { groupBy } from "../core/group-by.js";
import type { Problem } from "../core/problems.js";
import type { Cluster } from "../model/cluster.js";
import type { Node } from "../model/node.js";
import type { Tier } from "../model/tier.js";
import { finding } from "./findings.js";
import { type DeclaredGroup, majorityGroupsOf } from "./majority-groups.js";

/**
 * Automatic OS updates reboot a node once an update is staged. Left alone, every node stages the same
 * release within minutes and reboots at once: all Swarm managers, all etcd members, both database nodes.
 * locksmith's etcd-lock strategy would serialise the reboots, but locksmith would need our TLS etcd's
 * endpoints and a client certificate, and a lock held by a node that never comes back blocks the rest.
 * Instead each node gets a weekly reboot window. There are 56 of them; nodes share one when that is safe:
 * never two members of one quorum group (Swarm managers, etcd, Galera, any construct declaring a
 * MajorityGroup), never every node of a tier. Nothing has to run for it to hold.
 */

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One hour: time for a reboot and for the node's services to rejoin before the next window opens. */
export const REBOOT_WINDOW_MINUTES = 60;

/**
 * Start hours (UTC), the quietest first. All on a 3-hour grid, so any two windows are at least two hours
 * apart: a node that reboots at the end of its window is back before the next window opens.
 */
const START_HOURS = [4, 1, 22, 7, 19, 10, 16, 13] as const;

/** Distinct windows in a week: one per start hour and weekday. Window i is on day i mod 7. */
export const REBOOT_WINDOW_SLOTS = WEEKDAYS.length * START_HOURS.length;

/**
 * Where each tier's nodes start in the list of windows: two start hours (14 windows) apart, so tiers of up
 * to 14 nodes never share a window. The database comes first, in the quietest hours: a member that rejoins
 * may need a state transfer.
 */
const TIER_FIRST_WINDOW: Readonly<Record<Tier, number>> = { db: 0, app: 14, proxy: 28, front: 42 };

export interface RebootWindow {
  /** Which of the REBOOT_WINDOW_SLOTS windows, 0 first. */
  readonly slot: number;
  readonly day: Weekday;
  /** `HH:MM`, UTC. */
  readonly start: string;
  readonly lengthMinutes: number;
}

function windowOf(slot: number): RebootWindow {
  const day = WEEKDAYS[slot % WEEKDAYS.length] as Weekday;
  const hour = START_HOURS[Math.floor(slot / WEEKDAYS.length)] as number;
  return { slot, day, start: `${String(hour).padStart(2, "0")}:00`, lengthMinutes: REBOOT_WINDOW_MINUTES };
}

const computed = new WeakMap<Cluster, ReadonlyMap<string, RebootWindow>>();

/**
 * The window of every node, by hostname. The i-th node of a tier (in declaration order) takes the tier's
 * first window plus i, so a tier's nodes reboot on successive days (a bad update shows on one node a day
 * before it reaches the next), and a node added at the end of its tier moves no other node. A node whose
 * window holds a member of one of its quorum groups, or the rest of its tier, takes the next window that
 * does not; when none is left (a group of more than 56 members) it keeps its own and the analysis says so.
 */
export function rebootWindows(cluster: Cluster): ReadonlyMap<string, RebootWindow> {
  const cached = computed.get(cluster);
  if (cached) return cached;
  const windows = assignWindows(cluster);
  // Once synthesis locks the tree the assignment cannot change; every node's file asks for it.
  if (cluster.node.locked) computed.set(cluster, windows);
  return windows;
}

function assignWindows(cluster: Cluster): Map<string, RebootWindow> {
  const nodes = cluster.nodes;
  const groupsOf = new Map<Node, Set<number>>();
  majorityGroupsOf(cluster).forEach(({ group }, index) => {
    for (const member of group.voterNodes) groupsOf.set(member, (groupsOf.get(member) ?? new Set()).add(index));
  });
  const tierSize = new Map<Tier, number>();
  for (const node of nodes) tierSize.set(node.tier, (tierSize.get(node.tier) ?? 0) + 1);

  /** Per window: the quorum groups that already have a member in it, and how many nodes of each tier. */
  const groupsIn = Array.from({ length: REBOOT_WINDOW_SLOTS }, () => new Set<number>());
  const tierIn = Array.from({ length: REBOOT_WINDOW_SLOTS }, () => new Map<Tier, number>());
  const placedOfTier = new Map<Tier, number>();
  const windows = new Map<string, RebootWindow>();

  for (const node of nodes) {
    const index = placedOfTier.get(node.tier) ?? 0;
    const groups = groupsOf.get(node) ?? new Set<number>();
    const size = tierSize.get(node.tier) ?? 1;
    const safe = (slot: number): boolean =>
      ![...groups].some((group) => groupsIn[slot]?.has(group)) && !(size > 1 && (tierIn[slot]?.get(node.tier) ?? 0) === size - 1);
    const own = (TIER_FIRST_WINDOW[node.tier] + index) % REBOOT_WINDOW_SLOTS;
    let slot = own;
    for (let step = 0; step < REBOOT_WINDOW_SLOTS; step++) {
      const candidate = (own + step) % REBOOT_WINDOW_SLOTS;
      if (safe(candidate)) {
        slot = candidate;
        break;
      }
    }
    for (const group of groups) groupsIn[slot]?.add(group);
    tierIn[slot]?.set(node.tier, (tierIn[slot]?.get(node.tier) ?? 0) + 1);
    placedOfTier.set(node.tier, index + 1);
    windows.set(node.hostname, windowOf(slot));
  }
  return windows;
}

/**
 * The analysis of the assignment: an error for each quorum group two of whose members share a window, and
 * for each tier of two or more nodes that reboots whole; a note of how many nodes share a window.
 */
export function rebootWindowFindings(cluster: Cluster): Problem[] {
  const windows = rebootWindows(cluster);
  const slotOf = (node: Node): number => windows.get(node.hostname)?.slot ?? -1;
  const findings: Problem[] = [];
  for (const entry of majorityGroupsOf(cluster)) {
    const bySlot = groupBy(entry.group.voterNodes, slotOf);
    const shared = [...bySlot.values()].filter((members) => members.length > 1);
    if (shared.length === 0) continue;
    const pairs = shared.map(
      (members) => `${members.map((node) => node.hostname).join(", ")} (${describe(windows.get(members[0]?.hostname ?? ""))})`,
    );
    findings.push(
      finding("error", "reboot/quorum-group-shares-window", entry.at, {
        message: `members of ${groupName(entry)} reboot for OS updates in the same weekly window: ${pairs.join("; ")}; together they may take its quorum`,
        hint: `keep the group within ${REBOOT_WINDOW_SLOTS} voting members (Raft and Galera groups of 3, 5 or 7 are the rule)`,
      }),
    );
  }
  for (const tier of [...new Set(cluster.nodes.map((node) => node.tier))]) {
    const nodes = cluster.nodesInTier(tier);
    const slots = new Set(nodes.map(slotOf));
    if (nodes.length < 2 || slots.size > 1) continue;
    findings.push(
      finding("error", "reboot/tier-shares-window", cluster, {
        message: `all ${nodes.length} ${tier}-tier nodes reboot for OS updates in one weekly window (${describe(windows.get(nodes[0]?.hostname ?? ""))}): the tier stops while they do`,
        hint: "give the tier's nodes fewer shared quorum groups, so their windows can differ",
      }),
    );
  }
  const busiest = Math.max(0, ...[...groupBy(cluster.nodes, slotOf).values()].map((members) => members.length));
  if (busiest > 1) {
    findings.push(
      finding("info", "reboot/shared-windows", cluster, {
        message:
          `${cluster.nodes.length} nodes share ${REBOOT_WINDOW_SLOTS} weekly reboot windows, up to ${busiest} in one; ` +
          "no window holds two members of a quorum group or a whole tier",
        hint: "nothing to fix",
      }),
    );
  }
  return findings;
}

/** "the Swarm managers", "the etcd group cluster/etcd". */
function groupName({ at, group }: DeclaredGroup): string {
  return group.quorumKind === "swarm" ? "the Swarm managers" : `the ${group.quorumKind} group ${at.path}`;
}

function describe(window: RebootWindow | undefined): string {
  return window ? `${window.day} ${window.start} UTC` : "no window";
}
