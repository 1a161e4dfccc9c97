import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { FIREWALL_MESSAGES } from "./messages.js";
import { isIpAddress, isNetwork } from "../../src/core/ip.js";
import { compareStrings } from "../../src/core/stable-json.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile } from "../../src/model/node.js";
import type { Node } from "../../src/model/node.js";
import { Service } from "../../src/model/stack.js";
import { SystemdUnit } from "../../src/model/node.js";
import { FIREWALL_TABLE, renderRuleset, type InputPolicy, type PublicPort } from "./nft-ruleset.js";
import { renderUnit } from "../systemd/unit-text.js";

export interface HostFirewallProps {
  /**
   * Nodes that get the firewall.
   * @default every node of the cluster
   */
  readonly nodes?: readonly Node[];
  /**
   * IPv4 or IPv6 addresses or networks (CIDR) allowed to reach SSH (22) from outside the private network;
   * `[]` leaves SSH to the private network (a bastion) only.
   * @default ["0.0.0.0/0"]
   */
  readonly allowSsh?: readonly string[];
}

export const HOST_FIREWALL_PROPS = propsShape<HostFirewallProps>()({ nodes: "optional list", allowSsh: "optional list" });

export const FIREWALL_RULESET_PATH = "/etc/nftables/swarm-cluster.nft";
export const FIREWALL_UNIT = "swarm-firewall.service";
/** Flatcar and Fedora CoreOS both ship nftables' command here. */
export const NFT_PROGRAM = "/usr/sbin/nft";

/**
 * A host firewall on every node: an nftables input chain that drops whatever is addressed to the node
 * itself unless it comes from the private network, is SSH from an allowed source, or is a port the node
 * publishes. Without it Swarm's control plane (2377), gossip (7946) and VXLAN (4789) answer on the public
 * addresses of the fronts and app nodes. Of forwarded traffic it drops only containers' packets to the cloud's
 * metadata service, and it never touches Docker's tables (see the ruleset's header for what that means for
 * published ports).
 */
export class HostFirewall extends ClusterConstruct implements Preparable {
  readonly allowSsh: readonly string[];
  private readonly chosenNodes: readonly Node[] | undefined;

  constructor(scope: Construct, id: string, props: HostFirewallProps = {}) {
    super(scope, id);
    props = this.acceptProps(props, HOST_FIREWALL_PROPS);
    this.chosenNodes = props.nodes ? [...props.nodes] : undefined;
    this.allowSsh = [...new Set(props.allowSsh ?? ["0.0.0.0/0"])];
  }

  override validateConstruct(): Problem[] {
    return this.allowSsh
      .filter((source) => !isAddressOrNetwork(source))
      .map((source) => FIREWALL_MESSAGES.problem("firewall/invalid-ssh-source", this, "allowSsh", { source }));
  }

  /** The protected nodes: those given, or every node of the cluster wherever it is declared. */
  get nodes(): readonly Node[] {
    return this.chosenNodes ?? Cluster.of(this).nodes;
  }

  /** The ruleset and its unit go on the nodes once every node is declared. */
  prepare(): void {
    for (const node of this.nodes) {
      // Lazy: the ports are read at synthesis, from every service of the finished tree.
      new HostFile(node, "firewall-ruleset", { path: FIREWALL_RULESET_PATH, contents: () => renderRuleset(this.inputPolicy(node)) });
      new SystemdUnit(node, FIREWALL_UNIT, { contents: firewallUnit() });
    }
  }

  /** What the node's input chain accepts, derived from the model. */
  inputPolicy(node: Node): InputPolicy {
    const cluster = Cluster.of(this);
    return {
      hostname: node.hostname,
      privateNetwork: cluster.privateNetwork,
      privateInterface: node.privateInterface,
      sshSources: this.allowSsh,
      publicPorts: publicPorts(cluster, node),
    };
  }
}

/**
 * The ports a node serves publicly: those published in host mode by services whose placement selects the
 * node (a task may be scheduled there at any time, not only where one runs now), and those published in
 * ingress mode by any service, since the routing mesh answers them on every node. Read from the model's
 * `ports`: a port added through a Service's `override()` escape hatch is not seen.
 */
export function publicPorts(cluster: Cluster, node: Node): PublicPort[] {
  const byPort = new Map<string, { port: number; protocol: "tcp" | "udp"; publishedBy: Set<string> }>();
  for (const service of cluster.all(Service)) {
    for (const mapping of service.ports) {
      const mode = mapping.mode ?? "ingress";
      if (mode === "host" && !service.eligibleNodes.includes(node)) continue;
      const protocol = mapping.protocol ?? "tcp";
      const key = `${protocol}/${mapping.published}`;
      const entry = byPort.get(key) ?? { port: mapping.published, protocol, publishedBy: new Set<string>() };
      entry.publishedBy.add(`${service.dockerName}, ${mode} mode`);
      byPort.set(key, entry);
    }
  }
  return [...byPort.values()]
    .sort((a, b) => compareStrings(a.protocol, b.protocol) || a.port - b.port)
    .map(({ port, protocol, publishedBy }) => ({ port, protocol, publishedBy: [...publishedBy].sort(compareStrings) }));
}

function isAddressOrNetwork(source: string): boolean {
  // nft masks host bits away: `203.0.113.7/24` would silently allow the whole /24, most likely a typo for
  // /32, so a network must be written with its host bits clear.
  return isIpAddress(source) || isNetwork(source);
}

/**
 * Ordered before network-pre.target, which systemd-networkd (Flatcar) and NetworkManager (Fedora CoreOS)
 * wait for, so no interface has an address before the rules are in; and before docker.service, which opens
 * the Swarm ports. No default dependencies: those would order it after basic.target, late enough to form a
 * cycle with anything early that needs the network. No ExecStop: stopping or restarting the unit must never
 * leave the node open; reloading re-applies the file in one transaction.
 */
function firewallUnit(): string {
  const apply = `${NFT_PROGRAM} -f ${FIREWALL_RULESET_PATH}`;
  return renderUnit({
    Unit: [
      ["Description", `Host firewall of the swarm cluster (nftables table ${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name})`],
      ["#", "Rules in before any interface has an address and before dockerd opens the Swarm ports."],
      ["DefaultDependencies", "no"],
      ["Wants", "network-pre.target"],
      ["Before", "network-pre.target docker.service"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["RemainAfterExit", "yes"],
      ["ExecStart", apply],
      ["#", "No ExecStop: stopping or restarting the unit never leaves the node open; a reload re-applies the file."],
      ["ExecReload", apply],
    ],
    // RequiredBy: if the rules fail to load, dockerd does not start either. Failing closed takes the node
    // out of the Swarm; failing open would serve 2377, 7946 and 2376 on its public addresses.
    Install: [
      ["WantedBy", "multi-user.target"],
      ["RequiredBy", "docker.service"],
    ],
  });
}
