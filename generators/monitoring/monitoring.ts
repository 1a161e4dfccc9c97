import { cisException } from "../docker-host/cis/exceptions.js";
import type { Construct } from "constructs";
import { finding, type AvailabilitySource } from "../../src/analysis/findings.js";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import { PLACEMENT_FIELDS, Service, StackConfig, type Placement, type Stack } from "../../src/model/stack.js";
import { ALERTING_OPTIONS, Alerting, type AlertingOptions } from "../alerting/alerting.js";
import { DockerHost } from "../docker-host/docker-host.js";
import { HostFirewall } from "../firewall/host-firewall.js";
import { MONITORING_MESSAGES } from "./messages.js";
import { prometheusYaml, SCRAPE_PORTS } from "./prometheus-config.js";

export interface MonitoringProps {
  /** Stack the monitoring services are deployed in (the seed's `stats`). */
  readonly stack: Stack;
  /** Overlay Prometheus joins (node-exporter runs on each node's host network). */
  readonly network: OverlayNetwork;
  /** @default "prom/prometheus:v2.53.0" */
  readonly prometheusImage?: string;
  /** @default "prom/node-exporter:v1.8.2" */
  readonly nodeExporterImage?: string;
  /**
   * Port node-exporter listens on, on every address of its node (host network). A second Monitoring whose
   * node-exporter shares nodes with this one needs another port.
   * @default 9100
   */
  readonly nodeExporterPort?: number;
  /**
   * How long Prometheus keeps samples.
   * @default "24h" (as the seed's swarmprom)
   */
  readonly retention?: string;
  /** @default "15s" */
  readonly scrapeInterval?: string;
  /** @default "2G" */
  readonly prometheusMemoryLimit?: string;
  /** @default "128M" */
  readonly exporterMemoryLimit?: string;
  /**
   * Where Prometheus runs. Its data is a node-local volume: if the task moves to another node, history starts
   * again there. Pin it to one node (`{ hostname }`) to keep history; the reference config pins it to the
   * first manager.
   * @default { tier: "app", role: "manager" }
   */
  readonly prometheusPlacement?: Placement;
  /**
   * Alert rules derived from the model and a cluster of Alertmanagers (one per node listed) Prometheus sends to.
   * Without it Prometheus records metrics and alerts no one.
   */
  readonly alerting?: AlertingOptions;
}

export const MONITORING_PROPS = propsShape<MonitoringProps>()({
  stack: "required",
  network: "required",
  prometheusImage: "optional",
  nodeExporterImage: "optional",
  nodeExporterPort: "optional",
  retention: "optional",
  scrapeInterval: "optional",
  prometheusMemoryLimit: "optional",
  exporterMemoryLimit: "optional",
  prometheusPlacement: { presence: "optional", fields: PLACEMENT_FIELDS },
  alerting: { presence: "optional", fields: ALERTING_OPTIONS },
});

export interface MonitoringSettings {
  readonly scrapeInterval: string;
}

/** Where prometheus.yml is mounted; the rules file sits beside it. */
const CONFIG_DIRECTORY = "/etc/prometheus";

/** Swarm service template resolved per task to the hostname of the node it runs on. */
export const NODE_HOSTNAME_TEMPLATE = "{{.Node.Hostname}}";

/**
 * Metrics for the cluster: Prometheus on an overlay plus node-exporter on every node's host network, and
 * prometheus.yml rendered from the model as a Docker config.
 */
export class Monitoring extends ClusterConstruct implements AvailabilitySource {
  readonly stack: Stack;
  readonly prometheus: Service;
  readonly nodeExporter: Service;
  /** Where node-exporter listens on each of its nodes. */
  readonly nodeExporterPort: number;
  readonly settings: MonitoringSettings;
  readonly alerting: Alerting | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    props = this.acceptProps(props, MONITORING_PROPS);
    this.stack = props.stack;
    this.nodeExporterPort = props.nodeExporterPort ?? SCRAPE_PORTS.nodeExporter;
    this.settings = { scrapeInterval: props.scrapeInterval ?? "15s" };
    this.alerting = props.alerting && new Alerting(this, "alerting", { ...props.alerting, stack: props.stack, network: props.network });
    const config = new StackConfig(props.stack, "prometheus.yml", {
      // dockerd serves metrics only where DockerHost's daemon.json sets `metrics-addr`.
      contents: () => {
        const cluster = Cluster.of(this);
        const hardened = new Set(cluster.all(DockerHost).flatMap((host) => host.nodes));
        return prometheusYaml({
          cluster,
          scrapeInterval: this.settings.scrapeInterval,
          nodeExporterNodes: this.nodeExporter.eligibleNodes,
          nodeExporterPort: this.nodeExporterPort,
          dockerdNodes: cluster.nodes.filter((node) => hardened.has(node)),
          // Relative to prometheus.yml, as Prometheus resolves it: the same name beside it in the container and
          // in out/, where `promtool check config` then checks the rules too.
          alerting: this.alerting && { ruleFile: this.alerting.rules.name, alertmanagers: this.alerting.replicaNodes },
        });
      },
    });

    this.prometheus = new Service(props.stack, "prometheus", {
      image: props.prometheusImage ?? "prom/prometheus:v2.53.0",
      command: [
        `--config.file=${CONFIG_DIRECTORY}/prometheus.yml`,
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${props.retention ?? "24h"}`,
      ],
      placement: props.prometheusPlacement ?? { tier: "app", role: "manager" },
      networks: present([props.network]),
      volumes: ["prometheus-data:/prometheus"],
      configs: [
        { config, target: `${CONFIG_DIRECTORY}/prometheus.yml` },
        ...(this.alerting ? [{ config: this.alerting.rules, target: `${CONFIG_DIRECTORY}/${this.alerting.rules.name}` }] : []),
      ],
      memoryLimit: props.prometheusMemoryLimit ?? "2G",
      // The image's busybox has wget; /-/healthy answers once the TSDB is open.
      healthcheck: {
        test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"],
        interval: "30s",
        timeout: "5s",
        retries: 3,
      },
    });
    // It writes to its data volume only.
    this.prometheus.override({ read_only: true });

    // On the host network: node_network_* and the other namespaced metrics then describe the node, not a
    // container. Without a published port it listens on every address of the node, public ones included;
    // the HostFirewall's input chain lets only the private network in (availabilityFindings() warns about
    // public nodes it does not cover). Prometheus scrapes each node at <privateIp>:9100, the model's list.
    this.nodeExporter = new Service(props.stack, "node-exporter", {
      image: props.nodeExporterImage ?? "prom/node-exporter:v1.8.2",
      mode: "global",
      hostNetwork: true,
      command: [
        "--path.procfs=/host/proc",
        "--path.sysfs=/host/sys",
        "--path.rootfs=/host",
        `--web.listen-address=:${this.nodeExporterPort}`,
      ],
      // rslave: file systems the host mounts later (a new data disk) show up in node_filesystem_*.
      volumes: ["/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/host:ro,rslave"],
      memoryLimit: props.exporterMemoryLimit ?? "128M",
      healthcheck: {
        test: ["CMD", "wget", "-q", "--spider", `http://localhost:${this.nodeExporterPort}/`],
        interval: "30s",
        timeout: "5s",
        retries: 3,
      },
    });
    // node_uname_info{nodename} reports the container's hostname: the node's, through Swarm's template.
    // It reads the host through its read-only mounts and writes nothing.
    this.nodeExporter.override({ hostname: NODE_HOSTNAME_TEMPLATE, read_only: true });
    const observesTheHost = "node-exporter reports the node itself: its /proc, /sys and mounts (read-only), its network interfaces";
    cisException(this.nodeExporter, {
      "5.6": `${observesTheHost}, read-only`,
      "5.10": `${observesTheHost}; the host firewall admits only the private network to its port`,
      "5.21": `${observesTheHost}; the host network brings the host's UTS namespace`,
    });
  }

  /** node-exporter answers on every address of its node: a public node needs a HostFirewall in front of it. */
  /** Two node-exporters on one node's host network cannot both listen on one port. */
  override validateConstruct(): Problem[] {
    const mine = new Set(this.nodeExporter.eligibleNodes);
    const all = Cluster.of(this).all(Monitoring);
    // Reported once, on the later of the two: the one declared first keeps its port.
    const earlier = all.slice(0, all.indexOf(this));
    const clash = earlier.find(
      (other) => other.nodeExporterPort === this.nodeExporterPort && other.nodeExporter.eligibleNodes.some((node) => mine.has(node)),
    );
    if (!clash) return [];
    return [
      MONITORING_MESSAGES.problem("monitoring/node-exporter-port-shared", this, "nodeExporterPort", {
        other: clash.path,
        port: this.nodeExporterPort,
      }),
    ];
  }

  availabilityFindings(): Problem[] {
    const cluster = Cluster.of(this);
    const protectedNodes = new Set(cluster.all(HostFirewall).flatMap((firewall) => firewall.nodes));
    const exposed = this.nodeExporter.eligibleNodes.filter((node) => node.publicIp !== undefined && !protectedNodes.has(node));
    if (exposed.length === 0) return [];
    return [
      finding("warning", "monitoring/node-exporter-public", this.nodeExporter, {
        message: `node-exporter listens on public addresses (${exposed.map((node) => node.hostname).join(", ")})`,
        hint: "declare a HostFirewall covering these nodes: it lets only the private network reach port 9100",
      }),
    ];
  }
}
