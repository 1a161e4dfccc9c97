import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { labelsScript } from "./labels-script.js";
import { networksScript } from "./networks-script.js";

/** Operator scripts that prepare the Swarm for the stacks: overlay networks and node labels. */
export const swarmGenerator: Generator = {
  name: "swarm",
  generate({ cluster }): GeneratedFile[] {
    const delivery = { kind: "swarm" } as const;
    return [
      { path: "swarm/networks.sh", content: networksScript(cluster.networks), construct: "cluster", delivery },
      { path: "swarm/labels.sh", content: labelsScript(cluster.nodes), construct: "cluster", delivery },
    ];
  },
};
