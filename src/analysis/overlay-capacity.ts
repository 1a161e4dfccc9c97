import { type Cidr, cidrSize, parseCidr } from "../core/ip.js";
import type { Cluster } from "../model/cluster.js";
import type { OverlayNetwork } from "../model/network.js";
import { Service } from "../model/stack.js";
import type { Problem } from "../core/problems.js";
import { finding } from "./findings.js";

/** Network, broadcast and gateway addresses: never handed to a task. */
const RESERVED_ADDRESSES = 3;

/** The addresses of an overlay's subnet that Docker hands out (to tasks, service VIPs and node endpoints). */
export function usableAddresses(cidr: Cidr): number {
  return cidrSize(cidr) - RESERVED_ADDRESSES;
}

/**
 * Addresses an overlay needs when every service on it runs: one per task, one virtual IP per service
 * (the default VIP endpoint mode) and one load-balancer endpoint per node that hosts a task on it.
 * An exhausted overlay leaves tasks pending with "could not allocate IP", which looks like an outage.
 */
export function overlayDemand(cluster: Cluster, network: OverlayNetwork): number {
  const services = cluster.all(Service).filter((service) => service.networks.includes(network));
  const tasks = services.reduce((sum, service) => sum + service.replicaCount, 0);
  const hosts = new Set(services.flatMap((service) => service.eligibleNodes.map((node) => node.hostname)));
  return tasks + services.length + hosts.size;
}

export function overlayCapacityFindings(cluster: Cluster): Problem[] {
  return cluster.networks.flatMap((network): Problem[] => {
    const cidr = parseCidr(network.subnet);
    if (!cidr) return []; // malformed subnets are validation errors, reported before analysis runs
    const usable = usableAddresses(cidr);
    const needed = overlayDemand(cluster, network);
    if (needed > usable) {
      return [
        finding("error", "capacity/overlay-exhausted", network, {
          message: `${network.name} (${network.subnet}) has ${usable} usable addresses but its tasks, service VIPs and node endpoints need ${needed}: tasks beyond that stay pending`,
          hint: `use a larger subnet: a /${prefixFor(needed * 2)} holds twice ${needed} addresses`,
        }),
      ];
    }
    if (needed * 2 > usable) {
      return [
        finding("warning", "capacity/overlay-tight", network, {
          message: `${network.name} (${network.subnet}) uses ${needed} of ${usable} addresses: scaling out or a start-first rolling update may exhaust it`,
          hint: `use a subnet with at least ${needed * 2} usable addresses: a /${prefixFor(needed * 2)}`,
        }),
      ];
    }
    return [];
  });
}

/** The longest IPv4 prefix whose subnet has `usable` addresses besides the reserved ones: 254 usable is a /24. */
export function prefixFor(usable: number): number {
  let prefix = 32;
  while (prefix > 0 && 2 ** (32 - prefix) - RESERVED_ADDRESSES < usable) prefix--;
  return prefix;
}
