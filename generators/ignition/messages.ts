import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What stops a node's Ignition config from being written. */
export const IGNITION_MESSAGES = defineMessages({
  "ignition/reboot-windows-exhausted": entry<{ nodes: number; windows: number }>(
    ({ nodes, windows }) => `${nodes} nodes but only ${windows} disjoint weekly reboot windows: two nodes would reboot for updates at once`,
    `remove nodes, or split the cluster; reboot windows shared by nodes of different quorum groups are not supported yet`,
  ),
});
