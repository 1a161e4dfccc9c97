import type { Node } from "../model/node.js";
import type { Stack, StackConfig } from "../model/stack.js";

/**
 * Where everything goes in out/: the one naming rule, so that a construct never chooses an out/ path and two
 * constructs of one kind (two FrontProxy, two Monitoring) never collide. Stack-level files follow the stack
 * and the construct's id in it; host-level files follow the node's hostname and the path on the host.
 */
export const OUT_PATHS = {
  /** `stacks/front.yml`: what `docker stack deploy -c` reads. */
  stackFile: (stack: Stack): string => `stacks/${stack.name}.yml`,
  /** `stacks/front/nginx.conf`: a Docker config beside its stack file, named by its id in the stack. */
  stackConfig: (config: StackConfig): string => `stacks/${config.stack.name}/${config.name}`,
  /** The stack file's reference to a config file: relative to the stack file, as `docker stack deploy` reads it. */
  stackConfigReference: (config: StackConfig): string => `./${config.stack.name}/${config.name}`,
  /** `nodes/sw-node-1/<file>`: what one node boots with (config.ign, apply.sh, readable copies). */
  nodeFile: (node: Node, relative: string): string => `nodes/${node.hostname}/${relative}`,
} as const;
