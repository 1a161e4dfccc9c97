import { describe, expect, it } from "vitest";
import { analyseHa } from "../../src/analysis/ha.js";
import { type Cluster, Monitoring, Node, OverlayNetwork, Secret, Stack, Testing } from "../../src/index.js";
import { prepareTree } from "../../src/synth/synthesize.js";
import { validateModel } from "../../src/validate/index.js";

// Unit checks of the model's meaning: the availability analysis and the Monitoring's own checks, no program run.

/** Three app managers in the zones given, and a Monitoring with Alertmanagers on the nodes named. */
function monitored(zones: readonly string[], alertmanagers: readonly number[], options: { pinned?: boolean; memory?: string } = {}) {
  const cluster = Testing.cluster();
  const nodes = zones.map(
    (zone, index) =>
      new Node(cluster, `sw-node-${index + 1}`, { tier: "app", zone, swarmRole: "manager", privateIp: `10.10.1.${21 + index}` }),
  );
  new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" }),
    ...(options.pinned === false ? {} : { prometheusPlacement: { hostname: "sw-node-1" } }),
    ...(options.memory ? { prometheusMemoryLimit: options.memory } : {}),
    alerting: {
      nodes: alertmanagers.map((index) => nodes[index] as Node),
      slackWebhook: new Secret(cluster, "alertmanager_slack_webhook", { description: "Slack webhook URL" }),
    },
  });
  prepareTree(cluster);
  return cluster;
}

const findings = (cluster: Cluster) => analyseHa(cluster).findings;
const codes = (cluster: Cluster) => findings(cluster).map((finding) => `${finding.severity} ${finding.code}`);

describe("the Alertmanager cluster in the failure simulation", () => {
  it("tolerates losing any one of two replicas on distinct nodes of distinct zones: a note, not a majority error", () => {
    const cluster = monitored(["a", "b", "c"], [1, 2]);
    expect(findings(cluster).find((finding) => finding.code === "alerting/replicas/replicas")).toMatchObject({
      severity: "info",
      tolerates: 1,
    });
    expect(codes(cluster).filter((code) => code.includes("alerting/replicas") && code.startsWith("error"))).toEqual([]);
  });

  it("reports a zone whose loss stops every replica", () => {
    const cluster = monitored(["a", "b", "b"], [1, 2]);
    expect(findings(cluster).find((finding) => finding.code === "alerting/replicas/zone-stops-all")).toMatchObject({
      severity: "error",
      construct: "cluster/monitoring/alerting",
      message: expect.stringContaining("zone b"),
    });
  });
});

describe("Prometheus' data in the analysis", () => {
  it("warns, naming its history, when Prometheus may be rescheduled onto an empty volume", () => {
    const free = findings(monitored(["a", "b", "c"], [1, 2], { pinned: false })).find(
      (finding) => finding.code === "data/single-replica-state",
    );
    expect(free).toMatchObject({ severity: "warning", message: expect.stringMatching(/metrics history \(24h\).*empty volume/) });
    const pinned = findings(monitored(["a", "b", "c"], [1, 2])).find((finding) => finding.code === "data/single-replica-state");
    expect(pinned).toMatchObject({ severity: "warning", message: expect.stringContaining("pinned to sw-node-1") });
  });
});

describe("Prometheus' memory from the model", () => {
  it("warns when the limit is below what the cluster's series need, and not at the default", () => {
    const small = validateModel(monitored(["a", "b", "c"], [1, 2], { memory: "200M" }));
    expect(small.find((problem) => problem.code === "monitoring/memory-too-small")).toMatchObject({
      severity: "warning",
      field: "prometheusMemoryLimit",
    });
    expect(validateModel(monitored(["a", "b", "c"], [1, 2])).map((problem) => problem.code)).not.toContain("monitoring/memory-too-small");
  });
});
