import { stringify } from "yaml";
import { DockerHost } from "../../src/constructs/docker-host.js";
import { Monitoring, PROMETHEUS_FILE, SCRAPE_PORTS } from "../../src/constructs/monitoring.js";
import { ConfigError } from "../../src/core/problems.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Node } from "../../src/model/node.js";
import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { withHashHeader } from "../../src/synth/header.js";

/**
 * `prometheus/prometheus.yml` for the Monitoring construct: node-exporter (on the host network) and dockerd
 * scraped at each node's private address, as the model lists the nodes, labelled with their hostnames.
 */
export const prometheusGenerator: Generator = {
  name: "prometheus",
  generate({ cluster }): GeneratedFile[] {
    const [monitoring, ...others] = cluster.all(Monitoring);
    if (!monitoring) return [];
    if (others.length > 0) {
      throw new ConfigError(
        others.map((other) => ({
          code: "prometheus/second-monitoring",
          construct: other.path,
          field: "",
          message: `a Monitoring is already declared at ${monitoring.path}; both would write out/${PROMETHEUS_FILE}`,
          hint: "declare one Monitoring per cluster",
          location: other.location,
        })),
      );
    }
    return [
      {
        path: PROMETHEUS_FILE,
        content: withHashHeader(stringify(prometheusConfig(cluster, monitoring), { lineWidth: 0 })),
        construct: monitoring.path,
        delivery: { kind: "stack", stack: monitoring.stack.name },
      },
    ];
  },
};

function prometheusConfig(cluster: Cluster, monitoring: Monitoring) {
  const interval = monitoring.settings.scrapeInterval;
  // dockerd serves metrics only where DockerHost's daemon.json sets `metrics-addr`.
  const hardened = new Set(cluster.all(DockerHost).flatMap((host) => host.nodes));
  const dockerd = cluster.nodes.filter((node) => hardened.has(node));
  return {
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      // Tells this cluster's series apart once several clusters feed one long-term store or alertmanager.
      external_labels: { cluster: cluster.name },
    },
    // rule_files: written here once the model declares alerting rules; there are none yet.
    scrape_configs: [
      { job_name: "prometheus", static_configs: [{ targets: [`localhost:${SCRAPE_PORTS.prometheus}`] }] },
      // Every node the global service places a task on; a node that is down shows as `up == 0` under its
      // hostname instead of silently dropping out of a DNS answer.
      {
        job_name: "node-exporter",
        static_configs: monitoring.nodeExporter.eligibleNodes.map((node) => nodeTarget(node, SCRAPE_PORTS.nodeExporter)),
      },
      ...(dockerd.length > 0 ? [{ job_name: "dockerd", static_configs: dockerd.map((node) => nodeTarget(node, SCRAPE_PORTS.dockerd)) }] : []),
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
