/**
 * Type tests, checked by `tsc --noEmit`, never executed: a construct's props shape (propsShape, the keys the
 * build checks a config's props against) must list exactly the keys of its props interface, each required
 * or optional as the interface has it, so the two cannot drift apart. Each `@ts-expect-error` line holds one
 * mistake; tsc fails if the line compiles.
 */
import { propsShape } from "../../src/model/props-shape.js";
import type { NodeProps } from "../../src/model/node.js";
import type { PortMapping, ServiceProps } from "../../src/model/stack.js";

export function propsShapeTypes(): void {
  const node = propsShape<NodeProps>();
  // Accepted: every key, with its presence.
  node({ tier: "required", privateIp: "required", publicIp: "optional", publicIpv6: "optional", memory: "optional", cpus: "optional", disk: "optional", swap: "optional", privateInterface: "optional", swarmRole: "optional", labels: "optional object", zone: "optional" });
  // @ts-expect-error `labels` is missing from the shape
  node({ tier: "required", privateIp: "required", publicIp: "optional", publicIpv6: "optional", memory: "optional", cpus: "optional", disk: "optional", swap: "optional", privateInterface: "optional", swarmRole: "optional", zone: "optional" });
  // @ts-expect-error `publicIP` is not a key of NodeProps
  node({ tier: "required", privateIp: "required", publicIp: "optional", publicIpv6: "optional", memory: "optional", cpus: "optional", disk: "optional", swap: "optional", privateInterface: "optional", swarmRole: "optional", labels: "optional", zone: "optional", publicIP: "optional" });
  // @ts-expect-error `tier` is required in NodeProps
  node({ tier: "optional", privateIp: "required", publicIp: "optional", publicIpv6: "optional", memory: "optional", cpus: "optional", disk: "optional", swap: "optional", privateInterface: "optional", swarmRole: "optional", labels: "optional", zone: "optional" });
  // @ts-expect-error `tier` is not a list
  node({ tier: "required list", privateIp: "required", publicIp: "optional", publicIpv6: "optional", memory: "optional", privateInterface: "optional", swarmRole: "optional", labels: "optional" });

  const ports = propsShape<Pick<ServiceProps, "ports">>();
  ports({ ports: { presence: "optional", each: { published: "required", target: "required", protocol: "optional", mode: "optional" } } });
  // @ts-expect-error a nested shape lists every key too: `mode` is missing
  ports({ ports: { presence: "optional", each: { published: "required", target: "required", protocol: "optional" } } });
  // @ts-expect-error `port` is not a key of PortMapping
  propsShape<PortMapping>()({ published: "required", target: "required", protocol: "optional", mode: "optional", port: "optional" });
}
