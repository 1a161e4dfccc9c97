import { yamlText } from "../../src/core/yaml-text.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { DOCKERD_METRICS_PORT } from "../docker-host/docker-host.js";
import { SCRAPE_LABELS, serviceLabelMeta } from "./scrape-labels.js";

/** Ports the Prometheus configuration scrapes. */
export const SCRAPE_PORTS = {
  prometheus: 9090,
  nodeExporter: 9100,
  // dockerd's own metrics endpoint, which DockerHost's daemon.json opens on the private address.
  dockerd: DOCKERD_METRICS_PORT,
} as const;

/** Where Prometheus reads the Docker API for Swarm discovery: the manager's socket, mounted read-only. */
export const DOCKER_SOCKET = "/var/run/docker.sock";

/** Job names the alert rules select on. */
export const SCRAPE_JOBS = {
  nodeExporter: "node-exporter",
  dockerd: "dockerd",
  etcd: "etcd",
  /** The job of the discovered tasks; each service's `prometheus.io/job` label replaces it. */
  swarmTasks: "swarm-tasks",
} as const;

/** etcd scraped over TLS: its members and the client certificate Prometheus presents (paths in its container). */
export interface EtcdScrape {
  readonly members: readonly Node[];
  readonly port: number;
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** What prometheus.yml is rendered from. */
export interface PrometheusInputs {
  readonly cluster: Cluster;
  readonly scrapeInterval: string;
  /** Nodes node-exporter runs on (its global service's placement). */
  readonly nodeExporterNodes: readonly Node[];
  readonly nodeExporterPort: number;
  /** Nodes whose dockerd serves metrics. */
  readonly dockerdNodes: readonly Node[];
  /** The overlay Prometheus shares with the tasks it scrapes: only their address on it is reachable. */
  readonly network: string;
  readonly etcd?: EtcdScrape;
  /** Where the rules are mounted and the Alertmanager replicas (each with its node's hostname), when alerting is on. */
  readonly alerting?: {
    readonly ruleFile: string;
    readonly alertmanagers: readonly { readonly target: string; readonly hostname: string }[];
  };
}

/**
 * prometheus.yml: the nodes' own endpoints (node-exporter, dockerd, etcd) at each node's private address as the
 * model lists them, labelled with their hostnames; every other target found at run time by Swarm discovery.
 */
export function prometheusYaml(inputs: PrometheusInputs): string {
  return withHashHeader(yamlText(prometheusConfig(inputs)));
}

export function prometheusConfig(inputs: PrometheusInputs) {
  const { cluster, scrapeInterval, nodeExporterNodes, nodeExporterPort, dockerdNodes, etcd, alerting } = inputs;
  return {
    global: {
      scrape_interval: scrapeInterval,
      evaluation_interval: scrapeInterval,
      // Tells this cluster's series apart once several clusters feed one long-term store or alertmanager.
      external_labels: { cluster: cluster.name },
    },
    ...(alerting
      ? {
          rule_files: [alerting.ruleFile],
          // Every replica, not one behind a shared address: each receives every alert and the cluster
          // deduplicates the notifications, so one replica lost loses no alert.
          alerting: { alertmanagers: [{ static_configs: [{ targets: alerting.alertmanagers.map((replica) => replica.target) }] }] },
        }
      : {}),
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: [`localhost:${SCRAPE_PORTS.prometheus}`] }] },
      // Every node the global service places a task on; a node that is down shows as `up == 0` under its
      // hostname instead of silently dropping out of a discovery answer.
      { job_name: SCRAPE_JOBS.nodeExporter, static_configs: nodeExporterNodes.map((node) => nodeTarget(node, nodeExporterPort)) },
      ...(dockerdNodes.length > 0
        ? [{ job_name: SCRAPE_JOBS.dockerd, static_configs: dockerdNodes.map((node) => nodeTarget(node, SCRAPE_PORTS.dockerd)) }]
        : []),
      ...(etcd ? [etcdJob(etcd)] : []),
      swarmTasksJob(inputs.network),
      ...(alerting
        ? [
            {
              job_name: "alertmanager",
              // `node`: the host the replica is pinned to, so that host's NodeDown silences this target's alert.
              static_configs: alerting.alertmanagers.map((replica) => ({
                targets: [replica.target],
                labels: { instance: replica.target.split(":")[0], node: replica.hostname },
              })),
            },
          ]
        : []),
    ],
  };
}

/**
 * etcd serves /metrics on its client port, which requires a client certificate of the cluster CA
 * (`--client-cert-auth`): Prometheus presents its own, issued for that alone. The server name is checked
 * against the member's certificate, which carries its private address.
 */
function etcdJob(etcd: EtcdScrape) {
  return {
    job_name: SCRAPE_JOBS.etcd,
    scheme: "https",
    tls_config: { ca_file: etcd.caFile, cert_file: etcd.certFile, key_file: etcd.keyFile },
    static_configs: etcd.members.map((node) => nodeTarget(node, etcd.port)),
  };
}

/**
 * Swarm's running tasks, read from the manager's Docker API (`dockerswarm_sd_configs`, role `tasks`): a service
 * that carries `prometheus.io/port` is scraped on every one of its tasks, at the task's address on the
 * Monitoring's overlay, as soon as it is deployed — no change here, no new image. Each series is labelled with
 * the node's hostname (`instance` and `node`, which the NodeDown inhibition matches) and the service's name.
 */
function swarmTasksJob(network: string) {
  const meta = (label: string) => serviceLabelMeta(label);
  return {
    job_name: SCRAPE_JOBS.swarmTasks,
    dockerswarm_sd_configs: [{ host: `unix://${DOCKER_SOCKET}`, role: "tasks", refresh_interval: "30s" }],
    relabel_configs: [
      // Tasks Swarm wants running (a task being shut down is still listed for a while).
      { source_labels: ["__meta_dockerswarm_task_desired_state"], regex: "running", action: "keep" },
      { source_labels: [meta(SCRAPE_LABELS.port)], regex: ".+", action: "keep" },
      // One target per task: its address on the overlay Prometheus shares (the others are unreachable from here).
      { source_labels: ["__meta_dockerswarm_network_name"], regex: escapeRegex(network), action: "keep" },
      {
        source_labels: ["__address__", meta(SCRAPE_LABELS.port)],
        regex: "(.+):\\d+;(\\d+)",
        target_label: "__address__",
        replacement: "$1:$2",
      },
      { source_labels: [meta(SCRAPE_LABELS.path)], regex: "(.+)", target_label: "__metrics_path__" },
      { source_labels: [meta(SCRAPE_LABELS.job)], regex: "(.+)", target_label: "job" },
      { source_labels: ["__meta_dockerswarm_node_hostname"], target_label: "node" },
      { source_labels: ["__meta_dockerswarm_node_hostname"], target_label: "instance" },
      // A target about something else than its node (an exporter of a remote database member) names it.
      { source_labels: [meta(SCRAPE_LABELS.instance)], regex: "(.+)", target_label: "instance" },
      { source_labels: ["__meta_dockerswarm_service_name"], target_label: "service_name" },
      // Two replicas of one service on one node would otherwise carry the same labels, and one would be dropped;
      // the slot stays the same across updates (a global service has none: no label).
      { source_labels: ["__meta_dockerswarm_task_slot"], target_label: "task_slot" },
      { regex: `${meta(SCRAPE_LABELS.labelPrefix)}(.+)`, action: "labelmap" },
    ],
  };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * One target group per node at its private address (reached through the private network or, for Prometheus'
 * own node, docker_gwbridge: both are let in by the HostFirewall); `instance` is the hostname instead of `ip:port`.
 */
function nodeTarget(node: Node, port: number) {
  return {
    targets: [`${node.privateIp}:${port}`],
    labels: { instance: node.hostname, tier: node.tier, swarm_role: node.swarmRole },
  };
}
