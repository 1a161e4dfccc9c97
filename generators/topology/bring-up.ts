import type { Cluster } from "../../src/model/cluster.js";
import type { Stack } from "../../src/model/stack.js";
import type { Tier } from "../../src/model/tier.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { LetsEncrypt } from "../certbot/lets-encrypt.js";
import { foldNames } from "./names.js";
import { TIER_ORDER } from "./topology.js";

/** One step of bringing the cluster up: what to do, and the commands (paths relative to out/). */
export interface BringUpStep {
  readonly title: string;
  readonly commands: readonly string[];
  readonly detail: string;
}

/**
 * The order README's "Bringing the cluster up" gives, filled in from the model: provision every node,
 * form the Swarm, create the overlays and labels, create the secrets, then deploy the stacks so that each
 * finds what it calls already running.
 */
export function bringUpSteps(cluster: Cluster): BringUpStep[] {
  const firstManager = cluster.managers[0]?.hostname ?? "(no manager declared)";
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
        "swarm-cluster secrets",
        // The sites' temporary certificates, which the fronts start with until certbot's first issuance.
        ...(cluster.all(LetsEncrypt).length === 1 ? [`bash ${OUT_PATHS.certbotBootstrap()}`] : []),
        `bash ${OUT_PATHS.familyFile("swarm", "secrets.sh")}`,
      ],
      detail: secretsDetail(cluster),
    },
    {
      title: "Deploy the stacks",
      commands: deployOrder(cluster).map((stack) => `docker stack deploy -c ${OUT_PATHS.stackFile(stack)} ${stack.name}`),
      detail:
        "in this order: stacks that run on every node first, then from the database tier up to the front, so each finds what it calls",
    },
  ];
}

/**
 * Stacks in the order to deploy them: those whose services all run on every node first (agents, exporters),
 * then by the deepest tier their services are placed on, the database first, as each tier calls the one below it.
 * Ties keep declaration order.
 */
export function deployOrder(cluster: Cluster): Stack[] {
  const depth = (stack: Stack) => {
    const tiers = stack.services
      .filter((service) => !(service.mode === "global" && service.eligibleNodes.length === cluster.nodes.length))
      .flatMap((service) => service.eligibleNodes.map((node) => node.tier));
    return tiers.length === 0 ? Number.POSITIVE_INFINITY : Math.max(...tiers.map(tierDepth));
  };
  return cluster.stacks
    .map((stack, index) => ({ stack, index, depth: depth(stack) }))
    .sort((a, b) => b.depth - a.depth || a.index - b.index)
    .map(({ stack }) => stack);
}

function tierDepth(tier: Tier): number {
  return TIER_ORDER.indexOf(tier);
}

/** What the secrets step does, naming the secrets no construct can make, which the operator writes. */
function secretsDetail(cluster: Cluster): string {
  const byHand = cluster.secrets.filter((secret) => !secret.source).map((secret) => `\`${secret.name}\``);
  return (
    "the first writes a random value for every secret it can make into the git-ignored `secrets/docker/` (keep it in your secret store)" +
    (byHand.length > 0 ? `; write the others there yourself (${byHand.join(", ")})` : "") +
    "; the second, against a manager (`DOCKER_HOST`), creates each version the stacks name from those files"
  );
}
