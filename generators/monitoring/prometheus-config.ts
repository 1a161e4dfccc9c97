import { stringify } from "yaml";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { DOCKERD_METRICS_PORT } from "../docker-host/docker-host.js";

/** Ports the Prometheus configuration scrapes. */
export const SCRAPE_PORTS = {
  prometheus: 9090,
  nodeExporter: 9100,
  // dockerd's own metrics endpoint, which DockerHost's daemon.json opens on the private address.
  dockerd: DOCKERD_METRICS_PORT,
} as const;

/** What prometheus.yml is rendered from. */
export interface PrometheusInputs {
  readonly cluster: Cluster;
  readonly scrapeInterval: string;
  /** Nodes node-exporter runs on (its global service's placement). */
  readonly nodeExporterNodes: readonly Node[];
  readonly nodeExporterPort: number;
  /** Nodes whose dockerd serves metrics. */
  readonly dockerdNodes: readonly Node[];
  /** Where the rules are mounted and the Alertmanager replicas (each with its node's hostname), when alerting is on. */
  readonly alerting?: {
    readonly ruleFile: string;
    readonly alertmanagers: readonly { readonly target: string; readonly hostname: string }[];
  };
}

/**
 * prometheus.yml: node-exporter (on the host network) and dockerd scraped at each node's private address,
 * as the model lists the nodes, labelled with their hostnames.
 */
export function prometheusYaml(inputs: PrometheusInputs): string {
  return withHashHeader(stringify(prometheusConfig(inputs), { lineWidth: 0 }));
}

function prometheusConfig({ cluster, scrapeInterval, nodeExporterNodes, nodeExporterPort, dockerdNodes, alerting }: PrometheusInputs) {
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
      // hostname instead of silently dropping out of a DNS answer.
      { job_name: "node-exporter", static_configs: nodeExporterNodes.map((node) => nodeTarget(node, nodeExporterPort)) },
      ...(dockerdNodes.length > 0
        ? [{ job_name: "dockerd", static_configs: dockerdNodes.map((node) => nodeTarget(node, SCRAPE_PORTS.dockerd)) }]
        : []),
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
 * One target group per node at its private address (reached through the private network or, for Prometheus'
 * own node, docker_gwbridge: both are let in by the HostFirewall); `instance` is the hostname instead of `ip:port`.
 */
function nodeTarget(node: Node, port: number) {
  return {
    targets: [`${node.privateIp}:${port}`],
    labels: { instance: node.hostname, tier: node.tier, swarm_role: node.swarmRole },
  };
}
