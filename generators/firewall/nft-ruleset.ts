import { withHashHeader } from "../../src/synth/header.js";

/** The nftables table the host firewall owns: one of its own, so nothing else's rules are ever touched. */
export const FIREWALL_TABLE = { family: "inet", name: "swarm_cluster" } as const;

export const SSH_PORT = 22;

/**
 * The bridges Docker attaches a node's containers to: docker0 (plain containers) and docker_gwbridge (the
 * way out of every Swarm task, overlay or ingress). Docker names them itself on every node.
 */
export const DOCKER_BRIDGES = ["docker0", "docker_gwbridge"] as const;

/**
 * The cloud's instance metadata service, which hands out the node's own credentials (an instance role's
 * keys, user-data). 169.254.169.254 on AWS, GCP, Azure, OpenStack and most other clouds; fd00:ec2::254 is
 * AWS's IPv6 endpoint on Nitro instances.
 */
export const METADATA_ADDRESSES = { ipv4: "169.254.169.254", ipv6: "fd00:ec2::254" } as const;

/** A port the node accepts from anywhere, with the services that publish it (`stack_service, mode`). */
export interface PublicPort {
  readonly port: number;
  readonly protocol: "tcp" | "udp";
  readonly publishedBy: readonly string[];
}

/** What one node's input chain accepts; everything else addressed to the node is dropped. */
export interface InputPolicy {
  readonly hostname: string;
  /** The cluster's private network, trusted on every port when it arrives on `privateInterface`. */
  readonly privateNetwork: string;
  readonly privateInterface: string;
  /** IPv4 or IPv6 addresses or networks allowed to reach SSH from outside the private network. */
  readonly sshSources: readonly string[];
  /** Sorted: tcp before udp, then by port. */
  readonly publicPorts: readonly PublicPort[];
}

const INDENT = "\t\t";

/**
 * The nftables script of a node. Every line is a comment, a table command or a rule of one input chain:
 * a reviewer reads the node's whole exposure in one out/ file.
 */
export function renderRuleset(policy: InputPolicy): string {
  const table = `table ${FIREWALL_TABLE.family} ${FIREWALL_TABLE.name}`;
  const lines = [
    "#",
    `# Host firewall of ${policy.hostname}, loaded by swarm-firewall.service before the network and dockerd start.`,
    "#",
    "# It filters what is addressed to the node itself (netfilter's input hook): the listeners of host processes.",
    "# By default Swarm binds its control plane (2377/tcp), gossip (7946/tcp+udp) and the overlays' VXLAN",
    "# (4789/udp) on every address, public ones included; sshd (22), the Docker TLS API (2376), etcd (2379/2380) and",
    "# dockerd's metrics (9323) are covered too, whatever address they bind. The private network reaches every",
    "# port; anything else reaches only SSH and the ports this node publishes.",
    "#",
    "# Of forwarded traffic it drops one thing only: containers reaching the cloud's metadata service (forward",
    "# chain, below). Otherwise it leaves forwarding and Docker's own tables alone: dockerd owns FORWARD,",
    "# DOCKER-USER and the NAT rules of published ports, and rewrites them whenever it starts. A published port,",
    "# host or ingress mode, is DNATed in prerouting to a container address, so its packets are forwarded, never",
    "# delivered here: Docker's rules, not this file, decide who reaches a container. The published ports are",
    "# accepted here all the same, so they keep working where a host process answers them (docker-proxy when",
    "# dockerd sets no NAT rules, a task on the host network), and so this file lists everything the node serves",
    "# publicly.",
    "#",
    "# nft -f applies the file as one transaction. Re-running it is idempotent: the first line creates the",
    "# table if it is missing, so that deleting it never fails, and the table is then created anew.",
    table,
    `delete ${table}`,
    "",
    `${table} {`,
    "\tchain input {",
    `${INDENT}type filter hook input priority filter; policy drop;`,
    "",
    `${INDENT}# Replies to the node's own connections, and ICMP errors about them (path MTU discovery).`,
    `${INDENT}ct state established,related accept`,
    `${INDENT}ct state invalid drop`,
    `${INDENT}iifname "lo" accept`,
    "",
    `${INDENT}# ICMP a network needs: errors, ping, and IPv6 neighbour discovery from the link itself (a hop`,
    `${INDENT}# limit of 255 cannot have crossed a router).`,
    `${INDENT}icmp type { destination-unreachable, time-exceeded, parameter-problem, echo-request } accept`,
    `${INDENT}icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem, echo-request } accept`,
    `${INDENT}icmpv6 type { nd-router-advert, nd-neighbor-solicit, nd-neighbor-advert } ip6 hoplimit 255 accept`,
    `${INDENT}ip6 saddr fe80::/10 icmpv6 type { mld-listener-query, mld-listener-report, mld-listener-done, mld2-listener-report } accept`,
    "",
    `${INDENT}# DHCP answers: the public interface keeps its address by renewing its lease.`,
    `${INDENT}udp sport 67 udp dport 68 accept`,
    `${INDENT}ip6 saddr fe80::/10 udp sport 547 udp dport 546 accept`,
    "",
    `${INDENT}# The cluster's private network on any port and protocol (Swarm, gossip, VXLAN, the ESP of encrypted`,
    `${INDENT}# overlays, etcd, the Docker TLS API, metrics), as it arrives on the private interface only: the same`,
    `${INDENT}# source address arriving on another interface is forged.`,
    `${INDENT}iifname "${policy.privateInterface}" ip saddr ${policy.privateNetwork} accept`,
    "",
    `${INDENT}# This node's containers reaching the node itself (Prometheus scraping its own node's dockerd); through`,
    `${INDENT}# Docker's masquerading they reach every other node's private address anyway.`,
    `${INDENT}iifname { ${DOCKER_BRIDGES.map((bridge) => `"${bridge}"`).join(", ")} } accept`,
    "",
    ...sshRules(policy.sshSources),
    "",
    ...publicPortRules(policy.publicPorts),
    "\t}",
    "",
    ...metadataForwardChain(),
    "}",
  ];
  return withHashHeader(`${lines.join("\n")}\n`);
}

/**
 * Containers must not reach the metadata service: it would give any compromised container the node's cloud
 * credentials. A container on a bridge or overlay network reaches it through the node's forward path (its
 * packets leave docker0, docker_gwbridge or a br-* bridge and are routed out), so a drop in the forward hook
 * covers every container network, those Docker creates later included. The node itself still reaches it
 * (Afterburn and coreos-metadata read it at boot), and so does a container on the host network, which is a
 * host process to the kernel.
 *
 * Why here and not in iptables' DOCKER-USER chain (Docker uses iptables-nft on these hosts): DOCKER-USER
 * exists only once dockerd has created it, so a unit inserting the rule after docker.service leaves a window
 * at every boot in which Swarm tasks already run unfiltered, and an iptables rule is one more thing another
 * tool can flush. This chain is in the firewall's own table, loaded before dockerd starts, never touched by
 * Docker; netfilter runs every base chain of the hook, and a drop in any of them is final, so Docker's
 * accepts in its FORWARD chain cannot undo it. Its priority (filter - 10) only makes it run first.
 */
function metadataForwardChain(): string[] {
  return [
    "\t# Containers never reach the cloud's metadata service, which hands out the node's own credentials. Here rather",
    "\t# than in Docker's DOCKER-USER chain, which exists only once dockerd runs: this chain is in place before any",
    "\t# container starts, and a drop in it is final whatever Docker's chains accept. Everything else forwarded is",
    "\t# left to Docker's rules; the node itself (not forwarded) still reaches the service.",
    "\tchain forward {",
    `${INDENT}type filter hook forward priority filter - 10; policy accept;`,
    `${INDENT}ip daddr ${METADATA_ADDRESSES.ipv4} drop`,
    `${INDENT}ip6 daddr ${METADATA_ADDRESSES.ipv6} drop`,
    "\t}",
  ];
}

function sshRules(sources: readonly string[]): string[] {
  if (sources.length === 0) return [`${INDENT}# SSH only from the private network: no other source is allowed.`];
  return [
    `${INDENT}# SSH from outside the private network.`,
    ...sources.map((source) => `${INDENT}${source.includes(":") ? "ip6" : "ip"} saddr ${source} tcp dport ${SSH_PORT} accept`),
  ];
}

function publicPortRules(ports: readonly PublicPort[]): string[] {
  const why = `${INDENT}# Published by services whose tasks may run here (host mode) or by the routing mesh (ingress mode).`;
  if (ports.length === 0) return [`${INDENT}# No service publishes a port on this node.`];
  return [why, ...ports.map(({ port, protocol, publishedBy }) => `${INDENT}${protocol} dport ${port} accept # ${publishedBy.join("; ")}`)];
}
