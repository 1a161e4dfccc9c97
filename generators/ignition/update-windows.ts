import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import type { Problem } from "../../src/core/problems.js";
import { IGNITION_MESSAGES } from "./messages.js";
import type { BaseHostFile } from "./private-network.js";

/**
 * Automatic OS updates reboot a node once an update is staged. Left alone, every node stages the same
 * release within minutes and reboots at once: all Swarm managers, all etcd members, both database nodes.
 * locksmith's etcd-lock strategy would serialise the reboots, but locksmith would need our TLS etcd's
 * endpoints and a client certificate, and a lock held by a node that never comes back blocks the rest.
 * Instead each node gets its own weekly reboot window, disjoint from every other node's, so no two nodes
 * of any group (tier, Swarm managers, etcd members, Galera nodes) can reboot together, whatever the groups
 * are; nothing has to run for it to hold.
 */

export const WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** One hour: time for a reboot and for the node's services to rejoin before the next node's window opens. */
export const REBOOT_WINDOW_MINUTES = 60;

/**
 * Start hours (UTC), the quietest first. All on a 3-hour grid, so any two windows are at least two hours
 * apart: a node that reboots at the end of its window is back before the next window opens.
 */
const START_HOURS = [4, 1, 22, 7, 19, 10, 16, 13] as const;

/** How many nodes can have a window of their own: one per start hour and weekday. */
export const REBOOT_WINDOW_SLOTS = WEEKDAYS.length * START_HOURS.length;

export interface RebootWindow {
  readonly day: Weekday;
  /** `HH:MM`, UTC. */
  readonly start: string;
  readonly lengthMinutes: number;
}

/**
 * The window of every node, by hostname. Nodes are taken in declaration order and fill the weekdays first,
 * so nodes declared together (a tier, usually) reboot on different days: a bad update shows on one node a
 * day before it reaches the next.
 */
export function rebootWindows(cluster: Cluster): Map<string, RebootWindow> {
  const nodes = cluster.nodes;
  return new Map(
    nodes.map((node, index): [string, RebootWindow] => {
      const day = WEEKDAYS[index % WEEKDAYS.length] as Weekday;
      const hour = START_HOURS[Math.floor(index / WEEKDAYS.length)] as number;
      return [node.hostname, { day, start: `${String(hour).padStart(2, "0")}:00`, lengthMinutes: REBOOT_WINDOW_MINUTES }];
    }),
  );
}

/** Found before synthesis: more nodes than disjoint windows. */
export function rebootWindowProblems(cluster: Cluster): Problem[] {
  const nodes = cluster.nodes.length;
  if (nodes <= REBOOT_WINDOW_SLOTS) return [];
  return [IGNITION_MESSAGES.problem("ignition/reboot-windows-exhausted", cluster, "", { nodes, windows: REBOOT_WINDOW_SLOTS })];
}

export const FLATCAR_UPDATE_CONF = "/etc/flatcar/update.conf";
export const ZINCATI_STRATEGY_FILE = "/etc/zincati/config.d/55-updates-strategy.toml";

/** The node's update configuration for its OS's reboot manager: locksmith on Flatcar, Zincati on Fedora CoreOS. */
export function updateStrategyFile(cluster: Cluster, node: Node): BaseHostFile {
  const window = rebootWindows(cluster).get(node.hostname);
  if (!window) throw new Error(`${node.path} is not a node of its cluster`);
  return cluster.os === "fedora-coreos"
    ? { path: ZINCATI_STRATEGY_FILE, mode: 0o644, contents: zincatiConfig(window) }
    : { path: FLATCAR_UPDATE_CONF, mode: 0o644, contents: flatcarUpdateConf(window) };
}

/**
 * locksmithd reads this file as a systemd environment file; update_engine reads it too, taking every line
 * that holds a "=" as a setting, so the comments here must not contain one.
 */
function flatcarUpdateConf(window: RebootWindow): string {
  return withHashHeader(
    [
      "# Reboot after an update only in this node's weekly window, which no other node of the cluster shares.",
      "# Times are in the node's time zone: UTC, Flatcar's default.",
      "REBOOT_STRATEGY=reboot",
      `LOCKSMITHD_REBOOT_WINDOW_START="${window.day} ${window.start}"`,
      `LOCKSMITHD_REBOOT_WINDOW_LENGTH=${goDuration(window.lengthMinutes)}`,
      "",
    ].join("\n"),
  );
}

/** A length as Go's time.ParseDuration, which locksmith uses, reads it: `1h`, `90m`. */
function goDuration(minutes: number): string {
  return minutes % 60 === 0 ? `${minutes / 60}h` : `${minutes}m`;
}

function zincatiConfig(window: RebootWindow): string {
  return withHashHeader(
    [
      "# Finalize an update (reboot) only in this node's weekly window, which no other node of the cluster shares.",
      "# Times are UTC, Zincati's default.",
      "[updates]",
      'strategy = "periodic"',
      "",
      "[[updates.periodic.window]]",
      `days = ["${window.day}"]`,
      `start_time = "${window.start}"`,
      `length_minutes = ${window.lengthMinutes}`,
      "",
    ].join("\n"),
  );
}
