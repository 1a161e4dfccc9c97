import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { unitFileText } from "./unit-file.js";

/**
 * Every node's systemd units as plain files, `nodes/<hostname>/systemd/<unit>`: what a reviewer reads in
 * an out/ diff and what `systemd-analyze verify` checks. The nodes receive them through Ignition.
 */
export const systemdGenerator: Generator = {
  name: "systemd",
  generate({ cluster }): GeneratedFile[] {
    return cluster.nodes.flatMap((node) =>
      node.units.map((unit) => ({
        path: `nodes/${node.hostname}/systemd/${unit.unitName}`,
        content: unitFileText(unit),
        construct: unit.path,
        delivery: { kind: "host", nodes: [node.hostname] },
      })),
    );
  },
};
