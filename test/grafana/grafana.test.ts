import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { ConfigError } from "../../src/core/problems.js";
import {
  EXPORTER_METRICS,
  FrontProxy,
  Grafana,
  knownMetrics,
  Monitoring,
  OverlayNetwork,
  Secret,
  Service,
  Site,
  Stack,
  Testing,
} from "../../src/index.js";
import { repoRoot } from "../helpers/cli.js";
import { DASHBOARD_PROVIDERS_SCHEMA, DATASOURCES_SCHEMA } from "./provisioning-schema.js";

/**
 * Grafana's files in the reference build (out/, which build-cli.test.ts holds to a fresh build of cluster.config.ts):
 * the provisioning files against schemas written from Grafana's documentation (provisioning-schema.ts); the
 * dashboards, typed by the Foundation SDK at `tsc` time, here held to the model (a row per tier, a panel per node)
 * and to the metrics that exist: every metric a query reads is in EXPORTER_METRICS (each exporter's documented
 * names), every job it selects is one prometheus.yml scrapes or an exporter of that list is scraped under.
 */

const stats = path.join(repoRoot, "out", "stacks", "stats");
const read = (file: string) => readFileSync(path.join(stats, file), "utf8");
const dashboards = readdirSync(stats)
  .filter((file) => file.startsWith("grafana-dashboard-") && file.endsWith(".json"))
  .map((file) => ({ file, json: read(file), dashboard: JSON.parse(read(file)) as DashboardJson }));

interface PanelJson {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string; readonly datasource?: { readonly uid: string } }[];
}
interface DashboardJson {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly PanelJson[];
}

const PROMQL_WORDS = new Set(["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or", "unless", "offset"]);

/** The metric names a PromQL expression reads: what is left once strings, matchers, ranges, groupings, numbers and function calls are taken out. */
function metricNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "")
    .replace(/\b(?:by|without|on|ignoring)\s*\([^)]*\)/g, "")
    .replace(/\b\d+(?:\.\d+)?(?:e\d+)?\b/g, "");
  return [...bare.matchAll(/([A-Za-z_:][A-Za-z0-9_:]*)\s*(\()?/g)]
    .filter((match) => match[2] === undefined && !PROMQL_WORDS.has(match[1] ?? ""))
    .map((match) => match[1] ?? "");
}

function queries(): { dashboard: string; panel: string; expr: string }[] {
  return dashboards.flatMap(({ file, dashboard }) =>
    dashboard.panels.flatMap((panel) =>
      (panel.targets ?? []).map((target) => ({ dashboard: file, panel: panel.title, expr: target.expr })),
    ),
  );
}

describe("Grafana in the reference build", () => {
  it("provisions the data source file as Grafana's documentation describes it, pointing at the Prometheus service", () => {
    const ajv = new Ajv({ allErrors: true });
    const document = parse(read("grafana-datasources.yaml"));
    expect(ajv.validate(DATASOURCES_SCHEMA, document), ajv.errorsText()).toBe(true);
    expect(document.datasources).toMatchObject([{ type: "prometheus", uid: "prometheus", url: "http://prometheus:9090", isDefault: true }]);
  });

  it("provisions the dashboards folder as Grafana's documentation describes it, where the dashboards are mounted", () => {
    const ajv = new Ajv({ allErrors: true });
    const document = parse(read("grafana-dashboards.yaml"));
    expect(ajv.validate(DASHBOARD_PROVIDERS_SCHEMA, document), ajv.errorsText()).toBe(true);
    const stack = parse(readFileSync(path.join(repoRoot, "out", "stacks", "stats.yml"), "utf8"));
    const mounts: { target: string }[] = stack.services.grafana.configs;
    const dashboardTargets = mounts.map((mount) => mount.target).filter((target) => target.endsWith(".json"));
    expect(dashboardTargets.length).toBe(dashboards.length);
    for (const target of dashboardTargets) expect(path.dirname(target)).toBe(document.providers[0].options.path);
  });

  it("draws the seed's three dashboards and one per kind of service the cluster runs", () => {
    expect(dashboards.map(({ dashboard }) => dashboard.uid).sort()).toEqual(
      ["swarm-etcd", "swarm-nodes", "swarm-prometheus", "swarm-proxysql", "swarm-services", "swarm-web", "swarm-xtradb"].sort(),
    );
  });

  it("gives the nodes dashboard a row per tier and a panel per node, from the model", () => {
    const nodes = dashboards.find(({ dashboard }) => dashboard.uid === "swarm-nodes")?.dashboard;
    const rows = nodes?.panels.filter((panel) => panel.type === "row").map((panel) => panel.title);
    expect(rows).toEqual(["Tier front (2 nodes)", "Tier app (3 nodes)", "Tier proxy (1 node)", "Tier db (2 nodes)"]);
    const titles = nodes?.panels.map((panel) => panel.title) ?? [];
    for (const hostname of ["sw-front-1", "sw-front-2", "sw-node-1", "sw-node-2", "sw-node-3", "sw-proxy-sql", "sw-db-1", "sw-db-2"]) {
      expect(titles).toContain(hostname);
    }
    const galera = dashboards.find(({ dashboard }) => dashboard.uid === "swarm-xtradb")?.dashboard;
    // The model's voters: two members and garbd.
    expect(galera?.panels.map((panel) => panel.title)).toContain("xtracluster: members seen (of 3)");
  });

  it("queries only metrics the exporters expose, on the provisioned data source", () => {
    const known = knownMetrics();
    const all = queries();
    expect(all.length).toBeGreaterThan(40);
    for (const { dashboard, panel, expr } of all) {
      const names = metricNames(expr);
      expect(names.length, `${dashboard} / ${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(known.has(name), `${dashboard} / ${panel}: ${name} in ${expr}`).toBe(true);
    }
    for (const { dashboard } of dashboards) {
      for (const panel of dashboard.panels.filter((candidate) => candidate.targets)) {
        for (const target of panel.targets ?? []) expect(target.datasource?.uid).toBe("prometheus");
      }
    }
  });

  it("selects only jobs prometheus.yml scrapes or the exporters' list names, node-exporter's and Prometheus' among the scraped", () => {
    const scraped = new Set<string>(
      (parse(read("prometheus.yml")).scrape_configs as { job_name: string }[]).map((scrape) => scrape.job_name),
    );
    const listed = new Set<string>(Object.values(EXPORTER_METRICS).flatMap((exporter) => ("job" in exporter ? [exporter.job] : [])));
    const selected = new Set(queries().flatMap(({ expr }) => [...expr.matchAll(/\bjob="([^"]+)"/g)].map((match) => match[1] ?? "")));
    expect([...selected].sort()).toEqual(["etcd", "node-exporter", "prometheus"]);
    for (const job of selected) expect(scraped.has(job) || listed.has(job), job).toBe(true);
    expect(scraped.has("node-exporter") && scraped.has("prometheus")).toBe(true);
  });

  it("writes every dashboard with its keys sorted at every level, for readable diffs", () => {
    const unsorted = (value: unknown, at: string): string | undefined => {
      if (Array.isArray(value)) return value.map((item, index) => unsorted(item, `${at}[${index}]`)).find(Boolean);
      if (value === null || typeof value !== "object") return undefined;
      const keys = Object.keys(value);
      if (keys.join() !== [...keys].sort().join()) return at;
      return keys.map((key) => unsorted((value as Record<string, unknown>)[key], `${at}.${key}`)).find(Boolean);
    };
    for (const { file, dashboard } of dashboards) expect(unsorted(dashboard, file)).toBeUndefined();
  });

  it("reads the admin password from a Docker secret, keeps sign-up off and serves under the admin entry without a published port", () => {
    const stack = parse(readFileSync(path.join(repoRoot, "out", "stacks", "stats.yml"), "utf8"));
    const grafana = stack.services.grafana;
    expect(grafana.environment).toMatchObject({
      GF_SECURITY_ADMIN_PASSWORD__FILE: "/run/secrets/grafana_admin_password",
      GF_USERS_ALLOW_SIGN_UP: "false",
      GF_SERVER_ROOT_URL: "https://admin.example.org/grafana/",
      GF_SERVER_SERVE_FROM_SUB_PATH: "true",
    });
    expect(grafana.secrets).toEqual(["grafana_admin_password"]);
    expect(stack.secrets?.grafana_admin_password).toMatchObject({
      external: true,
      name: expect.stringMatching(/^grafana_admin_password_v\d+$/),
    });
    expect(grafana.ports).toBeUndefined();
    expect(grafana.volumes).toEqual(["grafana-data:/var/lib/grafana"]);
  });
});

function smallGrafana(options: { grafanaNetwork?: "appnet" | "opsnet"; adminEntry?: boolean; pinnedTo?: string } = {}) {
  const cluster = Testing.cluster({ nodes: { front: 1, app: 3 } });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const opsnet = new OverlayNetwork(cluster, "opsnet", { subnet: "192.168.20.0/24" });
  const site = new Site(cluster, "www", { domains: ["example.org"] });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.3-fpm-alpine",
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  const front = new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.example:5000/nginx-waf:1.26",
    ...(options.adminEntry === false
      ? {}
      : {
          admin: {
            hostname: "admin.example.org",
            allow: ["198.51.100.0/24"],
            htpasswdSecret: new Secret(cluster, "admin_htpasswd", { description: "htpasswd" }),
          },
        }),
  });
  const stack = new Stack(cluster, "stats");
  const monitoring = new Monitoring(cluster, "monitoring", { stack, network: appnet });
  new Grafana(cluster, "grafana", {
    stack,
    network: options.grafanaNetwork === "opsnet" ? opsnet : appnet,
    monitoring,
    adminPassword: new Secret(cluster, "grafana_admin_password", { description: "Grafana admin password" }),
    front,
    ...(options.pinnedTo ? { placement: { hostname: options.pinnedTo } } : {}),
  });
  return cluster;
}

describe("Grafana's model", () => {
  it("draws only the dashboards of what the cluster runs: no etcd, Galera or ProxySQL here", async () => {
    const files = await Testing.synth(smallGrafana(), { generators: [stacksGenerator] });
    const drawn = [...files.keys()].filter((file) => file.startsWith("stacks/stats/grafana-dashboard-")).sort();
    expect(drawn).toEqual([
      "stacks/stats/grafana-dashboard-nodes.json",
      "stacks/stats/grafana-dashboard-prometheus.json",
      "stacks/stats/grafana-dashboard-services.json",
      "stacks/stats/grafana-dashboard-web.json",
    ]);
    expect(files.get("stacks/front/nginx-admin.conf")).toContain("set $admin_upstream grafana:3000;");
  });

  it("reports a missing admin password as a props problem, located, instead of failing the build with an exception", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
    const stack = new Stack(cluster, "stats");
    const monitoring = new Monitoring(cluster, "monitoring", { stack, network: appnet });
    // @ts-expect-error the admin password is required
    new Grafana(cluster, "grafana", { stack, network: appnet, monitoring });
    const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      { code: "props/required", construct: "cluster/grafana", field: "adminPassword" },
    ]);
  });

  it.each([
    { code: "grafana/prometheus-unreachable", options: { grafanaNetwork: "opsnet" as const }, field: "network" },
    { code: "grafana/no-admin-entry", options: { adminEntry: false }, field: "front" },
  ])("reports $code", async ({ code, options, field }) => {
    const error = await Testing.synth(smallGrafana(options), { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual(expect.objectContaining({ code, construct: "cluster/grafana", field }));
  });
});

describe("Grafana's availability", () => {
  const findingsOf = async (cluster: ReturnType<typeof smallGrafana>) => {
    await Testing.synth(cluster, { generators: [stacksGenerator] });
    return analyseHa(cluster).findings.filter(
      (finding) => finding.code === "data/single-replica-state" && finding.construct.endsWith("grafana"),
    );
  };

  it("free to move between managers, its one task would restart on an empty database: a warning naming what is lost", async () => {
    const [finding, ...rest] = await findingsOf(smallGrafana());
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: "warning", construct: "cluster/stats/grafana" });
    expect(finding?.message).toContain("grafana-data");
    expect(finding?.message).toContain("users");
  });

  it("pinned to one node, it stops with the node and its data is on that disk alone: a warning naming it", async () => {
    const [finding, ...rest] = await findingsOf(smallGrafana({ pinnedTo: "sw-node-2" }));
    expect(rest).toEqual([]);
    expect(finding).toMatchObject({ severity: "warning" });
    expect(finding?.message).toContain("users");
    expect(finding?.message).toContain("sw-node-2");
  });
});
