import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/problems.js";
import { Monitoring, OverlayNetwork, Stack, Testing } from "../../src/index.js";

function twoMonitorings(secondPort?: number) {
  const cluster = Testing.cluster({ nodes: { app: 3 } });
  // Two Prometheus services on one overlay would share the name `prometheus`: each gets its own overlay.
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const opsnet = new OverlayNetwork(cluster, "opsnet", { subnet: "192.168.20.0/24" });
  new Monitoring(cluster, "monitoring", { stack: new Stack(cluster, "stats"), network: appnet });
  new Monitoring(cluster, "monitoring-2", {
    stack: new Stack(cluster, "stats2"),
    network: opsnet,
    scrapeInterval: "30s",
    nodeExporterPort: secondPort,
  });
  return cluster;
}

describe("Monitoring", () => {
  it("builds twice in one cluster: each prometheus.yml sits beside its own stack file", async () => {
    const files = await Testing.synth(twoMonitorings(9101));
    expect(files.get("stacks/stats/prometheus.yml")).toContain("scrape_interval: 15s");
    expect(files.get("stacks/stats2/prometheus.yml")).toContain("scrape_interval: 30s");
    expect(files.get("stacks/stats2/prometheus.yml")).toContain("10.10.1.21:9101");
    expect(files.get("stacks/stats2.yml")).toContain("file: ./stats2/prometheus.yml");
    expect(files.get("stacks/stats2.yml")).toContain("--web.listen-address=:9101");
  });

  it("refuses a second node-exporter on the same port of the same nodes, naming the first", async () => {
    const error = await Testing.synth(twoMonitorings()).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      {
        code: "monitoring/node-exporter-port-shared",
        construct: "cluster/monitoring-2",
        field: "nodeExporterPort",
        message: expect.stringContaining("cluster/monitoring"),
      },
    ]);
  });
});
