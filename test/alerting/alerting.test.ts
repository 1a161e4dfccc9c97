import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { analyseHa } from "../../src/analysis/ha.js";
import { ConfigError } from "../../src/core/problems.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { alertedCluster, synthStacks } from "./alerting.fixture.js";

describe("Alerting in the Monitoring's stack", () => {
  let stack: StackFile;
  let prometheus: { rule_files?: string[]; alerting?: unknown; scrape_configs: { job_name: string; static_configs?: unknown[] }[] };

  beforeAll(async () => {
    const files = await synthStacks(alertedCluster().cluster);
    stack = parse(files.get("stacks/stats.yml") ?? "") as StackFile;
    prometheus = parse(files.get("stacks/stats/prometheus.yml") ?? "");
  });

  it("runs one Alertmanager per listed node, pinned, each peering with the others at their task address", () => {
    const replicas = ["alertmanager-1", "alertmanager-2"].map((name) => stack.services?.[name]);
    expect(replicas.map((service) => service?.deploy?.placement?.constraints)).toEqual([
      ["node.hostname == sw-node-2"],
      ["node.hostname == sw-node-3"],
    ]);
    expect(replicas[0]?.command).toContain("--cluster.peer=tasks.alertmanager-2:9094");
    expect(replicas[0]?.command).not.toContain("--cluster.peer=tasks.alertmanager-1:9094");
    expect(replicas[1]?.command).toContain("--cluster.peer=tasks.alertmanager-1:9094");
    expect(replicas[0]?.image).toMatch(/^prom\/alertmanager:v0\.3\d\.\d+$/);
    // The webhook URL is a secret mounted where alertmanager.yml reads it; no port is published on the nodes.
    expect(replicas[0]?.secrets).toEqual(["alertmanager_slack_webhook"]);
    // The start script advertises the task's overlay address to the peers, then runs Alertmanager with these flags.
    expect(replicas[0]?.entrypoint).toEqual(["/bin/sh", "/etc/alertmanager/start.sh"]);
    expect(replicas[0]?.configs).toContainEqual({ source: "alertmanager-start.sh", target: "/etc/alertmanager/start.sh" });
    expect(replicas.every((service) => service?.ports === undefined)).toBe(true);
  });

  it("mounts the rules beside prometheus.yml and points Prometheus at every replica", () => {
    expect(stack.services?.prometheus?.configs).toContainEqual({ source: "alert-rules.yml", target: "/etc/prometheus/alert-rules.yml" });
    expect(prometheus.rule_files).toEqual(["alert-rules.yml"]);
    expect(prometheus.alerting).toEqual({
      alertmanagers: [{ static_configs: [{ targets: ["alertmanager-1:9093", "alertmanager-2:9093"] }] }],
    });
    // Each replica is scraped too, labelled with its node, so that node's NodeDown silences its target alert.
    expect(prometheus.scrape_configs.find((job) => job.job_name === "alertmanager")?.static_configs).toEqual([
      { targets: ["alertmanager-1:9093"], labels: { instance: "alertmanager-1", node: "sw-node-2" } },
      { targets: ["alertmanager-2:9093"], labels: { instance: "alertmanager-2", node: "sw-node-3" } },
    ]);
  });

  it("follows the nodes listed: three replicas, each peering with the two others", () => {
    const { monitoring } = alertedCluster({ alertmanagerNodes: ["sw-node-1", "sw-node-2", "sw-node-3"] });
    const replicas = monitoring.alerting?.replicas ?? [];
    expect(monitoring.alerting?.alertmanagerTargets).toEqual(["alertmanager-1:9093", "alertmanager-2:9093", "alertmanager-3:9093"]);
    const peers = replicas.map((replica) => (replica.props.command ?? []).filter((flag) => flag.startsWith("--cluster.peer=")));
    expect(peers).toEqual([
      ["--cluster.peer=tasks.alertmanager-2:9094", "--cluster.peer=tasks.alertmanager-3:9094"],
      ["--cluster.peer=tasks.alertmanager-1:9094", "--cluster.peer=tasks.alertmanager-3:9094"],
      ["--cluster.peer=tasks.alertmanager-1:9094", "--cluster.peer=tasks.alertmanager-2:9094"],
    ]);
  });

  it("derives the thresholds from the model", () => {
    const inputs = alertedCluster({ etcdMembers: 1 }).monitoring.alerting?.ruleInputs();
    expect(inputs).toMatchObject({
      swarmNodes: 8,
      etcdMembers: 1,
      galeraClusters: [{ name: "xtracluster", voters: 3 }],
      proxysqlOfflineHostgroup: 9999,
      frontProxy: true,
      nodeCertificates: true,
      siteCertificates: true,
      certificateExpiryDays: 14,
    });
    expect(inputs?.desiredReplicas).toContainEqual({ service: "php_php", replicas: 3 });
    expect(inputs?.desiredReplicas).toContainEqual({ service: "stats_node-exporter", replicas: 8 });
  });

  it("leaves its two replicas out of the HA report's errors and warnings", () => {
    const { findings } = analyseHa(alertedCluster().cluster);
    const mine = findings.filter((finding) => finding.construct.includes("alertmanager"));
    expect(mine.map((finding) => finding.severity)).toEqual(["info", "info"]);
  });

  it.each([
    [["sw-node-2"], "alerting/single-alertmanager"],
    [["sw-node-2", "sw-node-2"], "alerting/alertmanagers-share-node"],
  ])("refuses Alertmanagers on %j: %s", async (nodes, code) => {
    const error = await synthStacks(alertedCluster({ alertmanagerNodes: nodes }).cluster).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual(
      expect.objectContaining({ code, construct: "cluster/monitoring/alerting", field: "nodes" }),
    );
  });

  it("refuses a certificate warning that is not a whole number of days", async () => {
    const error = await synthStacks(alertedCluster({ alerting: { certificateExpiryDays: 0 } }).cluster).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems).toContainEqual(expect.objectContaining({ code: "alerting/certificate-expiry-days" }));
  });
});
