import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ALERT_JOBS } from "../../generators/alerting/alert-rules.js";
import { EXPORTER_JOBS } from "../../generators/monitoring/exporters.js";
import { scrapeTarget } from "../../generators/monitoring/scrape-labels.js";
import { analyseHa } from "../../src/analysis/ha.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { Monitoring, OverlayNetwork, Service, Stack, Testing } from "../../src/index.js";
import { prepareTree } from "../../src/synth/synthesize.js";
import { alertedCluster, synthStacks } from "../alerting/alerting.fixture.js";
import { writeOut } from "../helpers/swarm-side.fixture.js";
import { runTool, stackSchemaErrors } from "../helpers/validators.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-exporters-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface ScrapeJob {
  job_name: string;
  scheme?: string;
  tls_config?: Record<string, string>;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  dockerswarm_sd_configs?: { host: string; role: string }[];
  relabel_configs?: { source_labels?: string[]; regex?: string; action?: string; target_label?: string }[];
}

const stackOf = (files: ReadonlyMap<string, string>, stack: string) => parse(files.get(`stacks/${stack}.yml`) ?? "") as StackFile;
const jobsOf = (files: ReadonlyMap<string, string>) =>
  new Map(
    (parse(files.get("stacks/stats/prometheus.yml") ?? "") as { scrape_configs: ScrapeJob[] }).scrape_configs.map((job) => [
      job.job_name,
      job,
    ]),
  );
const labelsOf = (files: ReadonlyMap<string, string>, stack: string, service: string) =>
  (stackOf(files, stack).services?.[service]?.deploy?.labels ?? {}) as Record<string, string>;

// Real validators (promtool, docker stack config), the docker CLI's official stack schema, and assertions on
// what the generated files mean.
describe("exporters and Swarm discovery", () => {
  it("passes promtool check config, with the etcd client certificate files present (a real validator)", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const content = files.get("stacks/stats/prometheus.yml") ?? "";
    const etcd = jobsOf(files).get("etcd");
    // promtool stats the TLS files: stand-ins where the Docker secrets and the node's CA would be mounted.
    let local = content;
    for (const file of Object.values(etcd?.tls_config ?? {})) {
      const stand = path.join(work, path.basename(file));
      writeFileSync(stand, "placeholder\n");
      local = local.replaceAll(file, stand);
    }
    writeFileSync(path.join(work, "alert-rules.yml"), files.get("stacks/stats/alert-rules.yml") ?? "");
    writeFileSync(path.join(work, "prometheus.yml"), local);
    const run = runTool("promtool", ["check", "config", path.join(work, "prometheus.yml")]);
    expect(run.output).toContain("SUCCESS");
    expect(run.status, run.output).toBe(0);
  });

  it("writes stack files the docker CLI and its schema accept (a real validator and the official schema)", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const dir = writeOut(files);
    try {
      for (const stack of ["stats", "front", "php", "db"]) {
        expect(stackSchemaErrors(files.get(`stacks/${stack}.yml`) ?? ""), stack).toBeUndefined();
        const run = runTool("docker", ["stack", "config", "-c", path.join(dir, "stacks", `${stack}.yml`)]);
        expect(run.status, `${stack}: ${run.output}`).toBe(0);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives each XtraDB member an exporter pinned to its node, labelled with the Galera cluster the rules select", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const stats = stackOf(files, "stats");
    for (const [member, node] of [
      ["pxc-1", "sw-db-1"],
      ["pxc-2", "sw-db-2"],
    ]) {
      const exporter = stats.services?.[`mysqld-exporter-${member}`];
      expect(exporter?.command).toContain(`--mysqld.address=${member}:3306`);
      expect(exporter?.deploy?.placement?.constraints).toEqual([`node.hostname == ${node}`]);
      expect(labelsOf(files, "stats", `mysqld-exporter-${member}`)).toMatchObject({
        "prometheus.io/port": "9104",
        "prometheus.io/job": EXPORTER_JOBS.mysqld,
        "prometheus.io/instance": node,
        "prometheus.io/label.galera_cluster": "xtracluster",
      });
    }
    expect(labelsOf(files, "db", "proxysql")).toMatchObject({ "prometheus.io/port": "6070", "prometheus.io/job": "proxysql" });
    expect(files.get("stacks/db/proxysql.cnf")).toMatch(/restapi_enabled=true\s+restapi_port=6070/);
  });

  it("scrapes nginx and php-fpm through unix sockets shared with an exporter on the same nodes", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const front = stackOf(files, "front");
    expect(front.services?.nginx?.volumes).toContain("nginx-status:/run/nginx-status");
    expect(front.services?.["nginx-exporter"]?.volumes).toEqual(["nginx-status:/run/nginx-status"]);
    expect(front.services?.["nginx-exporter"]?.deploy?.mode).toBe("global");
    expect(front.services?.["nginx-exporter"]?.deploy?.placement?.constraints).toEqual(
      front.services?.nginx?.deploy?.placement?.constraints,
    );
    expect(files.get("stacks/front/nginx.conf")).toMatch(/listen unix:\/run\/nginx-status\/status\.sock;[\s\S]*stub_status;/);
    const php = stackOf(files, "php");
    expect(php.services?.php?.volumes).toContain("php-fpm-status:/run/php-fpm-status");
    expect(php.services?.php?.configs).toContainEqual({
      source: "php-fpm-status.conf",
      target: "/usr/local/etc/php-fpm.d/zzz-status.conf",
    });
    expect(files.get("stacks/php/php-fpm-status.conf")).toContain("pm.status_listen = /run/php-fpm-status/status.sock");
    expect(php.services?.["php-fpm-exporter"]?.volumes).toEqual(["php-fpm-status:/run/php-fpm-status"]);
  });

  it("names the jobs the alert rules select on", () => {
    expect(EXPORTER_JOBS.nginx).toBe(ALERT_JOBS.nginx);
    expect(EXPORTER_JOBS.phpFpm).toBe(ALERT_JOBS.phpFpm);
  });

  it("scrapes etcd over https with the etcd-client CA's bundle and a client certificate of its own, all Docker secrets", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const etcd = jobsOf(files).get("etcd");
    expect(etcd?.scheme).toBe("https");
    expect(etcd?.tls_config).toEqual({
      ca_file: "/run/secrets/prometheus_etcd_client_ca",
      cert_file: "/run/secrets/prometheus_etcd_client_cert",
      key_file: "/run/secrets/prometheus_etcd_client_key",
    });
    expect(etcd?.static_configs?.map((group) => group.targets[0])).toEqual(["10.10.1.21:2379", "10.10.1.22:2379", "10.10.1.23:2379"]);
    const prometheus = stackOf(files, "stats").services?.prometheus;
    expect(prometheus?.secrets).toEqual(["prometheus_etcd_client_ca", "prometheus_etcd_client_cert", "prometheus_etcd_client_key"]);
    // Not the node's copy: only etcd members hold the etcd-client folder, and Prometheus may run on another node.
    expect(JSON.stringify(prometheus?.volumes ?? [])).not.toContain("/etc/ssl/swarm");
    // The key never reaches out/; the certificate is requested for client auth only.
    expect([...files.values()].some((content) => content.includes("PRIVATE KEY"))).toBe(false);
  });

  it("discovers a new labelled service without a change to prometheus.yml", async () => {
    const before = await synthStacks(alertedCluster().cluster);
    const { cluster } = alertedCluster();
    const appnet = cluster.node.findAll().find((construct) => (construct as { name?: string }).name === "appnet");
    const api = new Service(new Stack(cluster, "api"), "api", { image: "example/api:1.0", networks: [appnet as never] });
    scrapeTarget(api, { port: 8081 });
    const after = await synthStacks(cluster);
    expect(after.get("stacks/stats/prometheus.yml")).toBe(before.get("stacks/stats/prometheus.yml"));
    expect(labelsOf(after, "api", "api")).toEqual({
      "prometheus.io/port": "8081",
      "prometheus.io/path": "/metrics",
      "prometheus.io/job": "api_api",
    });
    const discovery = jobsOf(after).get("swarm-tasks");
    expect(discovery?.dockerswarm_sd_configs).toEqual([{ host: "unix:///var/run/docker.sock", role: "tasks", refresh_interval: "30s" }]);
    expect(discovery?.relabel_configs).toContainEqual({
      source_labels: ["__meta_dockerswarm_network_name"],
      regex: "appnet",
      action: "keep",
    });
    expect(discovery?.relabel_configs).toContainEqual({ source_labels: ["__meta_dockerswarm_node_hostname"], target_label: "instance" });
    expect(discovery?.relabel_configs).toContainEqual({ source_labels: ["__meta_dockerswarm_service_name"], target_label: "service_name" });
  });
});

describe("Monitoring's model checks", () => {
  const problems = async (build: () => unknown) =>
    Testing.synth(build() as never).then(
      () => [],
      (error: { problems?: { code: string; severity: string }[] }) => error.problems ?? [],
    );

  it("refuses a retention size that does not fit the data volume, and a Prometheus that may run on a worker", async () => {
    const found = await problems(() => {
      const cluster = Testing.cluster({ nodes: { front: 1, app: 3 } });
      new Monitoring(cluster, "monitoring", {
        stack: new Stack(cluster, "stats"),
        network: new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" }),
        retentionSize: "45GB",
        dataVolumeSize: "50GB",
        prometheusPlacement: { tier: "front" },
      });
      return cluster;
    });
    expect(
      found.map((problem) => problem.code),
      JSON.stringify(found),
    ).toEqual(expect.arrayContaining(["monitoring/retention-exceeds-volume", "monitoring/prometheus-not-on-manager"]));
  });
});

describe("availability of what monitoring adds", () => {
  it("notes the Alertmanager gossip cluster's tolerance, and warns of a Prometheus free to move off its volume", () => {
    const { cluster } = alertedCluster();
    prepareTree(cluster);
    const findings = analyseHa(cluster).findings;
    expect(findings.find((finding) => finding.code === "alerting/replicas/replicas")).toMatchObject({
      severity: "info",
      construct: "cluster/monitoring/alerting",
      tolerates: 1,
    });
    // The fixture pins Prometheus: a warning naming its history, which its node's disk alone holds.
    expect(findings.find((finding) => finding.code === "data/single-replica-state")).toMatchObject({
      severity: "warning",
      message: expect.stringContaining("metrics history (24h)"),
    });
  });
});
