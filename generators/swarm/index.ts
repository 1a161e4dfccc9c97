import type { Cluster } from "../../src/model/cluster.js";
import type { Secret } from "../../src/model/secret.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { bootstrapScript } from "./bootstrap-script.js";
import { stackDependencies, stackDeployOrder } from "./deploy-order.js";
import { galeraRolls } from "./deploy-rolling.js";
import { deployScript } from "./deploy-script.js";
import { knownHostsScript } from "./known-hosts-script.js";
import { labelsScript } from "./labels-script.js";
import { networksScript } from "./networks-script.js";
import { pruneScript } from "./prune-script.js";
import { secretsScript } from "./secrets-script.js";

/** The secrets some stack's service mounts, once each, by name: only those need a Docker secret. */
function stackSecrets(cluster: Cluster): Secret[] {
  const secrets = new Map<string, Secret>();
  for (const stack of cluster.stacks) {
    for (const service of stack.services) for (const secret of service.props.secrets ?? []) secrets.set(secret.name, secret);
  }
  return [...secrets.keys()].sort().map((name) => secrets.get(name) as Secret);
}

/**
 * `swarm/deploy.sh`, and the stack file of each Galera member alone that it rolls them with (delivered with its
 * stack: it changes when the member's spec does).
 */
function deployFiles(cluster: Cluster): GeneratedFile[] {
  const dependencies = stackDependencies(cluster);
  const members = galeraRolls(cluster);
  const script = deployScript({ stacks: stackDeployOrder(cluster, dependencies), dependencies, members });
  return [
    { path: OUT_PATHS.familyFile("swarm", "deploy.sh"), content: script, construct: "cluster", delivery: { kind: "swarm" } },
    ...members.map((roll) => ({
      path: roll.file,
      content: roll.content,
      construct: roll.member.path,
      delivery: { kind: "stack", stack: roll.stack.name } as const,
    })),
  ];
}

export { stackDependencies, stackDeployOrder, type StackDependency } from "./deploy-order.js";

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
      { path: OUT_PATHS.familyFile("swarm", "secrets.sh"), content: secretsScript(stackSecrets(cluster)), construct: "cluster", delivery },
      { path: OUT_PATHS.familyFile("swarm", "known-hosts.sh"), content: knownHostsScript(cluster.nodes), construct: "cluster", delivery },
      { path: OUT_PATHS.familyFile("swarm", "prune.sh"), content: pruneScript(), construct: "cluster", delivery },
      ...deployFiles(cluster),
    ];
  },
});
