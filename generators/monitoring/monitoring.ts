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
import { Certificate } from "../../src/model/certificate.js";
import type { Preparable } from "../../src/model/base.js";
import { Secret } from "../../src/model/secret.js";
import { singleReplicaStateFindings } from "../../src/analysis/stateful-data.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import { ETCD_CLIENT_PORT } from "../etcd/etcd-flags.js";
import { FrontProxy } from "../nginx/front-proxy.js";
import { TRUST_DOMAINS } from "../pki/host-paths.js";
import { ClusterPki } from "../pki/cluster-pki.js";
import { ProxySql } from "../proxysql/proxysql.js";
import { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import { addCadvisor, addMysqldExporters, addNginxExporter, addPhpFpmExporter, scrapeProxySql } from "./exporters.js";
import { MONITORING_MESSAGES } from "./messages.js";
import { DOCKER_SOCKET, prometheusYaml, SCRAPE_PORTS, type EtcdScrape } from "./prometheus-config.js";
import { scrapeTargetOf } from "./scrape-labels.js";
import {
  dockerMemoryBytes,
  isPrometheusDuration,
  prometheusMemoryEstimate,
  prometheusSizeBytes,
  readableBytes,
  retentionSizeFor,
  RETENTION_SHARE_OF_VOLUME,
  SERIES_PER_NODE,
  SERIES_PER_TARGET,
} from "./storage.js";

export interface MonitoringProps {
  /** Stack the monitoring services are deployed in (the seed's `stats`). */
  readonly stack: Stack;
  /** Overlay Prometheus joins (node-exporter runs on each node's host network). */
  readonly network: OverlayNetwork;
  /** @default PROMETHEUS_IMAGE */
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
  /**
   * How much the TSDB may hold on its volume (Prometheus' size syntax, `8GB`); the oldest blocks go first.
   * @default 80% of `dataVolumeSize` when that is given, else unbounded (time only)
   */
  readonly retentionSize?: string;
  /**
   * Space the node gives Prometheus' data volume (`50GB`): the retention size must fit in it with room for
   * compaction, which writes a block before it deletes the ones it merges.
   */
  readonly dataVolumeSize?: string;
  /** @default "15s" */
  readonly scrapeInterval?: string;
  /**
   * Docker's syntax (`2G`). A limit under what the cluster's series need (an estimate from its nodes and
   * targets) is a warning: Prometheus would be killed while replaying its WAL, over and over.
   * @default "2G"
   */
  readonly prometheusMemoryLimit?: string;
  /** @default "128M" */
  readonly exporterMemoryLimit?: string;
  /** @default "256M" (cAdvisor keeps every container's series in memory) */
  readonly cadvisorMemoryLimit?: string;
  /**
   * The my.cnf `[client]` section (user, password) mysqld_exporter logs in with, for the XtraDB members.
   * @default each XtraDB cluster's `exporterCredentials` (its `exporter` account, created by its accounts script)
   */
  readonly mysqldExporterCredentials?: Secret;
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
  retentionSize: "optional",
  dataVolumeSize: "optional",
  scrapeInterval: "optional",
  prometheusMemoryLimit: "optional",
  exporterMemoryLimit: "optional",
  cadvisorMemoryLimit: "optional",
  mysqldExporterCredentials: "optional",
  prometheusPlacement: { presence: "optional", fields: PLACEMENT_FIELDS },
  alerting: { presence: "optional", fields: ALERTING_OPTIONS },
});

export interface MonitoringSettings {
  readonly scrapeInterval: string;
  readonly retention: string;
  readonly retentionSize: string | undefined;
  readonly dataVolumeSize: string | undefined;
  readonly prometheusMemoryLimit: string;
}

/**
 * Prometheus 2.55 (the last 2.x, Oct. 2024, maintained as the LTS line): `dockerswarm_sd_configs` (2.20+) and
 * the size retention; the seed's v2.5 had neither. 3.x changes the UI and some defaults, left for its own change.
 */
export const PROMETHEUS_IMAGE = "prom/prometheus:v2.55.1";

/** Where Prometheus finds its etcd client certificate and key (Docker secrets) and the CA (the node's file). */
const ETCD_TLS = {
  caSecret: "prometheus_etcd_client_ca",
  certSecret: "prometheus_etcd_client_cert",
  keySecret: "prometheus_etcd_client_key",
} as const;

/** Name of the etcd client certificate Prometheus presents (pki/certs/<name>.crt). */
export const PROMETHEUS_ETCD_CLIENT = "prometheus-etcd-client";

/** Where prometheus.yml is mounted; the rules file sits beside it. */
const CONFIG_DIRECTORY = "/etc/prometheus";

/** Swarm service template resolved per task to the hostname of the node it runs on. */
export const NODE_HOSTNAME_TEMPLATE = "{{.Node.Hostname}}";

/**
 * Metrics for the cluster: Prometheus on an overlay plus node-exporter on every node's host network, and
 * prometheus.yml rendered from the model as a Docker config.
 */
export class Monitoring extends ClusterConstruct implements AvailabilitySource, Preparable {
  readonly stack: Stack;
  readonly prometheus: Service;
  readonly nodeExporter: Service;
  /** Where node-exporter listens on each of its nodes. */
  readonly nodeExporterPort: number;
  readonly settings: MonitoringSettings;
  readonly alerting: Alerting | undefined;
  readonly cadvisor: Service;
  /** Every exporter service this Monitoring added in the prepare phase (cAdvisor aside). */
  readonly exporters: Service[] = [];
  /** The etcd client certificate Prometheus presents, when the cluster runs etcd with a ClusterPki. */
  etcdClientCertificate: Certificate | undefined;
  private etcdScrape: EtcdScrape | undefined;
  private readonly network: OverlayNetwork;
  private readonly exporterMemoryLimit: string;
  private readonly mysqldCredentials: Secret | undefined;
  private prepared = false;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    props = this.acceptProps(props, MONITORING_PROPS);
    this.stack = props.stack;
    this.nodeExporterPort = props.nodeExporterPort ?? SCRAPE_PORTS.nodeExporter;
    this.network = props.network;
    this.exporterMemoryLimit = props.exporterMemoryLimit ?? "128M";
    this.mysqldCredentials = props.mysqldExporterCredentials;
    const volumeBytes = props.dataVolumeSize === undefined ? undefined : prometheusSizeBytes(props.dataVolumeSize);
    this.settings = {
      scrapeInterval: props.scrapeInterval ?? "15s",
      retention: props.retention ?? "24h",
      retentionSize: props.retentionSize ?? (volumeBytes === undefined ? undefined : retentionSizeFor(volumeBytes)),
      dataVolumeSize: props.dataVolumeSize,
      prometheusMemoryLimit: props.prometheusMemoryLimit ?? "2G",
    };
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
          network: this.network.name,
          etcd: this.etcdScrape,
          // Relative to prometheus.yml, as Prometheus resolves it: the same name beside it in the container and
          // in out/, where `promtool check config` then checks the rules too.
          alerting: this.alerting && { ruleFile: this.alerting.rules.name, alertmanagers: this.alerting.replicaNodes },
        });
      },
    });

    this.prometheus = new Service(props.stack, "prometheus", {
      image: props.prometheusImage ?? PROMETHEUS_IMAGE,
      command: [
        `--config.file=${CONFIG_DIRECTORY}/prometheus.yml`,
        "--storage.tsdb.path=/prometheus",
        `--storage.tsdb.retention.time=${this.settings.retention}`,
        ...(this.settings.retentionSize ? [`--storage.tsdb.retention.size=${this.settings.retentionSize}`] : []),
      ],
      // A manager: Swarm discovery reads the tasks from a manager's Docker API (validateConstruct holds it there).
      placement: props.prometheusPlacement ?? { tier: "app", role: "manager" },
      networks: present([props.network]),
      // The manager's own socket rather than the Docker TLS API: the API over TCP would need a client
      // certificate, which opens every manager's API (root on each) from wherever the key is copied, and a
      // published port; the socket gives the same rights to this one task only, and nothing crosses the network.
      // Read-only stops Prometheus from replacing the socket file, not from calling the API: the discovery
      // only lists, and the process is Prometheus alone.
      volumes: ["prometheus-data:/prometheus", `${DOCKER_SOCKET}:${DOCKER_SOCKET}:ro`],
      configs: [
        { config, target: `${CONFIG_DIRECTORY}/prometheus.yml` },
        ...(this.alerting ? [{ config: this.alerting.rules, target: `${CONFIG_DIRECTORY}/${this.alerting.rules.name}` }] : []),
      ],
      memoryLimit: this.settings.prometheusMemoryLimit,
      // The image's busybox has wget; /-/healthy answers once the TSDB is open.
      healthcheck: {
        test: ["CMD", "wget", "-q", "--spider", "http://localhost:9090/-/healthy"],
        interval: "30s",
        timeout: "5s",
        retries: 3,
      },
    });
    // It writes to its data volume only. The image runs as nobody, and the socket is root's and the docker
    // group's, whose number differs between distributions: root in the container reads it.
    this.prometheus.override({ read_only: true, user: "root" });
    cisException(this.prometheus, {
      "5.32": "Prometheus lists Swarm's tasks to find what to scrape (dockerswarm_sd_configs); it runs on a manager only",
    });

    this.cadvisor = addCadvisor(
      props.stack,
      { network: props.network, memoryLimit: this.exporterMemoryLimit },
      props.cadvisorMemoryLimit ?? "256M",
    );

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

  /**
   * The exporters of what the cluster runs, wherever it is declared: one mysqld_exporter per XtraDB member,
   * ProxySQL's own, one nginx and one php-fpm exporter beside each front's tasks, and etcd over TLS.
   */
  prepare(): void {
    // A tree synthesized twice (a test, a watch mode) is prepared twice: the exporters exist once.
    if (this.prepared) return;
    this.prepared = true;
    const cluster = Cluster.of(this);
    // The cluster's components get one set of exporters, on the first Monitoring's overlay; a second
    // Monitoring scrapes those it shares an overlay with.
    if (cluster.all(Monitoring)[0] !== this) return;
    const context = { network: this.network, memoryLimit: this.exporterMemoryLimit };
    const xtradbs = cluster.all(XtraDbCluster);
    // Each XtraDB cluster's own exporter account (its duty's secret, created by its accounts script).
    for (const xtradb of xtradbs) {
      this.exporters.push(...addMysqldExporters(this.stack, context, xtradb, this.mysqldCredentials ?? xtradb.exporterCredentials));
    }
    for (const proxy of cluster.all(ProxySql)) scrapeProxySql(proxy);
    const phps = new Set<Service>();
    for (const front of cluster.all(FrontProxy)) {
      const nginx = addNginxExporter(front, context);
      if (nginx) this.exporters.push(nginx);
      // Two front proxies may pass the same php-fpm: it gets one status socket and one exporter.
      if (front.php && !phps.has(front.php)) this.exporters.push(addPhpFpmExporter(front.php, context));
      if (front.php) phps.add(front.php);
    }
    this.prepareEtcdScrape(cluster);
  }

  /**
   * etcd requires a client certificate of its etcd-client CA on its client port: Prometheus gets one of its own
   * (client auth only), and the CA bundle that verifies etcd's serving certificate, each a Docker secret: only
   * etcd members hold the etcd-client folder, and Prometheus may run elsewhere.
   */
  private prepareEtcdScrape(cluster: Cluster): void {
    const members = cluster.all(EtcdCluster).flatMap((etcd) => etcd.members);
    const [pki] = cluster.all(ClusterPki);
    if (members.length === 0 || !pki) return;
    const domain = TRUST_DOMAINS.etcdClient;
    this.etcdClientCertificate = new Certificate(pki.authority(domain), PROMETHEUS_ETCD_CLIENT, {
      commonName: PROMETHEUS_ETCD_CLIENT,
      usages: ["client"],
    });
    const ca = new Secret(cluster, ETCD_TLS.caSecret, {
      description: `the CA bundle etcd's clients trust: pki/${domain}/ca.crt`,
    });
    ca.generateAs({ kind: "pki", domain, part: "trust-bundle" });
    const certificate = new Secret(cluster, ETCD_TLS.certSecret, {
      description: `Prometheus' etcd client certificate: pki/${domain}/certs/${PROMETHEUS_ETCD_CLIENT}.crt`,
    });
    certificate.generateAs({ kind: "pki", domain, part: "certificate", certificate: PROMETHEUS_ETCD_CLIENT });
    const key = new Secret(cluster, ETCD_TLS.keySecret, {
      description: `Prometheus' etcd client key: secrets/pki/${domain}/${PROMETHEUS_ETCD_CLIENT}.key`,
    });
    key.generateAs({ kind: "pki", domain, part: "key", certificate: PROMETHEUS_ETCD_CLIENT });
    this.prometheus.addMounts({ secrets: [ca, certificate, key] });
    this.etcdScrape = {
      members,
      port: ETCD_CLIENT_PORT,
      caFile: ca.mountPath,
      certFile: certificate.mountPath,
      keyFile: key.mountPath,
    };
  }

  /** Series the cluster produces, roughly: what the memory estimate is made of. */
  private estimatedSeries(): number {
    const cluster = Cluster.of(this);
    const targets = cluster
      .all(Service)
      .filter((service) => scrapeTargetOf(service) !== undefined && service !== this.cadvisor)
      .reduce((sum, service) => sum + service.replicaCount, 0);
    return cluster.nodes.length * SERIES_PER_NODE + (targets + (this.etcdScrape?.members.length ?? 0)) * SERIES_PER_TARGET;
  }

  /** Storage and memory settings that Prometheus would refuse, or that cannot hold what the model asks. */
  private storageProblems(): Problem[] {
    const problems: Problem[] = [];
    const { retention, retentionSize, dataVolumeSize, prometheusMemoryLimit } = this.settings;
    if (!isPrometheusDuration(retention)) {
      problems.push(MONITORING_MESSAGES.problem("monitoring/retention-invalid", this, "retention", { value: retention }));
    }
    const sizeBytes = retentionSize === undefined ? undefined : prometheusSizeBytes(retentionSize);
    if (retentionSize !== undefined && sizeBytes === undefined) {
      problems.push(MONITORING_MESSAGES.problem("monitoring/size-invalid", this, "retentionSize", { value: retentionSize }));
    }
    const volumeBytes = dataVolumeSize === undefined ? undefined : prometheusSizeBytes(dataVolumeSize);
    if (dataVolumeSize !== undefined && volumeBytes === undefined) {
      problems.push(MONITORING_MESSAGES.problem("monitoring/size-invalid", this, "dataVolumeSize", { value: dataVolumeSize }));
    }
    if (sizeBytes !== undefined && volumeBytes !== undefined && sizeBytes > volumeBytes * RETENTION_SHARE_OF_VOLUME) {
      problems.push(
        MONITORING_MESSAGES.problem("monitoring/retention-exceeds-volume", this, "retentionSize", {
          size: retentionSize ?? "",
          volume: dataVolumeSize ?? "",
          most: retentionSizeFor(volumeBytes),
        }),
      );
    }
    const memoryBytes = dockerMemoryBytes(prometheusMemoryLimit);
    if (memoryBytes === undefined) {
      problems.push(
        MONITORING_MESSAGES.problem("monitoring/memory-invalid", this, "prometheusMemoryLimit", { value: prometheusMemoryLimit }),
      );
    } else {
      const series = this.estimatedSeries();
      const needed = prometheusMemoryEstimate(series);
      if (memoryBytes < needed) {
        problems.push(
          MONITORING_MESSAGES.problem("monitoring/memory-too-small", this, "prometheusMemoryLimit", {
            limit: prometheusMemoryLimit,
            series,
            needed: readableBytes(needed),
          }),
        );
      }
    }
    return problems;
  }

  /** Swarm discovery needs a manager's API; a scraped service must share Prometheus' overlay. */
  private discoveryProblems(): Problem[] {
    const problems: Problem[] = [];
    const workers = this.prometheus.eligibleNodes.filter((node) => node.swarmRole !== "manager");
    if (workers.length > 0) {
      problems.push(
        MONITORING_MESSAGES.problem("monitoring/prometheus-not-on-manager", this, "prometheusPlacement", {
          workers: workers.map((node) => node.hostname).join(", "),
        }),
      );
    }
    const all = Cluster.of(this).all(Monitoring);
    // Reported once, by the first Monitoring: a target any Prometheus reaches is fine.
    const networks = new Set(all.map((monitoring) => monitoring.network));
    for (const service of all[0] === this ? Cluster.of(this).all(Service) : []) {
      if (!scrapeTargetOf(service) || service.hostNetwork || service.networks.some((network) => networks.has(network))) continue;
      problems.push(
        MONITORING_MESSAGES.problem("monitoring/target-unreachable", service, "networks", {
          service: service.dockerName,
          network: this.network.name,
        }),
      );
    }
    return problems;
  }

  /** Two node-exporters on one node's host network cannot both listen on one port. */
  override validateConstruct(): Problem[] {
    return [...this.storageProblems(), ...this.discoveryProblems(), ...this.portProblems()];
  }

  private portProblems(): Problem[] {
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
    const history = `its metrics history (${this.settings.retention}${this.settings.retentionSize ? `, at most ${this.settings.retentionSize}` : ""})`;
    return [
      ...singleReplicaStateFindings({
        service: this.prometheus,
        volume: "prometheus-data",
        holds: history,
        stops: "metrics are not recorded and no alert rule is evaluated",
      }),
      ...this.exposedNodeExporterFindings(),
    ];
  }

  /** node-exporter answers on every address of its node: a public node needs a HostFirewall in front of it. */
  private exposedNodeExporterFindings(): Problem[] {
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
