import { Node, OverlayNetwork, PhpFpm, Stack, Testing, type PhpFpmProps } from "../../src/index.js";

/** Three app nodes of `nodeMemory` each (none declared when null) running a PhpFpm with the given props. */
export function phpCluster(props: Partial<PhpFpmProps> = {}, nodeMemory: string | null = "4G") {
  const cluster = Testing.cluster();
  for (const number of [1, 2, 3]) {
    new Node(cluster, `sw-node-${number}`, {
      tier: "app",
      privateIp: `10.10.1.2${number}`,
      swarmRole: "manager",
      ...(nodeMemory ? { memory: nodeMemory } : {}),
    });
  }
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const php = new PhpFpm(cluster, "php-fpm", { stack: new Stack(cluster, "php"), image: "php:8.2-fpm", networks: [appnet], ...props });
  return { cluster, php };
}
