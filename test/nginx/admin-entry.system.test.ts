import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import http from "node:http";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster, FrontProxy, Node, OverlayNetwork, Secret, Service, Site, Stack, type NginxLayout } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { stopAndWait } from "../helpers/child-exit.js";
import { fakeLetsEncrypt, renderDebianNginx } from "./nginx-debian.js";
import { freePort, LOOPBACK, startNginx, type RunningNginx } from "./nginx-server.js";

/**
 * A real program run for real: the generated admin entry served by Debian's nginx (ModSecurity and the CRS
 * loaded) on loopback, in front of a stand-in backend (a Node HTTP server on loopback). The htpasswd file is
 * made by `openssl passwd -apr1`, as an operator would make the Docker secret. The allow-list holds 127.0.0.1/32
 * only, so a client bound to 127.0.0.2 (also loopback) is an address outside it. Behind it too, the real
 * Prometheus and Alertmanager (Debian's), started with the flags the build gives them (`--web.external-url`,
 * `--web.route-prefix=/`): the prefix nginx strips, the links they write and the API karma reads must agree.
 */

const ADMIN_HOST = "admin.example.org";
const USER = "operator";
const PASSWORD = "correct horse battery staple";
const OUTSIDER = "127.0.0.2";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-nginx-admin-"));
chmodSync(work, 0o755);
let nginx: RunningNginx | undefined;
let backend: http.Server | undefined;
/** What the stand-in backend received: path and Authorization header of each request. */
const received: { url: string; authorization: string | undefined }[] = [];
let httpsPort = 0;
let prometheus: ChildProcess | undefined;
let alertmanager: ChildProcess | undefined;
let alertmanagerPort = 0;

/** The stand-in, as both a Grafana-like upstream (served under its path) and a Portainer-like one (prefix stripped). */
function adminCluster(layout: Partial<NginxLayout>, backendPort: number, prometheusPort: number): Cluster {
  const amPort = alertmanagerPort;
  const cluster = new Cluster({
    name: "admin",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const site = new Site(cluster, "www", { domains: ["example.org"], root: path.join(work, "www") });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.3-fpm-alpine",
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  const secret = new Secret(cluster, "admin_htpasswd", { description: "htpasswd of the operators" });
  const front = new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.example:5000/nginx-waf:1.26",
    layout,
    admin: { hostname: ADMIN_HOST, allow: ["127.0.0.1/32"], htpasswdSecret: secret },
  });
  const tools = new Stack(cluster, "tools");
  const grafana = new Service(tools, "standin", { image: "busybox:1.36", networks: [appnet] });
  const portainer = new Service(tools, "standin-root", { image: "busybox:1.36", networks: [appnet] });
  front.admin?.expose(grafana, { path: "grafana", port: backendPort });
  front.admin?.expose(portainer, { path: "portainer", port: backendPort, stripPrefix: true });
  const prometheus = new Service(tools, "prometheus", {
    image: "prom/prometheus:v2.53.0",
    networks: [appnet],
    command: ["--storage.tsdb.retention.time=1h"],
  });
  front.admin?.exposeWithExternalUrl(prometheus, { path: "prometheus", port: prometheusPort });
  const alertmanager = new Service(tools, "alertmanager-1", {
    image: "prom/alertmanager:v0.31.1",
    networks: [appnet],
    command: ["--cluster.listen-address="],
  });
  front.admin?.exposeWithExternalUrl(alertmanager, { path: "alertmanager-1", port: amPort });
  return cluster;
}

beforeAll(async () => {
  backend = http.createServer((request, response) => {
    received.push({ url: request.url ?? "", authorization: request.headers.authorization });
    response.end(`stand-in saw ${request.url}`);
  });
  await new Promise<void>((resolve) => backend?.listen(0, LOOPBACK, resolve));
  const address = backend.address();
  const backendPort = typeof address === "object" && address ? address.port : 0;

  const dir = path.join(work, "nginx");
  const htpasswd = path.join(work, "htpasswd");
  const hash = execFileSync("openssl", ["passwd", "-apr1", PASSWORD], { encoding: "utf8" }).trim();
  writeFileSync(htpasswd, `${USER}:${hash}\n`);
  chmodSync(htpasswd, 0o644);

  const [httpPort, tlsPort, prometheusPort] = [await freePort(), await freePort(), await freePort()];
  alertmanagerPort = await freePort();
  httpsPort = tlsPort;
  const files = await renderDebianNginx(
    dir,
    (layout) => {
      // The admin host name's certificate, where the sites' are (renderDebianNginx makes those).
      fakeLetsEncrypt(layout.letsencryptDir ?? "", [ADMIN_HOST]);
      return adminCluster(layout, backendPort, prometheusPort);
    },
    {
      layout: { listenAddress: LOOPBACK, httpPort, httpsPort: tlsPort },
      // Only what exists off a Swarm is changed: the secret's mount point, and the stand-ins' service names,
      // which Docker's DNS would resolve, become the loopback address.
      edit: (files) => {
        const key = "stacks/front/nginx-admin.conf";
        const conf = files.get(key) ?? "";
        expect(conf).toContain("auth_basic_user_file /run/secrets/admin_htpasswd;");
        files.set(
          key,
          conf
            .replace("/run/secrets/admin_htpasswd", htpasswd)
            .replaceAll(`standin-root:${backendPort}`, `${LOOPBACK}:${backendPort}`)
            .replaceAll(`standin:${backendPort}`, `${LOOPBACK}:${backendPort}`)
            .replaceAll(`prometheus:${prometheusPort}`, `${LOOPBACK}:${prometheusPort}`)
            .replaceAll(`alertmanager-1:${alertmanagerPort}`, `${LOOPBACK}:${alertmanagerPort}`),
        );
      },
    },
  );
  // Prometheus with the command the stack file gives it, listening on loopback with its data in the test's folder.
  const command: string[] = parse(files.get("stacks/tools.yml") ?? "").services.prometheus.command;
  expect(command).toEqual(expect.arrayContaining([`--web.external-url=https://${ADMIN_HOST}/prometheus/`, "--web.route-prefix=/"]));
  const promConfig = path.join(work, "prometheus.yml");
  writeFileSync(promConfig, "global:\n  scrape_interval: 15s\n");
  prometheus = spawn(
    "prometheus",
    [
      ...command,
      `--config.file=${promConfig}`,
      `--storage.tsdb.path=${path.join(work, "tsdb")}`,
      `--web.listen-address=${LOOPBACK}:${prometheusPort}`,
    ],
    { stdio: "ignore" },
  );
  const amCommand: string[] = parse(files.get("stacks/tools.yml") ?? "").services["alertmanager-1"].command;
  const amConfig = path.join(work, "alertmanager.yml");
  writeFileSync(amConfig, 'route:\n  receiver: "null"\nreceivers:\n  - name: "null"\n');
  alertmanager = spawn(
    "prometheus-alertmanager",
    [
      ...amCommand,
      `--config.file=${amConfig}`,
      `--storage.path=${path.join(work, "alertmanager")}`,
      `--web.listen-address=${LOOPBACK}:${alertmanagerPort}`,
    ],
    { stdio: "ignore" },
  );
  nginx = await startNginx(dir, [httpPort, tlsPort, prometheusPort, alertmanagerPort]);
}, 60_000);

afterAll(async () => {
  await nginx?.stop();
  await Promise.all([stopAndWait(prometheus), stopAndWait(alertmanager)]);
  await new Promise((resolve) => (backend ? backend.close(resolve) : resolve(undefined)));
  rmSync(work, { recursive: true, force: true, maxRetries: 5 });
});

interface Reply {
  readonly status: number;
  readonly body: string;
  readonly headers: http.IncomingHttpHeaders;
}

/** One HTTPS GET to the admin entry, from `from` (a loopback address), with or without credentials. */
function get(requestPath: string, options: { from?: string; credentials?: string; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: LOOPBACK,
        port: httpsPort,
        path: requestPath,
        method: options.body === undefined ? "GET" : "POST",
        servername: ADMIN_HOST,
        localAddress: options.from ?? LOOPBACK,
        rejectUnauthorized: false,
        agent: false,
        timeout: 5_000,
        headers: {
          Host: ADMIN_HOST,
          "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
          ...(options.credentials ? { Authorization: `Basic ${Buffer.from(options.credentials).toString("base64")}` } : {}),
          ...(options.body === undefined ? {} : { "Content-Type": "application/json" }),
        },
      },
      (response) => {
        let body = "";
        response.setEncoding("utf8");
        response.on("data", (chunk: string) => (body += chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body, headers: response.headers }));
      },
    );
    request.on("timeout", () => request.destroy(new Error("no answer within 5 s")));
    request.on("error", reject);
    request.end(options.body);
  });
}

describe("the operators' admin entry, served by the real nginx", () => {
  it("asks an allowed address without credentials for them (401), and refuses a wrong password", async () => {
    const none = await get("/grafana/");
    expect(none.status, nginx?.log()).toBe(401);
    expect(none.headers["www-authenticate"]).toBe('Basic realm="Operators"');
    expect((await get("/grafana/", { credentials: `${USER}:wrong` })).status).toBe(401);
    expect(received).toEqual([]);
  });

  it("refuses an address outside the allow-list (403), with or without the right password", async () => {
    expect((await get("/grafana/", { from: OUTSIDER })).status).toBe(403);
    expect((await get("/grafana/", { from: OUTSIDER, credentials: `${USER}:${PASSWORD}` })).status).toBe(403);
    expect(received).toEqual([]);
  });

  it("proxies an allowed operator to the backend under its path, without passing the password on", async () => {
    const reply = await get("/grafana/d/nodes?orgId=1", { credentials: `${USER}:${PASSWORD}` });
    expect(reply.status, nginx?.log()).toBe(200);
    expect(reply.body).toBe("stand-in saw /grafana/d/nodes?orgId=1");
    expect(reply.headers["strict-transport-security"]).toContain("max-age=");
    expect(received.at(-1)?.authorization).toBeUndefined();
  });

  it("serves the real Prometheus under /prometheus/: nginx strips the prefix, Prometheus writes it into its links", async () => {
    const operator = { credentials: `${USER}:${PASSWORD}` };
    const healthy = await get("/prometheus/-/healthy", operator);
    expect(healthy.status, nginx?.log()).toBe(200);
    expect(healthy.body).toContain("Healthy");
    const home = await get("/prometheus/", operator);
    expect(home.status).toBe(302);
    // Debian's build has only the classic UI (/classic/graph); the image's redirects to /graph.
    expect(home.headers.location).toMatch(/^\/prometheus\/(?:classic\/)?graph$/);
    const query = await get("/prometheus/api/v1/query?query=vector(1)", operator);
    expect(query.status).toBe(200);
    expect(JSON.parse(query.body)).toMatchObject({ status: "success" });
  });

  it("serves the real Alertmanager under /alertmanager-1/, its API staying at / where Prometheus and karma read it", async () => {
    const status = await get("/alertmanager-1/api/v2/status", { credentials: `${USER}:${PASSWORD}` });
    expect(status.status, nginx?.log()).toBe(200);
    expect(JSON.parse(status.body).config.original).toContain("receiver");
    const direct = await new Promise<number>((resolve, reject) =>
      http
        .get({ host: LOOPBACK, port: alertmanagerPort, path: "/api/v2/status" }, (response) => {
          response.resume();
          resolve(response.statusCode ?? 0);
        })
        .on("error", reject),
    );
    expect(direct).toBe(200);
  });

  it("lets an operator's dashboard query through the WAF (a Grafana query as Grafana posts it)", async () => {
    const body = JSON.stringify({
      queries: [
        { refId: "A", expr: 'sum by (instance) (rate(node_cpu_seconds_total{job="node-exporter",mode="idle"}[$__rate_interval]))' },
        {
          refId: "B",
          expr: 'count by (container_label_com_docker_swarm_service_name) (container_last_seen{container_label_com_docker_swarm_service_name=~"^(db_pxc-1|db_proxysql)$"})',
        },
      ],
      from: "now-6h",
      to: "now",
    });
    const reply = await get("/grafana/api/ds/query", { credentials: `${USER}:${PASSWORD}`, body });
    expect(reply.status, nginx?.log()).toBe(200);
    expect(reply.body).toBe("stand-in saw /grafana/api/ds/query");
  });

  it("strips the prefix for a backend that serves from /, and redirects the bare path", async () => {
    const reply = await get("/portainer/api/status", { credentials: `${USER}:${PASSWORD}` });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe("stand-in saw /api/status");
    const bare = await get("/portainer", { credentials: `${USER}:${PASSWORD}` });
    expect(bare.status).toBe(301);
    expect(bare.headers.location).toMatch(/\/portainer\/$/);
  });
});
