import { spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster, FrontProxy, Node, OverlayNetwork, Service, Site, Stack, type NginxLayout } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { renderDebianNginx } from "../nginx/nginx-debian.js";
import { freePort, startNginx, type RunningNginx } from "../nginx/nginx-server.js";
import { issueTestCertificate } from "../helpers/test-certificates.js";
import { sslscan, testssl, type SslscanRun, type TestsslRun } from "./tls-scanners.js";

/**
 * A real program run for real, graded by real scanners: the generated nginx configuration served by Debian's
 * nginx (with ModSecurity and the CRS) on loopback, scanned by testssl.sh and sslscan. The test fails on any
 * testssl finding of severity MEDIUM or above, and on any weakness sslscan reports (a protocol below TLS 1.2,
 * a cipher it does not grade strong or acceptable, compression, insecure renegotiation, heartbleed).
 */

const DOMAINS = ["example.org", "www.example.org"];
const work = mkdtempSync(path.join(tmpdir(), "tls-scan-nginx-"));
// nginx's workers run as www-data: they must reach the document root.
chmodSync(work, 0o755);
let nginx: RunningNginx | undefined;
afterAll(async () => {
  await nginx?.stop();
  rmSync(work, { recursive: true, force: true });
});

function frontCluster(root: string, layout: Partial<NginxLayout>): Cluster {
  const cluster = new Cluster({ name: "tls", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const site = new Site(cluster, "www", { domains: DOMAINS, root });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  new FrontProxy(cluster, "front-proxy", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.example:5000/nginx-waf:1.26",
    layout,
  });
  return cluster;
}

describe("the generated nginx's TLS, graded by testssl.sh and sslscan", () => {
  let port = 0;
  let ca = "";
  let graded: TestsslRun | undefined;
  let scanned: SslscanRun | undefined;

  beforeAll(async () => {
    const root = path.join(work, "www");
    mkdirSync(root, { recursive: true });
    // A page above gzip_min_length, so the scanners see the compression a real page gets (BREACH is graded on it).
    writeFileSync(path.join(root, "index.html"), `<h1>home</h1>\n${"<p>Lorem ipsum dolor sit amet.</p>\n".repeat(80)}`);
    const [http, https] = [await freePort(), await freePort()];
    port = https;
    const dir = path.join(work, "nginx");
    const layout = { listenAddress: "127.0.0.1", httpPort: http, httpsPort: https };
    await renderDebianNginx(dir, (rendered) => frontCluster(root, rendered), { layout });
    // The site's certificate: one from a test CA the scanners are told to trust, where certbot puts Let's Encrypt's.
    const issued = issueTestCertificate(work, DOMAINS);
    const live = path.join(dir, "letsencrypt", "live", DOMAINS[0] ?? "");
    copyFileSync(issued.fullchain, path.join(live, "fullchain.pem"));
    copyFileSync(issued.key, path.join(live, "privkey.pem"));
    ca = issued.ca;
    nginx = await startNginx(dir, [http, https]);
    graded = testssl({ workDir: work, name: "example.org", port, checks: ["-p", "-s", "-f", "-S", "-h", "-U"], trust: ca });
    scanned = sslscan({ port, servername: "example.org" });
  }, 600_000);

  it("testssl.sh finds nothing of severity MEDIUM or above: protocols, ciphers, forward secrecy, certificate, headers, vulnerabilities", () => {
    expect(graded?.failing, graded?.output).toEqual([]);
    // The scan ran each part asked for (an unreachable server gives an empty, passing report).
    const ids = new Set(graded?.findings.map((finding) => finding.id));
    for (const id of ["TLS1_2", "TLS1_3", "SSLv3", "TLS1", "TLS1_1", "HSTS_time", "heartbleed", "BREACH", "cert_chain_of_trust", "PFS"]) {
      expect(ids.has(id), `testssl reported no ${id}`).toBe(true);
    }
  });

  it("leaves no check undone but two this machine or the port's design explains", () => {
    // engine_problem: Debian's openssl has no GOST engine (a note on the scanner, not on the server).
    // secure_renego: testssl tries renegotiation without the server name, which the port's default server
    // refuses (ssl_reject_handshake); sslscan, which sends it, checks renegotiation below.
    const warnings = graded?.findings
      .filter((finding) => finding.severity === "WARN")
      .map((finding) => `${finding.id}: ${finding.finding}`);
    // sessionresumption_ticket: with `ssl_session_tickets off` the server issues no ticket, and testssl's
    // ticket-resumption probe then fails to connect on some runs and not on others; what it would find is
    // checked directly below (no ticket is ever issued), so its connect failure alone is let through.
    const undone = warnings?.filter(
      (warning) =>
        !["engine_problem", "secure_renego"].includes(warning.split(":")[0] ?? "") &&
        !/^sessionresumption_ticket: .*connect problem/.test(warning),
    );
    expect(undone).toEqual([]);
    expect(scanned?.xml).toMatch(/<renegotiation supported="0"/);
  });

  it("issues no TLS 1.2 session ticket, as Mozilla's intermediate profile asks (openssl s_client, a real client)", () => {
    // TLS 1.2 only: in TLS 1.3 OpenSSL resumes through tickets that, with tickets off, are stateful (a session id
    // into nginx's cache, not state sealed with a long-lived ticket key), which is what the profile is about.
    for (const protocol of ["-tls1_2"]) {
      const run = spawnSync(
        "openssl",
        ["s_client", "-connect", `127.0.0.1:${port}`, "-servername", "example.org", protocol, "-CAfile", ca],
        {
          input: "",
          encoding: "utf8",
          timeout: 30_000,
        },
      );
      const output = `${run.stdout}${run.stderr}`;
      // The handshake completed (the check proves nothing otherwise), and no ticket came with it.
      expect(output, protocol).toMatch(/Verify return code: 0 \(ok\)/);
      expect(output, protocol).not.toMatch(/TLS session ticket lifetime hint/);
    }
  });

  it("offers TLS 1.2 and 1.3 only, with HSTS for two years, as Mozilla's intermediate profile says", () => {
    const severity = (id: string) => graded?.findings.find((finding) => finding.id === id);
    expect(severity("TLS1_3")?.finding).toMatch(/^offered/);
    expect(severity("TLS1_2")?.finding).toMatch(/^offered/);
    for (const old of ["SSLv2", "SSLv3", "TLS1", "TLS1_1"]) expect(severity(old)?.finding, old).toMatch(/^not offered/);
    expect(severity("HSTS_time")?.finding).toMatch(/730 days/);
  });

  it("sslscan sees TLS 1.2 and 1.3 only, strong ciphers only, no compression and no insecure renegotiation", () => {
    expect(scanned?.weaknesses, scanned?.xml).toEqual([]);
    expect([...(scanned?.protocols ?? [])].sort()).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(scanned?.ciphers.length).toBeGreaterThan(3);
  });
});
