import { toJson } from "../../src/core/stable-json.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { isValidIgnitionConfig } from "../../src/synth/output-schemas.js";
import { applyScript, sharedApplyScript } from "./apply-script.js";
import { hostCopies } from "./host-copies.js";

/**
 * One Ignition 3.3.0 config per node, `nodes/<hostname>/config.ign`, which Flatcar applies at first boot:
 * the `core` user's SSH keys, the node's files and its systemd units, complete in itself (it is the node's
 * user-data). Beside it, a plain copy of every file it writes, because a data URL is unreadable in a diff:
 * under `nodes/<hostname>/files/`, or once under `shared/files/` when every node that has it has the same
 * bytes; and the day-2 apply (`nodes/<hostname>/apply.sh`, the node's data for `shared/apply.sh`).
 */
export const ignitionGenerator = defineGenerator({
  name: "ignition",
  generate({ cluster, pki }): GeneratedFile[] {
    const copies = hostCopies(cluster, pki);
    const perNode = copies.nodes.flatMap(({ node, ignition }): GeneratedFile[] => {
      const delivery = { kind: "host", nodes: [node.hostname] } as const;
      const config: GeneratedFile = {
        path: OUT_PATHS.nodeIgnition(node),
        content: toJson(ignition.config),
        construct: node.path,
        delivery,
      };
      // An override that breaks the schema leaves nothing to derive the other files from; synthesis reports it.
      if (!isValidIgnitionConfig(ignition.config)) return [config];
      const apply = applyScript(node, ignition.config, (local) => copies.pathOf(node, local));
      return [config, { path: OUT_PATHS.nodeFile(node, "apply.sh"), content: apply, construct: node.path, delivery }];
    });
    const shared: GeneratedFile = {
      path: OUT_PATHS.sharedNodeFile("apply.sh"),
      content: sharedApplyScript(),
      construct: cluster.path,
      delivery: { kind: "operator" },
    };
    return [...perNode, ...(cluster.nodes.length > 0 ? [shared] : []), ...copies.files("files/")];
  },
});
