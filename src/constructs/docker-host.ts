import type { Construct } from "constructs";
import { toJson } from "../core/stable-json.js";
import { ClusterConstruct } from "../model/base.js";
import { Cluster } from "../model/cluster.js";
import { HostFile } from "../model/host-file.js";
import type { Node } from "../model/node.js";
import { SystemdUnit } from "../model/systemd-unit.js";
import { withHashHeader } from "../synth/header.js";
import { dockerAuditRules } from "./docker-audit.js";
import { HOST_TLS } from "./host-paths.js";
import { renderUnit } from "./unit-text.js";

export interface DockerHostProps {
  /**
   * Nodes whose Docker daemon is hardened.
   * @default every node of the cluster declared before the DockerHost
   */
  readonly nodes?: readonly Node[];
}

/** The Docker TLS API port (FACTS: 2376 on managers, socket-activated). */
export const DOCKER_TLS_PORT = 2376;
/** dockerd's Prometheus endpoint. */
export const DOCKERD_METRICS_PORT = 9323;

/**
 * The seed's Docker daemon hardening, per node: daemon.json, auditd rules on everything Docker trusts, and
 * on managers the TLS-verified remote API, bound to the private address only.
 */
export class DockerHost extends ClusterConstruct {
  readonly nodes: readonly Node[];

  constructor(scope: Construct, id: string, props: DockerHostProps = {}) {
    super(scope, id);
    const cluster = Cluster.of(this);
    this.nodes = props.nodes ? [...props.nodes] : cluster.nodes;
    if (!props.nodes) {
      // "Every node" is read now, while the tree is still being built: report the nodes declared later.
      this.node.addValidation({
        validate: () =>
          cluster.nodes
            .filter((node) => !this.nodes.includes(node))
            .map((node) => `${node.path} is declared after ${this.path}, so its Docker daemon is not hardened; declare the DockerHost after every node or list the nodes`),
      });
    }
    for (const node of this.nodes) {
      new HostFile(node, "docker-daemon-json", { path: "/etc/docker/daemon.json", contents: () => toJson(DockerHost.daemonConfig(node)) });
      new HostFile(node, "docker-audit-rules", { path: "/etc/audit/rules.d/docker.rules", contents: () => dockerAuditRules() });
      if (node.swarmRole === "manager") {
        new HostFile(node, "docker-tls-dropin", { path: "/etc/systemd/system/docker.service.d/10-tls.conf", contents: tlsDropIn() });
        new SystemdUnit(node, "docker-tcp.socket", { contents: () => tcpSocket(node) });
      }
    }
  }

  /** The daemon.json of a node, in the order a reader of the hardening guide expects. */
  static daemonConfig(node: Node): Record<string, unknown> {
    return {
      // Containers on the default bridge cannot talk to each other unless linked; services use overlays.
      icc: false,
      // Published ports go through iptables rules, not a userland proxy process per port.
      "userland-proxy": false,
      // No process in a container gains privileges through setuid binaries.
      "no-new-privileges": true,
      // Swarm mode refuses live-restore: dockerd fails `swarm init`/`join` with it set, so it stays off
      // (the seed's note: "incompatible with docker in swarm mode").
      "live-restore": false,
      // On the private address only, for Prometheus; current Docker serves metrics without `experimental`.
      "metrics-addr": `${node.privateIp}:${DOCKERD_METRICS_PORT}`,
      // Beats read container logs from the json files; rotation keeps them from filling the disk.
      "log-driver": "json-file",
      "log-opts": { "max-size": "10m", "max-file": "3" },
    };
  }
}

/**
 * TLS verification for the API, as Flatcar documents it: its docker.service passes `$DOCKER_OPTS` to
 * dockerd. With `--tlsverify`, dockerd wraps the TCP sockets systemd hands it (docker-tcp.socket) in TLS
 * and requires a client certificate signed by the cluster CA; the local unix socket is unchanged.
 */
function tlsDropIn(): string {
  const options = [
    "--tlsverify",
    `--tlscacert=${HOST_TLS.caCertificate}`,
    `--tlscert=${HOST_TLS.nodeCertificate}`,
    `--tlskey=${HOST_TLS.nodeKey}`,
  ];
  return withHashHeader(renderUnit({ Service: [["Environment", `"DOCKER_OPTS=${options.join(" ")}"`]] }));
}

function tcpSocket(node: Node): string {
  return renderUnit({
    Unit: [["Description", "Docker TLS API on the private network"]],
    Socket: [
      ["#", "The private address only: the seed listened on every address, public ones included."],
      ["ListenStream", `${node.privateIp}:${DOCKER_TLS_PORT}`],
      ["#", "Sockets are set up early in boot, possibly before the private interface has its address."],
      ["FreeBind", "true"],
      ["Service", "docker.service"],
    ],
    Install: [["WantedBy", "sockets.target"]],
  });
}
