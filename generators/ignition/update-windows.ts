import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { type RebootWindow, rebootWindows } from "../../src/analysis/reboot-windows.js";
import type { BaseHostFile } from "./private-network.js";

/**
 * The node's OS-update reboot window, as its reboot manager reads it. Which window each node gets (shared
 * only when safe) is decided in src/analysis/reboot-windows.ts, which the availability analysis checks.
 */

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
      "# Reboot after an update only in this node's weekly window, which no other member of its quorum groups shares.",
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
      "# Finalize an update (reboot) only in this node's weekly window, which no other member of its quorum groups shares.",
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
