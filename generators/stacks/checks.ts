import { SHORT_HASH_LENGTH } from "../../src/core/hash.js";
import type { Problem } from "../../src/core/problems.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Stack } from "../../src/model/stack.js";
import { STACK_MESSAGES } from "./messages.js";
import { HOST_NETWORK_KEY } from "./service-entry.js";

/** Swarm refuses config (and secret) names longer than this. */
const DOCKER_NAME_MAX = 64;
const CONFIG_ID = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

/** Everything the stacks generator would otherwise find half-way through writing a stack file. */
export function stackProblems(cluster: Cluster): Problem[] {
  return cluster.stacks.flatMap((stack) => [...serviceProblems(stack), ...configProblems(stack)]);
}

function serviceProblems(stack: Stack): Problem[] {
  const problems: Problem[] = [];
  const services = stack.services;
  for (const service of services) {
    if (service.hostNetwork && service.networks.length > 0) {
      problems.push(
        STACK_MESSAGES.problem("stack/host-network-with-overlays", service, "networks", {
          service: service.name,
          networks: service.networks.map((network) => network.name),
        }),
      );
    }
  }
  const hostNetwork = services.some((service) => service.hostNetwork);
  if (hostNetwork && services.some((service) => service.networks.some((network) => network.name === HOST_NETWORK_KEY))) {
    problems.push(STACK_MESSAGES.problem("stack/host-network-key-taken", stack, "", { stack: stack.name, key: HOST_NETWORK_KEY }));
  }
  return problems;
}

function configProblems(stack: Stack): Problem[] {
  const problems: Problem[] = [];
  for (const config of stack.configs) {
    if (!CONFIG_ID.test(config.name)) problems.push(STACK_MESSAGES.problem("stack/config-id-invalid", config, "id", { id: config.name }));
    const name = `${stack.name}_${config.name}_${"0".repeat(SHORT_HASH_LENGTH)}`;
    if (name.length > DOCKER_NAME_MAX) {
      problems.push(
        STACK_MESSAGES.problem("stack/config-name-too-long", config, "id", { name, length: name.length, max: DOCKER_NAME_MAX }),
      );
    }
  }
  for (const service of stack.services) {
    for (const mount of service.props.configs ?? []) {
      if (mount.config.stack === stack) continue;
      problems.push(
        STACK_MESSAGES.problem("stack/config-in-other-stack", service, "configs", {
          config: mount.config.name,
          stack: mount.config.stack.name,
          service: service.name,
        }),
      );
    }
  }
  return problems;
}
