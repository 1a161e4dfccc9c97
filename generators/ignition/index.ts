import { toJson } from "../../src/core/stable-json.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { PkiMaterial } from "../../src/pki/material.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { isValidIgnitionConfig } from "../../src/synth/output-schemas.js";
import { applyScript } from "./apply-script.js";
import { fromDataUrl } from "./data-url.js";
import { nodeIgnition } from "./node-config.js";

/**
 * One Ignition 3.3.0 config per node, `nodes/<hostname>/config.ign`, which Flatcar applies at first boot:
 * the `core` user's SSH keys, the node's files and its systemd units. Next to it, a plain copy of every
 * file it writes (`nodes/<hostname>/files/<path>`), because a data URL is unreadable in a diff, and the day-2
 * script that brings a running node to it (`nodes/<hostname>/apply.sh`).
 */
export const ignitionGenerator = defineGenerator({
  name: "ignition",
  generate({ cluster, pki }): GeneratedFile[] {
    return cluster.nodes.flatMap((node) => nodeFiles(cluster, node, pki));
  },
});

function nodeFiles(cluster: Cluster, node: Node, pki: PkiMaterial): GeneratedFile[] {
  const delivery = { kind: "host", nodes: [node.hostname] } as const;
  const { config, constructOf } = nodeIgnition(cluster, node, pki);
  const configFile: GeneratedFile = { path: OUT_PATHS.nodeIgnition(node), content: toJson(config), construct: node.path, delivery };
  // An override that breaks the schema leaves nothing to derive the other files from; synthesis reports it.
  if (!isValidIgnitionConfig(config)) return [configFile];
  const copies = (config.storage?.files ?? []).flatMap((file): GeneratedFile[] => {
    const text = file.contents?.compression ? undefined : fromDataUrl(file.contents?.source);
    if (text === undefined) return [];
    const relative = file.path.replace(/^\/+/, "");
    return [{ path: OUT_PATHS.nodeFile(node, `files/${relative}`), content: text, construct: constructOf(file.path), delivery }];
  });
  return [
    configFile,
    { path: OUT_PATHS.nodeFile(node, "apply.sh"), content: applyScript(node, config), construct: node.path, delivery },
    ...copies,
  ];
}
