import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import { HostFile, type Node, SystemdUnit } from "../../src/model/node.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { Service, StackConfig, type Stack } from "../../src/model/stack.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { bashScript } from "../shell.js";
import type { FilebeatModule } from "./filebeat-catalogue.js";
import { FILEBEAT_MOUNTS, filebeatYaml } from "./filebeat-config.js";
import { LOGS_MESSAGES } from "./messages.js";
import { PACKETBEAT_CONFIG, PACKETBEAT_SCRIPT, PACKETBEAT_UNIT, packetbeatScript, packetbeatUnit, packetbeatYaml } from "./packetbeat.js";
import type { SearchCluster } from "./search-cluster.js";
import { IMAGES } from "./versions.js";

/** Services whose container logs a Filebeat module parses, by module (autodiscover hints on their containers). */
export interface ModuleServices {
  /** nginx: access log on stdout, error log on stderr, as the FrontProxy's nginx writes them. */
  readonly nginx?: readonly Service[];
  /** MySQL (XtraDB): its error log, on the container's output. */
  readonly mysql?: readonly Service[];
}

export interface LogShipperProps {
  readonly stack: Stack;
  readonly network: OverlayNetwork;
  readonly engine: SearchCluster;
  /** Filebeat's writer password (the engine's one-shot gives the user this password). */
  readonly password: Secret;
  readonly modules?: ModuleServices;
  /**
   * systemd units whose journal Filebeat ships besides the system module's syslog and auth.
   * @default ["docker.service", "etcd-member.service"]
   */
  readonly journaldUnits?: readonly string[];
  /**
   * Nodes that run Packetbeat (a systemd unit on the host network, outside Swarm).
   * @default every node
   */
  readonly packetbeatNodes?: readonly Node[];
  /** @default "256M" */
  readonly memoryLimit?: string;
}

export const LOG_SHIPPER_PROPS = propsShape<LogShipperProps>()({
  stack: "required",
  network: "required",
  engine: "required",
  password: "required",
  modules: { presence: "optional", fields: { nginx: "optional list", mysql: "optional list" } },
  journaldUnits: "optional list",
  packetbeatNodes: "optional list",
  memoryLimit: "optional",
});

/** The hint labels that make Filebeat parse a container's output with a module's filesets. */
const MODULE_HINTS: Readonly<Record<FilebeatModule & keyof ModuleServices, Readonly<Record<string, string>>>> = {
  nginx: { "co.elastic.logs/module": "nginx", "co.elastic.logs/fileset.stdout": "access", "co.elastic.logs/fileset.stderr": "error" },
  mysql: { "co.elastic.logs/module": "mysql", "co.elastic.logs/fileset": "error" },
};

const START_SCRIPT = "/usr/share/filebeat/start.sh";

/**
 * Filebeat on every node (the seed's filebeat and journalbeat in one: Filebeat's journald input replaced
 * Journalbeat) and Packetbeat on the host network of the nodes chosen, writing files Filebeat ships.
 */
export class LogShipper extends ClusterConstruct {
  readonly filebeat: Service;
  readonly packetbeatNodes: readonly Node[];
  /** No `packetbeatNodes` given: Packetbeat goes on every node, those declared after this construct included. */
  private readonly everyNode: boolean;

  constructor(scope: Construct, id: string, props: LogShipperProps) {
    super(scope, id);
    props = this.acceptProps(props, LOG_SHIPPER_PROPS);
    const { engine, password } = props;
    this.packetbeatNodes = props.packetbeatNodes ? [...props.packetbeatNodes] : [];
    this.everyNode = props.packetbeatNodes === undefined;

    const config = new StackConfig(props.stack, "filebeat.yml", {
      contents: () =>
        filebeatYaml({
          endpoints: engine.endpoints,
          replicas: engine.replicas,
          journaldUnits: props.journaldUnits ?? ["docker.service", "etcd-member.service"],
          packetbeat: this.packetbeatHosts.length > 0,
        }),
    });
    const start = new StackConfig(props.stack, "filebeat-start.sh", {
      contents: () =>
        bashScript(
          ["Entrypoint of Filebeat: the writer's password from its secret into the environment filebeat.yml reads."],
          [
            `FILEBEAT_PASSWORD=$(<${password.mountPath})`,
            "export FILEBEAT_PASSWORD",
            "exec /usr/bin/tini -s -- /usr/local/bin/docker-entrypoint -environment container",
          ],
        ),
    });
    this.filebeat = new Service(props.stack, "filebeat", {
      image: IMAGES.filebeat,
      mode: "global",
      entrypoint: ["/bin/bash", START_SCRIPT],
      command: [],
      networks: present([props.network]),
      secrets: [password],
      configs: [
        { config, target: "/usr/share/filebeat/filebeat.yml" },
        { config: start, target: START_SCRIPT },
      ],
      volumes: [
        `${FILEBEAT_MOUNTS.containers}:${FILEBEAT_MOUNTS.containers}:ro`,
        `${FILEBEAT_MOUNTS.dockerSocket}:${FILEBEAT_MOUNTS.dockerSocket}:ro`,
        `${FILEBEAT_MOUNTS.journal}:${FILEBEAT_MOUNTS.journal}:ro`,
        `/var/log:${FILEBEAT_MOUNTS.hostLogs}:ro`,
        `/etc/machine-id:${FILEBEAT_MOUNTS.machineId}:ro`,
        // The registry: where each file and journal was read up to, so a restart neither loses nor repeats lines.
        "filebeat-data:/usr/share/filebeat/data",
      ],
      memoryLimit: props.memoryLimit ?? "256M",
    });
    // Root: the containers' log files and the journal are root's; the hostname names the node in every event.
    this.filebeat.override({ user: "root", hostname: "{{.Node.Hostname}}" });
    cisException(this.filebeat, {
      "5.6":
        "the journald input finds the host's journal by the host's machine id (/etc/machine-id, read-only); the other host paths are logs, read-only",
      "5.13": "Filebeat writes its registry to its volume and its own logs and state under its home directory",
      "5.27": "Filebeat serves nothing to probe; the engine's indexing rate per host shows a shipper that stops",
      "5.32": "Filebeat reads each container's labels (autodiscover hints) through the Docker socket, read-only",
    });

    for (const [module, services] of Object.entries(props.modules ?? {}) as [keyof ModuleServices, readonly Service[]][]) {
      for (const service of services) service.override({ labels: { ...MODULE_HINTS[module] } });
    }
  }

  /** Nodes with Packetbeat's unit: those listed, or every node of the cluster. */
  get packetbeatHosts(): readonly Node[] {
    return this.everyNode ? Cluster.of(this).nodes : [...new Set(this.packetbeatNodes)];
  }

  /** Packetbeat's files and unit go on the nodes once every node is declared. */
  prepare(): void {
    const script = packetbeatScript(IMAGES.packetbeat);
    const unit = packetbeatUnit();
    const yaml = packetbeatYaml();
    for (const node of this.packetbeatHosts) {
      new HostFile(node, "packetbeat-config", { path: PACKETBEAT_CONFIG, contents: yaml, mode: 0o600 });
      new HostFile(node, "packetbeat-run", { path: PACKETBEAT_SCRIPT, contents: script, mode: 0o755 });
      new SystemdUnit(node, PACKETBEAT_UNIT, { contents: unit });
    }
  }

  override validateConstruct(): Problem[] {
    const seen = new Set<Node>();
    const problems: Problem[] = [];
    for (const node of this.packetbeatNodes) {
      if (seen.has(node))
        problems.push(LOGS_MESSAGES.problem("logs/packetbeat-node-twice", this, "packetbeatNodes", { hostname: node.hostname }));
      seen.add(node);
    }
    return problems;
  }
}
