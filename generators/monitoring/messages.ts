import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Monitoring's own checks report. */
export const MONITORING_MESSAGES = defineMessages({
  "monitoring/node-exporter-port-shared": entry<{ other: string; port: number }>(
    ({ other, port }) => `node-exporter of ${other} already listens on port ${port} of the same nodes (both run on the host network)`,
    "give this Monitoring another `nodeExporterPort` (e.g. 9101)",
  ),
  "monitoring/retention-invalid": entry<{ value: string }>(
    ({ value }) => `retention "${value}" is not a Prometheus duration`,
    "write it as Prometheus does: a number and a unit, largest first (`24h`, `15d`, `2w3d`)",
  ),
  "monitoring/size-invalid": entry<{ value: string }>(
    ({ value }) => `"${value}" is not a Prometheus size`,
    "write a whole number and one of B, KB, MB, GB, TB, PB (base 2), e.g. `8GB`",
  ),
  "monitoring/retention-exceeds-volume": entry<{ size: string; volume: string; most: string }>(
    ({ size, volume }) => `retentionSize ${size} does not fit the ${volume} data volume: compaction needs room beside the blocks kept`,
    ({ most }) => `keep retentionSize at most ${most} (80% of the volume), or give the volume more space`,
  ),
  "monitoring/memory-invalid": entry<{ value: string }>(
    ({ value }) => `prometheusMemoryLimit "${value}" is not a Docker memory size`,
    "write a whole number with b, k, m or g (e.g. `2G`)",
  ),
  "monitoring/memory-too-small": entry<{ limit: string; series: number; needed: string }>(
    ({ limit, series, needed }) =>
      `prometheusMemoryLimit ${limit} is below the ${needed} that about ${series} active series need: Prometheus would be killed replaying its WAL`,
    ({ needed }) => `raise prometheusMemoryLimit to at least ${needed}`,
    "warning",
  ),
  "monitoring/prometheus-not-on-manager": entry<{ workers: string }>(
    ({ workers }) => `Prometheus may run on ${workers}, which are not managers: Swarm discovery reads a manager's Docker API`,
    'place it on managers (`{ role: "manager" }` or a manager\'s hostname)',
  ),
  "monitoring/target-unreachable": entry<{ service: string; network: string }>(
    ({ service, network }) => `${service} is scraped but is not on ${network}, the overlay Prometheus scrapes through`,
    ({ network }) => `add ${network} to its networks`,
  ),
});
