import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { hostCopies } from "../ignition/host-copies.js";

/**
 * Every node's systemd units as plain files, `nodes/<hostname>/systemd/<unit>` (and a unit's Ignition
 * drop-ins as `<unit>.d/<drop-in>`), or once as `shared/systemd/<unit>` when every node that runs the unit
 * has the same text: what a reviewer reads in an out/ diff and what `systemd-analyze verify` checks. They
 * are read from the node's FINAL Ignition config, after `overrideIgnition`, so a patched unit shows here
 * exactly as it boots; a unit Ignition only enables (no contents) has no copy.
 */
export const systemdGenerator = defineGenerator({
  name: "systemd",
  generate({ cluster, pki }): GeneratedFile[] {
    return hostCopies(cluster, pki).files("systemd/");
  },
});
