import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { isValidIgnitionConfig } from "../../src/synth/output-schemas.js";
import { nodeIgnition } from "../ignition/node-config.js";

/**
 * Every node's systemd units as plain files, `nodes/<hostname>/systemd/<unit>` (and a unit's Ignition
 * drop-ins as `<unit>.d/<drop-in>`): what a reviewer reads in an out/ diff and what `systemd-analyze verify`
 * checks. They are read from the node's FINAL Ignition config, after `overrideIgnition`, so a patched unit
 * shows here exactly as it boots; a unit Ignition only enables (no contents) has no copy.
 */
export const systemdGenerator = defineGenerator({
  name: "systemd",
  generate({ cluster, pki }): GeneratedFile[] {
    return cluster.nodes.flatMap((node) => {
      const { config, constructOf } = nodeIgnition(cluster, node, pki);
      // A config an override broke is reported on config.ign by synthesis; there are no units to copy from it.
      if (!isValidIgnitionConfig(config)) return [];
      const file = (relative: string, content: string, unit: string): GeneratedFile => ({
        path: OUT_PATHS.nodeFile(node, `systemd/${relative}`),
        content,
        construct: constructOf(unit),
        delivery: { kind: "host", nodes: [node.hostname] },
      });
      return (config.systemd?.units ?? []).flatMap((unit) => [
        ...(typeof unit.contents === "string" ? [file(unit.name, unit.contents, unit.name)] : []),
        ...(unit.dropins ?? []).flatMap((dropIn) =>
          typeof dropIn.contents === "string" ? [file(`${unit.name}.d/${dropIn.name}`, dropIn.contents, unit.name)] : [],
        ),
      ]);
    });
  },
});
