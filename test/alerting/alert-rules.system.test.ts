import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { runTool } from "../helpers/validators.js";
import { alertedCluster, synthStacks } from "./alerting.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-alert-rules-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesFile {
  groups: { name: string; rules: Rule[] }[];
}

/** A series as promtool's unit tests take it: labels and values in its expanding notation (`0+10x20`). */
interface InputSeries {
  series: string;
  values: string;
}
interface AlertCase {
  eval_time: string;
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string> }[];
}

const series = (name: string, labels: Record<string, string>, values: string): InputSeries => ({
  series: `${name}{${Object.entries(labels)
    .map(([key, value]) => `${key}="${value}"`)
    .join(",")}}`,
  values,
});
const firing = (labels: Record<string, string>) => ({ exp_labels: labels });

let rulesText = "";
let rules: RulesFile;
let desired: { service: string; replicas: number }[] = [];

beforeAll(async () => {
  const { cluster, monitoring } = alertedCluster();
  const files = await synthStacks(cluster);
  rulesText = files.get("stacks/stats/alert-rules.yml") ?? "";
  rules = parse(rulesText) as RulesFile;
  desired = monitoring.alerting?.ruleInputs().desiredReplicas.map((entry) => ({ ...entry })) ?? [];
});

/**
 * Runs `promtool test rules` on the generated rules. The copy under test has its annotations dropped: promtool
 * compares them verbatim and they hold rendered values; `promtool check rules` checks their templates.
 */
function promtoolTest(name: string, inputSeries: InputSeries[], alertRuleTest: AlertCase[]) {
  const bare: RulesFile = {
    groups: rules.groups.map((group) => ({ ...group, rules: group.rules.map(({ annotations: _, ...rule }) => rule) })),
  };
  writeFileSync(path.join(work, `${name}-rules.yml`), stringify(bare));
  const test = {
    rule_files: [`${name}-rules.yml`],
    evaluation_interval: "1m",
    tests: [{ interval: "1m", input_series: inputSeries, alert_rule_test: alertRuleTest }],
  };
  const file = path.join(work, `${name}-test.yml`);
  writeFileSync(file, stringify(test));
  return runTool("promtool", ["test", "rules", file], work);
}

function expectPass(run: { status: number | null; output: string }) {
  expect(run.output).toContain("SUCCESS");
  expect(run.status, run.output).toBe(0);
}

describe("alert rules", () => {
  it("pass promtool check rules, annotation templates included", () => {
    const file = path.join(work, "alert-rules.yml");
    writeFileSync(file, rulesText);
    const run = runTool("promtool", ["check", "rules", file]);
    expect(run.output).toContain("SUCCESS");
    expect(run.status, run.output).toBe(0);
  });

  it("fail promtool check rules when an expression is broken (the check can fail)", () => {
    const file = path.join(work, "broken.yml");
    writeFileSync(file, rulesText.replace("etcd_server_has_leader{", "etcd_server_has_leader{{"));
    const run = runTool("promtool", ["check", "rules", file]);
    expect(run.status).not.toBe(0);
  });

  it("hold one alert per condition the issue names, with thresholds from the model", () => {
    const alerts = rules.groups.flatMap((group) => group.rules.flatMap((rule) => (rule.alert ? [rule] : [])));
    const expr = (alert: string) => alerts.find((rule) => rule.alert === alert)?.expr ?? "";
    expect(alerts.map((rule) => rule.alert).sort()).toEqual([
      "DiskFillPredicted",
      "EtcdMemberLost",
      "EtcdNoLeader",
      "EtcdSlowFsync",
      "GaleraClusterSizeBelowModel",
      "GaleraFlowControlPaused",
      "GaleraMemberNotSynced",
      "MemoryPressure",
      "NginxDroppingConnections",
      "NodeCertificateExpiresSoon",
      "NodeDown",
      "PhpFpmMaxChildrenReached",
      "ProxySqlBackendShunnedOrOffline",
      "ScrapeTargetDown",
      "ServiceBelowDesiredReplicas",
      "SiteCertificateExpiresSoon",
      "SwarmNodeNotReady",
    ]);
    // 8 nodes, 3 etcd members, 2 XtraDB members + garbd, ProxySQL's offline hostgroup, 14 days.
    expect(expr("SwarmNodeNotReady")).toMatch(/< 8$/);
    expect(expr("EtcdMemberLost")).toMatch(/< 3$/);
    expect(expr("GaleraClusterSizeBelowModel")).toBe('mysql_global_status_wsrep_cluster_size{galera_cluster="xtracluster"} < 3');
    expect(expr("ProxySqlBackendShunnedOrOffline")).toContain('hostgroup="9999"');
    expect(expr("NodeCertificateExpiresSoon")).toContain("< 14 * 86400");
    expect(alerts.every((rule) => ["critical", "warning", "info"].includes(rule.labels?.severity ?? ""))).toBe(true);
    // The desired tasks of every service of the model, recorded once each.
    expect(desired).toContainEqual({ service: "php_php", replicas: 3 });
    expect(desired).toContainEqual({ service: "stats_alertmanager-1", replicas: 1 });
    expect(desired).toContainEqual({ service: "stats_node-exporter", replicas: 8 });
  });

  it("NodeDown fires after a minute for the node whose exporter stopped answering, and carries its hostname as `node`", () => {
    const up = (instance: string, values: string) => series("up", { job: "node-exporter", instance }, values);
    const run = promtoolTest(
      "node-down",
      [up("sw-node-1", "1x10"), up("sw-node-2", "1 1 0 0 0 0 0 0 0 0")],
      [
        { eval_time: "2m", alertname: "NodeDown", exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: "NodeDown",
          exp_alerts: [firing({ severity: "critical", job: "node-exporter", instance: "sw-node-2", node: "sw-node-2" })],
        },
        // A node's exporter is NodeDown's alone.
        { eval_time: "5m", alertname: "ScrapeTargetDown", exp_alerts: [] },
      ],
    );
    expectPass(run);
  });

  it("ScrapeTargetDown fires for any other target down two minutes", () => {
    const run = promtoolTest(
      "target-down",
      [series("up", { job: "dockerd", instance: "sw-node-3" }, "0x10"), series("up", { job: "dockerd", instance: "sw-node-1" }, "1x10")],
      [
        { eval_time: "1m", alertname: "ScrapeTargetDown", exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: "ScrapeTargetDown",
          exp_alerts: [firing({ severity: "warning", job: "dockerd", instance: "sw-node-3" })],
        },
      ],
    );
    expectPass(run);
  });

  it("DiskFillPredicted fires for a file system that empties within a day, not for a steady one nor a tmpfs", () => {
    const fs = (instance: string, fstype: string) => ({ job: "node-exporter", instance, mountpoint: "/", fstype });
    const run = promtoolTest(
      "disk-fill",
      [
        series("node_filesystem_avail_bytes", fs("sw-node-1", "ext4"), "100000000000-1000000000x90"),
        series("node_filesystem_readonly", fs("sw-node-1", "ext4"), "0x90"),
        series("node_filesystem_avail_bytes", fs("sw-node-2", "ext4"), "50000000000x90"),
        series("node_filesystem_readonly", fs("sw-node-2", "ext4"), "0x90"),
        series("node_filesystem_avail_bytes", fs("sw-node-3", "tmpfs"), "100000000000-1000000000x90"),
        series("node_filesystem_readonly", fs("sw-node-3", "tmpfs"), "0x90"),
      ],
      [
        { eval_time: "20m", alertname: "DiskFillPredicted", exp_alerts: [] },
        { eval_time: "60m", alertname: "DiskFillPredicted", exp_alerts: [firing({ severity: "warning", ...fs("sw-node-1", "ext4") })] },
      ],
    );
    expectPass(run);
  });

  it("MemoryPressure fires under 10% available for 5 minutes", () => {
    const node = (instance: string) => ({ job: "node-exporter", instance });
    const run = promtoolTest(
      "memory",
      [
        series("node_memory_MemAvailable_bytes", node("sw-node-1"), "500000000x10"),
        series("node_memory_MemTotal_bytes", node("sw-node-1"), "8000000000x10"),
        series("node_memory_MemAvailable_bytes", node("sw-node-2"), "4000000000x10"),
        series("node_memory_MemTotal_bytes", node("sw-node-2"), "8000000000x10"),
      ],
      [
        { eval_time: "3m", alertname: "MemoryPressure", exp_alerts: [] },
        { eval_time: "8m", alertname: "MemoryPressure", exp_alerts: [firing({ severity: "warning", ...node("sw-node-1") })] },
      ],
    );
    expectPass(run);
  });

  it("SwarmNodeNotReady fires when the managers count fewer ready nodes than the model's 8", () => {
    const ready = (instance: string, values: string) => series("swarm_manager_nodes", { job: "dockerd", instance, state: "ready" }, values);
    const run = promtoolTest(
      "swarm-nodes",
      [ready("sw-node-1", "8 8 8 7 7 7 7 7 7 7"), ready("sw-node-2", "8 8 8 7 7 7 7 7 7 7")],
      [
        { eval_time: "2m", alertname: "SwarmNodeNotReady", exp_alerts: [] },
        { eval_time: "8m", alertname: "SwarmNodeNotReady", exp_alerts: [firing({ severity: "warning" })] },
      ],
    );
    expectPass(run);
  });

  it("ServiceBelowDesiredReplicas fires for a service short of one task and for one with none, not for the others", () => {
    // cAdvisor's view: every service of the model runs its desired tasks but php (one short) and garbd (none).
    const containers = desired.flatMap(({ service, replicas }) => {
      const running = service === "php_php" ? replicas - 1 : service === "db_garbd" ? 0 : replicas;
      return Array.from({ length: running }, (_, index) =>
        series("container_last_seen", { container_label_com_docker_swarm_service_name: service, name: `${service}.${index + 1}` }, "1x10"),
      );
    });
    const run = promtoolTest("replicas", containers, [
      {
        eval_time: "8m",
        alertname: "ServiceBelowDesiredReplicas",
        exp_alerts: [firing({ severity: "warning", service_name: "db_garbd" }), firing({ severity: "warning", service_name: "php_php" })],
      },
      { eval_time: "2m", alertname: "ServiceBelowDesiredReplicas", exp_alerts: [] },
    ]);
    expectPass(run);
  });

  it("etcd: no leader, a member lost (of the model's 3), a slow WAL fsync", () => {
    const etcd = (instance: string) => ({ job: "etcd", instance });
    const bucket = (instance: string, le: string, values: string) =>
      series("etcd_disk_wal_fsync_duration_seconds_bucket", { ...etcd(instance), le }, values);
    const run = promtoolTest(
      "etcd",
      [
        series("etcd_server_has_leader", etcd("sw-node-1"), "0x30"),
        series("etcd_server_has_leader", etcd("sw-node-2"), "1x30"),
        series("up", etcd("sw-node-1"), "1x30"),
        series("up", etcd("sw-node-2"), "1x30"),
        series("up", etcd("sw-node-3"), "1 1 1 1 1 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0 0"),
        // sw-node-1's fsyncs all take between 0.1 and 1 s; sw-node-2's all under 0.1 s.
        bucket("sw-node-1", "0.1", "0x30"),
        bucket("sw-node-1", "1", "0+10x30"),
        bucket("sw-node-1", "+Inf", "0+10x30"),
        bucket("sw-node-2", "0.1", "0+10x30"),
        bucket("sw-node-2", "1", "0+10x30"),
        bucket("sw-node-2", "+Inf", "0+10x30"),
      ],
      [
        { eval_time: "5m", alertname: "EtcdNoLeader", exp_alerts: [firing({ severity: "critical", ...etcd("sw-node-1") })] },
        { eval_time: "4m", alertname: "EtcdMemberLost", exp_alerts: [] },
        { eval_time: "9m", alertname: "EtcdMemberLost", exp_alerts: [firing({ severity: "warning" })] },
        { eval_time: "25m", alertname: "EtcdSlowFsync", exp_alerts: [firing({ severity: "warning", instance: "sw-node-1" })] },
      ],
    );
    expectPass(run);
  });

  it("Galera: fewer members than the model's 3 voters, a member not Synced, flow control pausing replication", () => {
    const member = (instance: string) => ({ job: "mysqld", galera_cluster: "xtracluster", instance });
    const run = promtoolTest(
      "galera",
      [
        series("mysql_global_status_wsrep_cluster_size", member("sw-db-1"), "3 3 3 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2 2"),
        series("mysql_global_status_wsrep_local_state", member("sw-db-1"), "2x20"),
        series("mysql_global_status_wsrep_local_state", member("sw-db-2"), "4x20"),
        // 30 s of every minute paused on sw-db-1, 1 s on sw-db-2.
        series("mysql_global_status_wsrep_flow_control_paused_ns", member("sw-db-1"), "0+30000000000x20"),
        series("mysql_global_status_wsrep_flow_control_paused_ns", member("sw-db-2"), "0+1000000000x20"),
        // Another Galera cluster of the same size is not held to this one's count.
        series("mysql_global_status_wsrep_cluster_size", { job: "mysqld", galera_cluster: "other", instance: "x" }, "2x20"),
      ],
      [
        { eval_time: "2m", alertname: "GaleraClusterSizeBelowModel", exp_alerts: [] },
        { eval_time: "8m", alertname: "GaleraClusterSizeBelowModel", exp_alerts: [firing({ severity: "critical", ...member("sw-db-1") })] },
        { eval_time: "5m", alertname: "GaleraMemberNotSynced", exp_alerts: [] },
        { eval_time: "15m", alertname: "GaleraMemberNotSynced", exp_alerts: [firing({ severity: "warning", ...member("sw-db-1") })] },
        { eval_time: "15m", alertname: "GaleraFlowControlPaused", exp_alerts: [firing({ severity: "warning", ...member("sw-db-1") })] },
      ],
    );
    expectPass(run);
  });

  it("ProxySQL: a backend shunned, or moved to the offline hostgroup, fires; an online one does not", () => {
    const pool = (hostgroup: string, endpoint: string) => ({ job: "proxysql", instance: "sw-proxy-1", hostgroup, endpoint });
    const run = promtoolTest(
      "proxysql",
      [
        series("proxysql_connection_pool_status", pool("10", "pxc-1:3306"), "1x10"),
        series("proxysql_connection_pool_status", pool("20", "pxc-2:3306"), "2x10"),
        series("proxysql_connection_pool_status", pool("9999", "pxc-3:3306"), "1x10"),
      ],
      [
        { eval_time: "1m", alertname: "ProxySqlBackendShunnedOrOffline", exp_alerts: [] },
        {
          eval_time: "5m",
          alertname: "ProxySqlBackendShunnedOrOffline",
          exp_alerts: [
            firing({ severity: "warning", ...pool("20", "pxc-2:3306") }),
            firing({ severity: "warning", ...pool("9999", "pxc-3:3306") }),
          ],
        },
      ],
    );
    expectPass(run);
  });

  it("front: nginx accepting connections it does not handle, php-fpm reaching pm.max_children", () => {
    const nginx = (instance: string, name: string, values: string) => series(name, { job: "nginx", instance }, values);
    const fpm = (instance: string, values: string) =>
      series("phpfpm_max_children_reached", { job: "php-fpm", instance, pool: "www" }, values);
    const run = promtoolTest(
      "front",
      [
        nginx("sw-front-1", "nginx_connections_accepted", "0+100x20"),
        nginx("sw-front-1", "nginx_connections_handled", "0+90x20"),
        nginx("sw-front-2", "nginx_connections_accepted", "0+100x20"),
        nginx("sw-front-2", "nginx_connections_handled", "0+100x20"),
        fpm("php.1", "0 0 0 0 0 0 0 0 0 0 1 1 1 1 1 1 1 1 1 1 1"),
        fpm("php.2", "3x20"),
      ],
      [
        { eval_time: "4m", alertname: "NginxDroppingConnections", exp_alerts: [] },
        { eval_time: "15m", alertname: "NginxDroppingConnections", exp_alerts: [firing({ severity: "warning", instance: "sw-front-1" })] },
        { eval_time: "5m", alertname: "PhpFpmMaxChildrenReached", exp_alerts: [] },
        {
          eval_time: "12m",
          alertname: "PhpFpmMaxChildrenReached",
          exp_alerts: [firing({ severity: "warning", job: "php-fpm", instance: "php.1", pool: "www" })],
        },
      ],
    );
    expectPass(run);
  });

  it("certificates: a node's and a site's expiring within 14 days fire, those with longer left do not", () => {
    // promtool evaluates at t = 0 + eval_time: an expiry at 10 days is within 14, one at 30 days is not.
    const day = 86_400;
    const run = promtoolTest(
      "certificates",
      [
        series("x509_cert_not_after", { job: "x509", instance: "sw-node-1", filepath: "/etc/ssl/swarm/node.pem" }, `${10 * day}x5`),
        series("x509_cert_not_after", { job: "x509", instance: "sw-node-2", filepath: "/etc/ssl/swarm/node.pem" }, `${30 * day}x5`),
        series("probe_ssl_earliest_cert_expiry", { job: "blackbox", instance: "https://example.org" }, `${10 * day}x5`),
        series("probe_ssl_earliest_cert_expiry", { job: "blackbox", instance: "https://www.example.org" }, `${30 * day}x5`),
      ],
      [
        {
          eval_time: "2m",
          alertname: "NodeCertificateExpiresSoon",
          exp_alerts: [firing({ severity: "warning", job: "x509", instance: "sw-node-1", filepath: "/etc/ssl/swarm/node.pem" })],
        },
        {
          eval_time: "2m",
          alertname: "SiteCertificateExpiresSoon",
          exp_alerts: [firing({ severity: "warning", job: "blackbox", instance: "https://example.org" })],
        },
      ],
    );
    expectPass(run);
  });

  it("promtool test rules fails when an alert that should fire does not (the harness can fail)", () => {
    const run = promtoolTest(
      "harness",
      [series("up", { job: "node-exporter", instance: "sw-node-1" }, "1x10")],
      [
        {
          eval_time: "5m",
          alertname: "NodeDown",
          exp_alerts: [firing({ severity: "critical", job: "node-exporter", instance: "sw-node-1" })],
        },
      ],
    );
    expect(run.status).not.toBe(0);
  });
});
