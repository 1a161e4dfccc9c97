// Real programs run for real: Debian's nginx with its GeoIP2 module (libnginx-mod-http-geoip2) and ModSecurity
// loads the generated allow-list (`nginx -t`, then serving on loopback) against a tiny country database that
// MaxMind's own writer (Debian's libmaxmind-db-writer-perl) makes here; clients on different loopback addresses
// stand for visitors from different countries.
import { spawnSync } from "node:child_process";
import { chmodSync, closeSync, openSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster, FrontProxy, Node, OverlayNetwork, Service, Site, Stack, type NginxLayout } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { renderDebianNginx } from "./nginx-debian.js";
import { ask, freePort, startNginx, type RunningNginx } from "./nginx-server.js";

const GEOIP2_MODULE_CONF = "/usr/share/nginx/modules-available/mod-http-geoip2.conf";

/** Debian's GeoIP2 module, as its own module conf loads it, made absolute against nginx's prefix. */
function geoip2Module(): string {
  const line = /load_module\s+(\S+);/.exec(readFileSync(GEOIP2_MODULE_CONF, "utf8"))?.[1] ?? "";
  return path.isAbsolute(line) ? line : path.join("/usr/share/nginx", line);
}

/** A GeoLite2-Country-shaped database: each network's record holds country.iso_code, as MaxMind's does. */
const WRITER = `
use strict; use warnings;
use MaxMind::DB::Writer::Tree;
my ($out, @pairs) = @ARGV;
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version => 4, record_size => 24, database_type => 'GeoLite2-Country', languages => ['en'],
  description => { en => 'swarm-cluster test countries' }, remove_reserved_networks => 0,
  map_key_type_callback => sub { $_[0] eq 'country' ? 'map' : 'utf8_string' },
);
while (my ($network, $iso) = splice(@pairs, 0, 2)) {
  $tree->insert_network($network, { country => { iso_code => $iso } });
}
open my $fh, '>:raw', $out or die "$out: $!";
$tree->write_tree($fh);
close $fh;
`;

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-nginx-geoip-"));
chmodSync(work, 0o755);
const running: RunningNginx[] = [];
afterAll(async () => {
  await Promise.all(running.map((nginx) => nginx.stop()));
  rmSync(work, { recursive: true, force: true });
});

const database = path.join(work, "countries.mmdb");
beforeAll(() => {
  const run = spawnSync("perl", ["-e", WRITER, database, "127.0.0.1/32", "DE", "127.0.0.2/32", "CN", "127.0.0.3/32", "FR"], {
    encoding: "utf8",
  });
  expect(run.status, run.stderr).toBe(0);
});

function geoCluster(root: string, layout: Partial<NginxLayout>): Cluster {
  const cluster = new Cluster({
    name: "geoip",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const site = new Site(cluster, "www", { domains: ["example.org"], root });
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
    layout: { ...layout, geoip2Module: geoip2Module() },
    geoipCountries: ["DE", "FR"],
    geoipDatabase: database,
  });
  return cluster;
}

describe("the GeoIP2 country allow-list, in Debian's nginx", () => {
  let port = 0;
  let dir = "";
  beforeAll(async () => {
    const root = path.join(work, "www");
    mkdirSync(root, { recursive: true });
    writeFileSync(path.join(root, "index.html"), "<h1>home</h1>\n");
    const [httpPort, httpsPort] = [await freePort(), await freePort()];
    port = httpsPort;
    dir = path.join(work, "nginx");
    await renderDebianNginx(dir, (layout) => geoCluster(root, layout), {
      layout: { listenAddress: "127.0.0.1", httpPort, httpsPort },
      // Loopback is private, and private addresses always pass: the test counts it as public, as the
      // rate-limit test does, so the database decides.
      edit: (files) => {
        const main = files.get("stacks/front/nginx.conf") ?? "";
        files.set("stacks/front/nginx.conf", main.replace(/^ +127\.0\.0\.0\/8 0;\n/m, ""));
      },
    });
    running.push(await startNginx(dir, [httpPort, httpsPort]));
  });
  const from = (localAddress: string) => ask({ port, tls: true, host: "example.org", servername: "example.org", path: "/", localAddress });

  it("nginx -t accepts the configuration with the module loaded and the database opened", () => {
    // nginx opens /dev/stdout (the access log) even for -t: give it a file, not vitest's pipe.
    const outputFile = path.join(dir, "test.out");
    const fd = openSync(outputFile, "w");
    const run = spawnSync("nginx", ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", `pid ${dir}/test.pid;`], {
      stdio: ["ignore", fd, fd],
    });
    closeSync(fd);
    const output = readFileSync(outputFile, "utf8");
    expect(run.status, output).toBe(0);
    expect(output).toContain("test is successful");
    expect(readFileSync(path.join(dir, "nginx.conf"), "utf8")).toMatch(/geoip2 \S+countries\.mmdb \{/);
  });

  it("serves visitors from the listed countries", async () => {
    for (const address of ["127.0.0.1", "127.0.0.3"]) {
      const answer = await from(address);
      expect(answer.status, address).toBe(200);
      expect(answer.body, address).toContain("home");
    }
  });

  it("refuses a visitor from another country, and one the database does not place, with the 403 page", async () => {
    for (const address of ["127.0.0.2", "127.0.0.4"]) {
      const answer = await from(address);
      expect(answer.status, address).toBe(403);
      expect(answer.body, address).toContain("<p>You are not allowed to see this page.</p>");
    }
  });
});
