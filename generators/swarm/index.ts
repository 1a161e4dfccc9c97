import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { bootstrapScript } from "./bootstrap-script.js";
import { labelsScript } from "./labels-script.js";
import { networksScript } from "./networks-script.js";

/**
 * Operator scripts that form the Swarm and prepare it for the stacks: bootstrap (init, joins, roles), then
 * overlay networks and node labels.
 */
export const swarmGenerator = defineGenerator({
  name: "swarm",
  generate({ cluster }): GeneratedFile[] {
    const delivery = { kind: "swarm" } as const;
    return [
      { path: OUT_PATHS.familyFile("swarm", "bootstrap.sh"), content: bootstrapScript(cluster.nodes), construct: "cluster", delivery },
      { path: OUT_PATHS.familyFile("swarm", "networks.sh"), content: networksScript(cluster.networks), construct: "cluster", delivery },
      { path: OUT_PATHS.familyFile("swarm", "labels.sh"), content: labelsScript(cluster.nodes), construct: "cluster", delivery },
    ];
  },
});
