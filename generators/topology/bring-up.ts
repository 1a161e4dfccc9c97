import type { Cluster } from "../../src/model/cluster.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { foldNames } from "./names.js";
import { stackDeployOrder } from "../swarm/deploy-order.js";

/** One step of bringing the cluster up: what to do, and the commands (paths relative to out/). */
export interface BringUpStep {
  readonly title: string;
  readonly commands: readonly string[];
  readonly detail: string;
}

/**
 * The order README's "Bringing the cluster up" gives, filled in from the model: provision every node,
 * form the Swarm, create the overlays and labels, create the secrets, then deploy the stacks with
 * swarm/deploy.sh, which takes them in the order of their calls, so that each finds what it calls already running.
 */
export function bringUpSteps(cluster: Cluster): BringUpStep[] {
  const firstManager = cluster.managers[0]?.hostname ?? "(no manager declared)";
  const order = stackDeployOrder(cluster)
    .map((stack) => stack.name)
    .join(", ");
  return [
    {
      title: "Provision the nodes",
      commands: ["swarm-cluster provision"],
      detail: `writes each node's user-data (its Ignition config and private key) to \`secrets/ignition/\`; boot ${foldNames(cluster.nodes.map((node) => node.hostname))} with it`,
    },
    {
      title: "Form the Swarm",
      commands: [`bash ${OUT_PATHS.familyFile("swarm", "bootstrap.sh")}`],
      detail: `from your workstation: initialises the Swarm on ${firstManager}, joins the other nodes and sets their roles`,
    },
    {
      title: "Create the overlays and label the nodes",
      commands: [`bash ${OUT_PATHS.familyFile("swarm", "networks.sh")}`, `bash ${OUT_PATHS.familyFile("swarm", "labels.sh")}`],
      detail: `on a manager: ${cluster.networks.map((network) => network.name).join(", ")}; the labels placement constraints select`,
    },
    {
      title: "Create the secrets",
      commands: [
        // No step for LetsEncrypt's temporary certificates: certbot's node writes them on the shared volume at boot.
        "swarm-cluster secrets",
        `bash ${OUT_PATHS.familyFile("swarm", "secrets.sh")}`,
      ],
      detail: secretsDetail(cluster),
    },
    {
      title: "Deploy the stacks",
      commands: [`bash ${OUT_PATHS.familyFile("swarm", "deploy.sh")} --dry-run`, `bash ${OUT_PATHS.familyFile("swarm", "deploy.sh")}`],
      detail: `against a manager (\`DOCKER_HOST\`): the plan, then the deploy: the overlays, labels and secrets again (each safe to re-run), then ${order} in that order, each after the stacks it calls and waited on until it converges, the Galera members rolled one at a time`,
    },
  ];
}

/** What the secrets step does, naming the secrets no construct can make, which the operator writes. */
function secretsDetail(cluster: Cluster): string {
  const byHand = cluster.secrets.filter((secret) => !secret.source).map((secret) => `\`${secret.name}\``);
  return (
    "the first writes into the git-ignored `secrets/docker/` a random value for every secret it can make and a copy of every certificate and key a secret takes from the cluster PKI (keep them in your secret store)" +
    (byHand.length > 0 ? `; write the others there yourself (${byHand.join(", ")})` : "") +
    "; the second, against a manager (`DOCKER_HOST`), creates each version the stacks name from those files"
  );
}
