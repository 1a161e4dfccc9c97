import { parseCidr } from "../../src/core/ip.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { renderUnit } from "../systemd/unit-text.js";

/** A file every node gets from the OS basics, before its own HostFiles (which may replace it by path). */
export interface BaseHostFile {
  readonly path: string;
  readonly mode: number;
  readonly contents: string;
}

/**
 * systemd-networkd reads /etc/systemd/network in lexical order and applies the first file that matches a
 * link; Flatcar's catch-all DHCP file is /usr/lib/systemd/network/zz-default.network, so "10-" wins for the
 * private interface and every other interface (the public one) keeps DHCP and its default route.
 */
export const NETWORKD_PRIVATE_FILE = "/etc/systemd/network/10-private.network";
/** Fedora CoreOS configures interfaces with NetworkManager, which reads keyfiles from here. */
export const NETWORKMANAGER_PRIVATE_FILE = "/etc/NetworkManager/system-connections/private.nmconnection";

/** The prefix length of the cluster's private network: `24` for 10.10.1.0/24. */
export function privatePrefix(cluster: Cluster): number {
  const network = parseCidr(cluster.privateNetwork);
  // Model validation rejects a malformed network before synthesis; this guards direct callers.
  if (!network) throw new Error(`cluster.privateNetwork ${JSON.stringify(cluster.privateNetwork)} is not an IPv4 CIDR`);
  return network.prefix;
}

/** `10.10.1.21/24`: the node's private address with the prefix of the network it is in, never typed twice. */
export function privateAddress(cluster: Cluster, node: Node): string {
  return `${node.privateIp}/${privatePrefix(cluster)}`;
}

/**
 * The static address on the node's private interface, which dockerd's metrics endpoint, the Docker TLS
 * socket, etcd and Swarm bind to. No gateway: the private network is one link, and the default route stays
 * with the public interface's DHCP lease.
 */
export function privateNetworkFile(cluster: Cluster, node: Node): BaseHostFile {
  return cluster.os === "fedora-coreos"
    ? { path: NETWORKMANAGER_PRIVATE_FILE, mode: 0o600, contents: networkManagerKeyfile(cluster, node) }
    : { path: NETWORKD_PRIVATE_FILE, mode: 0o644, contents: networkdFile(cluster, node) };
}

function networkdFile(cluster: Cluster, node: Node): string {
  return withHashHeader(
    renderUnit({
      Match: [["Name", node.privateInterface]],
      Network: [
        ["#", `The ${cluster.privateNetwork} private network; no Gateway=, the public interface keeps the default route.`],
        ["Address", privateAddress(cluster, node)],
        // Nothing on the private link answers DHCP or router advertisements: do not wait for them.
        ["DHCP", "no"],
        ["IPv6AcceptRA", "no"],
      ],
    }),
  );
}

/**
 * NetworkManager ignores a keyfile that is readable by anyone but root (it may hold Wi-Fi secrets), hence
 * the 0600 mode given with it.
 */
function networkManagerKeyfile(cluster: Cluster, node: Node): string {
  return withHashHeader(
    renderUnit({
      connection: [
        ["id", "private"],
        ["type", "ethernet"],
        ["interface-name", node.privateInterface],
      ],
      ipv4: [
        ["#", `The ${cluster.privateNetwork} private network; never-default: the public interface keeps the default route.`],
        ["method", "manual"],
        ["address1", privateAddress(cluster, node)],
        ["never-default", "true"],
      ],
      ipv6: [["method", "disabled"]],
    }),
  );
}
