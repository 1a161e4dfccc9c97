import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { Cluster, FrontProxy, Monitoring, Node, OverlayNetwork, Service, Site, Stack, type NginxLayout } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { renderDebianNginx } from "../nginx/nginx-debian.js";
import { ask, freePort, LOOPBACK, startNginx, type RunningNginx } from "../nginx/nginx-server.js";

/**
 * A real program run for real: the generated nginx configuration served by Debian's nginx on loopback, and
 * Debian's nginx-prometheus-exporter started with the generated exporter's own arguments, reading stub_status
 * over the generated unix socket.
 */

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-nginx-exporter-"));
chmodSync(work, 0o755);
const nginxes: RunningNginx[] = [];
const exporters: ChildProcess[] = [];
afterAll(async () => {
  for (const exporter of exporters) exporter.kill("SIGTERM");
  await Promise.all(nginxes.map((nginx) => nginx.stop()));
  rmSync(work, { recursive: true, force: true });
});

function monitoredFront(root: string, layout: Partial<NginxLayout>): Cluster {
  const cluster = new Cluster({
    name: "metrics",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const site = new Site(cluster, "www", { domains: ["example.org"], root });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "nginx-waf:1.26",
    layout,
  });
  new Monitoring(cluster, "monitoring", { stack: new Stack(cluster, "stats"), network: appnet });
  return cluster;
}

async function metrics(port: number): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await ask({ port, tls: false, host: LOOPBACK, path: "/metrics" });
    if (answer.status === 200) return answer.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("the exporter never answered");
}

const sample = (text: string, name: string) => Number(new RegExp(`^${name} (\\S+)$`, "m").exec(text)?.[1] ?? Number.NaN);

describe("nginx stub_status through the exporter", () => {
  it("serves nginx's connection and request counts over the generated socket", async () => {
    const root = path.join(work, "www");
    mkdirSync(root, { recursive: true });
    const [http, https, exporterPort] = [await freePort(), await freePort(), await freePort()];
    const dir = path.join(work, "nginx");
    const files = await renderDebianNginx(dir, (layout) => monitoredFront(root, layout), {
      layout: { listenAddress: LOOPBACK, httpPort: http, httpsPort: https },
    });
    const nginx = await startNginx(dir, [http, https]);
    nginxes.push(nginx);

    const exporter = (parse(files.get("stacks/front.yml") ?? "") as StackFile).services?.["nginx-exporter"];
    const args = (exporter?.command as string[]).map((arg) =>
      arg.startsWith("--web.listen-address=") ? `--web.listen-address=${LOOPBACK}:${exporterPort}` : arg,
    );
    expect(args).toContain(`--nginx.scrape-uri=unix:${path.join(dir, "status.sock")}:/stub_status`);
    exporters.push(spawn("prometheus-nginx-exporter", args, { stdio: "ignore" }));

    const before = await metrics(exporterPort);
    expect(sample(before, "nginx_up"), before).toBe(1);
    await ask({ port: http, tls: false, host: "example.org", path: "/" });
    const after = await metrics(exporterPort);
    expect(sample(after, "nginx_connections_accepted")).toBeGreaterThan(sample(before, "nginx_connections_accepted"));
    expect(sample(after, "nginx_http_requests_total")).toBeGreaterThan(sample(before, "nginx_http_requests_total"));
  });
});
