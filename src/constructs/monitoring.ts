import type { Construct } from "constructs";
import type { AvailabilitySource, Finding } from "../analysis/findings.js";
import { ClusterConstruct } from "../model/base.js";
import { Cluster } from "../model/cluster.js";
import { DOCKERD_METRICS_PORT } from "./docker-host.js";
import { HostFirewall } from "./host-firewall.js";
import type { OverlayNetwork } from "../model/network.js";
import { Service, type Placement } from "../model/service.js";
import { StackConfig } from "../model/stack-config.js";
import type { Stack } from "../model/stack.js";

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
}

export interface MonitoringSettings {
  readonly scrapeInterval: string;
}

/** Ports the Prometheus configuration scrapes. */
export const SCRAPE_PORTS = {
  prometheus: 9090,
  nodeExporter: 9100,
  // dockerd's own metrics endpoint, which DockerHost's daemon.json opens on the private address.
  dockerd: DOCKERD_METRICS_PORT,
} as const;

export const PROMETHEUS_FILE = "prometheus/prometheus.yml";

/** Swarm service template resolved per task to the hostname of the node it runs on. */
export const NODE_HOSTNAME_TEMPLATE = "{{.Node.Hostname}}";

/**
 * Metrics for the cluster: Prometheus on an overlay plus node-exporter on every node's host network. The
 * prometheus generator writes prometheus.yml from the model; this construct declares the services and the
 * Docker config.
 */
export class Monitoring extends ClusterConstruct implements AvailabilitySource {
  readonly stack: Stack;
  readonly prometheus: Service;
  readonly nodeExporter: Service;
  readonly settings: MonitoringSettings;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.stack = props.stack;
    this.settings = { scrapeInterval: props.scrapeInterval ?? "15s" };
    const config = new StackConfig(props.stack, "prometheus-yml", { file: PROMETHEUS_FILE });

    this.prometheus = new Service(props.stack, "prometheus", {
      image: props.prometheusImage ?? "prom/prometheus:v2.53.0",
      command: [
        "--config.file=/etc/prometheus/prometheus.yml",
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${props.retention ?? "24h"}`,
      ],
      placement: props.prometheusPlacement ?? { tier: "app", role: "manager" },
      networks: [props.network],
      volumes: ["prometheus-data:/prometheus"],
      configs: [{ config, target: "/etc/prometheus/prometheus.yml" }],
      memoryLimit: props.prometheusMemoryLimit ?? "2G",
    });

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
        `--web.listen-address=:${SCRAPE_PORTS.nodeExporter}`,
      ],
      // rslave: file systems the host mounts later (a new data disk) show up in node_filesystem_*.
      volumes: ["/proc:/host/proc:ro", "/sys:/host/sys:ro", "/:/host:ro,rslave"],
      memoryLimit: props.exporterMemoryLimit ?? "128M",
    });
    // node_uname_info{nodename} reports the container's hostname: the node's, through Swarm's template.
    this.nodeExporter.override({ hostname: NODE_HOSTNAME_TEMPLATE });
  }

  /** node-exporter answers on every address of its node: a public node needs a HostFirewall in front of it. */
  availabilityFindings(): Finding[] {
    const cluster = Cluster.of(this);
    const protectedNodes = new Set(cluster.all(HostFirewall).flatMap((firewall) => firewall.nodes));
    const exposed = this.nodeExporter.eligibleNodes.filter((node) => node.publicIp !== undefined && !protectedNodes.has(node));
    if (exposed.length === 0) return [];
    return [
      {
        severity: "warning",
        code: "monitoring/node-exporter-public",
        construct: this.nodeExporter.path,
        message: `node-exporter listens on public addresses (${exposed.map((node) => node.hostname).join(", ")}): declare a HostFirewall`,
      },
    ];
  }
}
