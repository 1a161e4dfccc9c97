import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What would make a stack file that Docker refuses. */
export const STACK_MESSAGES = defineMessages({
  "stack/host-network-with-overlays": entry<{ service: string; networks: readonly string[] }>(
    ({ service, networks }) => `service "${service}" sets hostNetwork and joins overlays (${networks.join(", ")})`,
    "drop `networks`: a host-network service is reached at its node's private address",
  ),
  "stack/host-network-key-taken": entry<{ stack: string; key: string }>(
    ({ stack, key }) => `an overlay named "${key}" and a hostNetwork service share stack "${stack}": both need the stack-file key "${key}"`,
    ({ key }) => `rename the overlay "${key}"`,
  ),
  "stack/config-name-too-long": entry<{ name: string; length: number; max: number }>(
    ({ name, length, max }) => `the Docker config name "${name}" has ${length} characters; Swarm accepts at most ${max}`,
    "shorten the StackConfig's id or the stack's name",
  ),
  "stack/config-id-invalid": entry<{ id: string }>(
    ({ id }) => `"${id}" cannot name a Docker config and its file: use letters, digits, '.', '_' and '-', starting with a letter or digit`,
    "rename the StackConfig",
  ),
  "stack/config-in-other-stack": entry<{ config: string; stack: string; service: string }>(
    ({ config, stack, service }) => `service "${service}" mounts config "${config}" of stack "${stack}"`,
    "declare the StackConfig in the service's own stack: a stack file can only declare its own configs",
  ),
});
