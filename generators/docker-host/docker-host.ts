import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { DOCKER_HOST_MESSAGES } from "./messages.js";
import { toJson } from "../../src/core/stable-json.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile } from "../../src/model/node.js";
import type { Node } from "../../src/model/node.js";
import { SystemdUnit } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { daemonExceptionsText } from "./cis/daemon-exceptions.js";
import { dockerAuditRules } from "./docker-audit.js";
import { HOST_TLS } from "../pki/host-paths.js";
import { renderUnit } from "../systemd/unit-text.js";

export interface DockerHostProps {
  /**
   * Nodes whose Docker daemon is hardened.
   * @default every node of the cluster
   */
  readonly nodes?: readonly Node[];
}

/** The Docker TLS API port (FACTS: 2376 on managers, socket-activated). */
export const DOCKER_HOST_PROPS = propsShape<DockerHostProps>()({ nodes: "optional list" });

export const DOCKER_TLS_PORT = 2376;
/** dockerd's Prometheus endpoint. */
export const DOCKERD_METRICS_PORT = 9323;

/**
 * dockerd's TLS options: written by Ignition to `source`, copied to `active` by docker-tcp.socket when it
 * starts, read by docker.service from `active` (see tlsDropIn for why).
 */
export const DOCKER_TLS_OPTIONS = { source: "/etc/docker/tls.env", active: "/run/docker-tls.env" } as const;

/**
 * The seed's Docker daemon hardening, per node: daemon.json, auditd rules on everything Docker trusts, and
 * on managers the TLS-verified remote API, bound to the private address only.
 */
export class DockerHost extends ClusterConstruct implements Preparable {
  private readonly chosenNodes: readonly Node[] | undefined;

  constructor(scope: Construct, id: string, props: DockerHostProps = {}) {
    super(scope, id);
    props = this.acceptProps(props, DOCKER_HOST_PROPS);
    this.chosenNodes = props.nodes ? [...props.nodes] : undefined;
  }

  /**
   * Fedora CoreOS's docker.service reads its flags from $OPTIONS, not Flatcar's $DOCKER_OPTS: the TLS flags
   * would be ignored while docker-tcp.socket still hands dockerd port 2376, an open root API.
   */
  override validateConstruct(): Problem[] {
    const exposed = Cluster.of(this).os === "fedora-coreos" && this.nodes.some((node) => node.swarmRole === "manager");
    return exposed ? [DOCKER_HOST_MESSAGES.problem("docker-host/tls-api-on-fedora-coreos", this, "", {})] : [];
  }

  /** The hardened nodes: those given, or every node of the cluster wherever it is declared. */
  get nodes(): readonly Node[] {
    return this.chosenNodes ?? Cluster.of(this).nodes;
  }

  /** Files and units go on the nodes once every node is declared. */
  prepare(): void {
    for (const node of this.nodes) {
      new HostFile(node, "docker-daemon-json", { path: "/etc/docker/daemon.json", contents: () => toJson(DockerHost.daemonConfig(node)) });
      new HostFile(node, "docker-daemon-json-exceptions", {
        path: "/etc/docker/daemon.json.exceptions",
        contents: () => withHashHeader(daemonExceptionsText()),
      });
      new HostFile(node, "docker-audit-rules", { path: "/etc/audit/rules.d/docker.rules", contents: () => dockerAuditRules() });
      if (node.swarmRole === "manager") {
        new HostFile(node, "docker-tls-options", { path: DOCKER_TLS_OPTIONS.source, contents: tlsOptions() });
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
      // Why live-restore and the other CIS items left unmet stay so: daemon.json.exceptions, beside this file.
      // Swarm mode refuses live-restore: dockerd fails `swarm init`/`join` with it set, so it stays off
      // (the seed's note: "incompatible with docker in swarm mode").
      "live-restore": false,
      // On the private address only, for Prometheus; current Docker serves metrics without `experimental`.
      "metrics-addr": `${node.privateIp}:${DOCKERD_METRICS_PORT}`,
      // `docker logs` and `docker service logs` read the json files; rotation keeps them from filling the disk.
      "log-driver": "json-file",
      "log-opts": { "max-size": "10m", "max-file": "3" },
      // Open files per container, stated rather than inherited from docker.service: mysqld raises its soft
      // limit up to the hard one (its open_files_limit), so the hard limit stays the unit's.
      "default-ulimits": { nofile: { Name: "nofile", Soft: 65536, Hard: 1048576 } },
    };
  }
}

/**
 * dockerd's TLS flags, as Flatcar documents the remote API: its docker.service passes `$DOCKER_OPTS` to
 * dockerd. With `--tlsverify`, dockerd wraps the TCP sockets systemd hands it (docker-tcp.socket) in TLS and
 * requires a client certificate signed by the docker-api CA (no etcd certificate opens it); the local unix socket is unchanged.
 */
function tlsOptions(): string {
  const options = [
    "--tlsverify",
    `--tlscacert=${HOST_TLS.dockerApi.trustBundle}`,
    `--tlscert=${HOST_TLS.dockerApi.certificate}`,
    `--tlskey=${HOST_TLS.dockerApi.key}`,
  ];
  return withHashHeader(
    [
      `# Read by docker.service from ${DOCKER_TLS_OPTIONS.active}, where docker-tcp.socket copies this file when it starts.`,
      `DOCKER_OPTS="${options.join(" ")}"`,
      "",
    ].join("\n"),
  );
}

/**
 * dockerd refuses to start with `--tlskey` naming a missing file, and the node key is delivered apart from
 * the public config: with the flags set unconditionally, a node whose key is late would have no Docker at
 * all. So the flags reach dockerd only together with the TCP socket they protect: docker-tcp.socket starts
 * only when the key exists, and copies the flags where this drop-in reads them ("-": a missing file is no
 * error). Without the key dockerd starts with its unix socket alone; the TCP API is never served without
 * TLS, and a key removed later makes dockerd fail to restart rather than serve it in the clear.
 * A key delivered after boot enables the API at the next boot, or at once with `systemctl start
 * docker-tcp.socket && systemctl restart docker`: nothing restarts dockerd by itself, since that stops
 * every container on the node (live-restore is off).
 */
function tlsDropIn(): string {
  return withHashHeader(
    renderUnit({
      Service: [
        ["#", `TLS options, present only while docker-tcp.socket is active (see ${DOCKER_TLS_OPTIONS.source}).`],
        ["EnvironmentFile", `-${DOCKER_TLS_OPTIONS.active}`],
      ],
    }),
  );
}

function tcpSocket(node: Node): string {
  return renderUnit({
    Unit: [
      ["Description", "Docker TLS API on the private network"],
      ["#", "No key, no TLS: then no TCP API at all, and dockerd starts with its unix socket only."],
      ["ConditionPathExists", HOST_TLS.dockerApi.key],
    ],
    Socket: [
      ["#", "The private address only: the seed listened on every address, public ones included."],
      ["ListenStream", `${node.privateIp}:${DOCKER_TLS_PORT}`],
      ["#", "Sockets are set up early in boot, possibly before the private interface has its address."],
      ["FreeBind", "true"],
      ["Service", "docker.service"],
      ["#", "dockerd, started after this socket, gets the TLS flags exactly when it gets this socket."],
      ["ExecStartPost", `/usr/bin/cp ${DOCKER_TLS_OPTIONS.source} ${DOCKER_TLS_OPTIONS.active}`],
      ["ExecStopPost", `/usr/bin/rm -f ${DOCKER_TLS_OPTIONS.active}`],
    ],
    Install: [["WantedBy", "sockets.target"]],
  });
}
