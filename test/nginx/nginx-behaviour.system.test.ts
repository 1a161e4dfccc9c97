import { stacksGenerator } from "../../generators/stacks/index.js";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError } from "../../src/core/problems.js";
import { Cluster, FrontProxy, Node, OverlayNetwork, Service, Site, Stack, Testing, type NginxLayout } from "../../src/index.js";
import { renderDebianNginx } from "./nginx-debian.js";
import { ask, freePort, startNginx, type Ask, type RunningNginx } from "./nginx-server.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

/**
 * The generated nginx configuration served by the real nginx (Debian's, with ModSecurity and the OWASP CRS),
 * on free loopback ports, and asked what a browser, a scanner and an attacker would ask.
 */

const DOMAINS = ["example.org", "www.example.org"];
const SECRET = "do-not-serve-me";
/** Files a careless deploy leaves in the document root; each exists, so only a deny keeps it from being served. */
const FORBIDDEN = ["/.env", "/.git/config", "/backup.sql", "/deploy.sh", "/debug.log", "/site.zip"];

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-nginx-run-"));
// nginx's workers run as www-data: they must reach the document root.
chmodSync(work, 0o755);
const running: RunningNginx[] = [];
afterAll(async () => {
  await Promise.all(running.map((nginx) => nginx.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** One site whose document root is a folder of this test, served by a FrontProxy with the given layout. */
function frontCluster(root: string, layout: Partial<NginxLayout>): Cluster {
  const cluster = new Cluster({
    name: "behaviour",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
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

/** Renders the configuration (edited by `edit`, if given) into `<work>/<name>`, starts nginx on it and returns its ports. */
async function serve(name: string, edit?: (files: Map<string, string>) => void) {
  const root = path.join(work, name, "www");
  for (const folder of [".git", ".well-known"]) mkdirSync(path.join(root, folder), { recursive: true });
  writeFileSync(path.join(root, "index.html"), "<h1>static home page</h1>\n");
  writeFileSync(path.join(root, ".well-known", "security.txt"), "Contact: mailto:security@example.org\n");
  for (const file of FORBIDDEN) writeFileSync(path.join(root, file), `${SECRET}\n`);
  const [http, https] = [await freePort(), await freePort()];
  const dir = path.join(work, name, "nginx");
  const layout = { listenAddress: "127.0.0.1", httpPort: http, httpsPort: https };
  await renderDebianNginx(dir, (rendered) => frontCluster(root, rendered), { layout, ...(edit ? { edit } : {}) });
  const nginx = await startNginx(dir, [http, https]);
  running.push(nginx);
  return { http, https, nginx };
}

describe("the generated nginx, running", () => {
  let ports = { http: 0, https: 0 };
  let nginx: RunningNginx | undefined;
  beforeAll(async () => {
    ({ nginx, ...ports } = await serve("generated"));
  });
  /** HTTPS to the canonical site, with its SNI. */
  const site = (request: Partial<Ask> = {}) =>
    ask({ port: ports.https, tls: true, host: "example.org", servername: "example.org", ...request });

  it("serves the site over HTTPS with the security headers and no version", async () => {
    const answer = await site({ path: "/" });
    expect(answer.status, nginx?.log()).toBe(200);
    expect(answer.body).toContain("static home page");
    expect(answer.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(answer.headers["x-frame-options"]).toBe("DENY");
    expect(answer.headers["x-content-type-options"]).toBe("nosniff");
    expect(answer.headers["referrer-policy"]).toBe("strict-origin-when-cross-origin");
    // server_tokens off: the name, never the version.
    expect(answer.headers.server).toBe("nginx");
  });

  it("keeps the security headers on refusals too (add_header … always)", async () => {
    const answer = await site({ path: "/.env" });
    expect(answer.status).toBe(403);
    expect(answer.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
    expect(answer.headers["x-frame-options"]).toBe("DENY");
    expect(answer.headers.server).toBe("nginx");
  });

  it.each(DOMAINS)("redirects plain HTTP for %s to the canonical HTTPS URL with 301", async (host) => {
    const answer = await ask({ port: ports.http, tls: false, host, path: "/blog/post?id=7" });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe("https://example.org/blog/post?id=7");
  });

  it("redirects HTTPS for the other names to the canonical one", async () => {
    const answer = await ask({ port: ports.https, tls: true, host: "www.example.org", servername: "www.example.org", path: "/a?b=c" });
    expect(answer.status).toBe(301);
    expect(answer.headers.location).toBe("https://example.org/a?b=c");
  });

  it("closes the connection without a response for a name no site serves (444), on HTTP", async () => {
    for (const host of ["unknown.example.net", "127.0.0.1"]) {
      const answer = await ask({ port: ports.http, tls: false, host });
      expect(answer.status, host).toBeUndefined();
      expect(answer.error, host).toBe("ECONNRESET");
    }
  });

  it("refuses the TLS handshake for an unknown name or no name at all, showing no certificate", async () => {
    for (const servername of ["unknown.example.net", undefined]) {
      const answer = await ask({ port: ports.https, tls: true, host: servername ?? "127.0.0.1", ...(servername ? { servername } : {}) });
      expect(answer.status, servername).toBeUndefined();
      expect(answer.error, servername).toBe("EPROTO");
      expect(answer.message, servername).toMatch(/unrecognized name/);
    }
  });

  it("drops a request whose Host names no site even after a valid handshake", async () => {
    const answer = await site({ host: "unknown.example.net" });
    expect(answer.status).toBeUndefined();
    expect(answer.error).toBe("ECONNRESET");
  });

  it("answers blocked scanners' user agents with no response at all (444)", async () => {
    const { proxy } = swarmCluster();
    for (const agent of proxy.settings.blockedUserAgents) {
      // The list holds lower-case fragments, matched case-insensitively as in real user agents.
      const userAgent = `Mozilla/5.0 (compatible; ${agent.charAt(0).toUpperCase()}${agent.slice(1)}/2.1)`;
      const answer = await site({ userAgent });
      expect(answer.status, userAgent).toBeUndefined();
      expect(answer.error, userAgent).toBe("ECONNRESET");
    }
  });

  it("gives a blocked scanner no redirect either, on plain HTTP or another name of the site", async () => {
    const userAgent = "sqlmap/1.8 (https://sqlmap.org)";
    for (const answer of [
      await ask({ port: ports.http, tls: false, host: "example.org", userAgent }),
      await ask({ port: ports.https, tls: true, host: "www.example.org", servername: "www.example.org", userAgent }),
    ]) {
      expect(answer.status).toBeUndefined();
      expect(answer.error).toBe("ECONNRESET");
    }
  });

  it.each(FORBIDDEN)("denies %s, which exists in the document root", async (file) => {
    const answer = await site({ path: file });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain(SECRET);
  });

  it("never hands php-fpm a script that is not a .php file of the document root", async () => {
    // An "upload" with a .php path after it: without the try_files guard it would reach php-fpm, which
    // with cgi.fix_pathinfo=1 runs the image. The PHP upstream is not running here: any fastcgi attempt
    // would answer 502/504, so a 404 proves nginx stopped it.
    const answer = await site({ path: "/index.html/shell.php" });
    expect(answer.status).toBe(404);
  });

  it("still serves /.well-known/, the one hidden folder meant to be public", async () => {
    const answer = await site({ path: "/.well-known/security.txt" });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("Contact:");
  });

  it.each([
    ["SQL injection", `/?id=${encodeURIComponent("1' OR '1'='1")}`],
    ["cross-site scripting", `/?q=${encodeURIComponent("<script>alert(1)</script>")}`],
    ["SQL injection aimed at PHP", `/index.php?id=${encodeURIComponent("1 UNION SELECT user_pass FROM wp_users")}`],
  ])("lets ModSecurity block %s with 403", async (_attack, attackPath) => {
    const denials = () => nginx?.log().match(/ModSecurity: Access denied with code 403/g)?.length ?? 0;
    const before = denials();
    const answer = await site({ path: attackPath });
    expect(answer.status).toBe(403);
    // The CRS's anomaly score refused it, not a location rule of nginx.
    expect(denials()).toBeGreaterThan(before);
  });

  it("lets an ordinary request with parameters through ModSecurity", async () => {
    const answer = await site({ path: "/?q=opening+hours&page=2" });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain("static home page");
  });

  it("never rate-limits loopback clients, which the geo block exempts", async () => {
    // More requests at once than `burst=30` at 1 r/s would let through for a counted client.
    const statuses = await quickRequests(ports.https, 40);
    expect(statuses).toEqual(Array<number>(40).fill(200));
  });
});

describe("the generated nginx's custom error pages", () => {
  // The default pages the model delivers as Docker configs. Two test-only edits: a 410 needs something that
  // answers 410, which the generated site does not have, so one location is added; and php-fpm's address
  // becomes a closed loopback port, so the upstream fails at once (502) instead of waiting on Docker's DNS.
  let port = 0;
  let root = "";
  beforeAll(async () => {
    ({ https: port } = await serve("error-pages", (files) => {
      const conf = files.get("stacks/front/nginx-site-www.conf") ?? "";
      files.set(
        "stacks/front/nginx-site-www.conf",
        conf
          .replace("    location / {", "    location = /old-page {\n        return 410;\n    }\n    location / {")
          .replace(/set \$php_upstream [^;]+;/, "set $php_upstream 127.0.0.1:1;"),
      );
    }));
    root = path.join(work, "error-pages", "www");
  });
  const get = (pathname: string) => ask({ port, tls: true, host: "example.org", servername: "example.org", path: pathname });

  it("answers a denied file with the 403 page, security headers included", async () => {
    const answer = await get("/.env");
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("<p>You are not allowed to see this page.</p>");
    expect(answer.body).not.toContain(SECRET);
    expect(answer.headers["strict-transport-security"]).toBe("max-age=63072000; includeSubDomains");
  });

  it("answers ModSecurity's refusal with the 403 page", async () => {
    const answer = await get(`/?id=${encodeURIComponent("1' OR '1'='1")}`);
    expect(answer.status).toBe(403);
    expect(answer.body).toContain("<p>You are not allowed to see this page.</p>");
  });

  it("answers a missing script with the 404 page, and keeps the pages themselves internal", async () => {
    for (const pathname of ["/missing.php", "/_pages/403.html"]) {
      const answer = await get(pathname);
      expect(answer.status, pathname).toBe(404);
      expect(answer.body, pathname).toContain("<p>This page does not exist.</p>");
    }
  });

  it("answers 410 with the 410 page", async () => {
    const answer = await get("/old-page");
    expect(answer.status).toBe(410);
    expect(answer.body).toContain("<p>This page has been removed for good.</p>");
  });

  it("answers with the 5xx page when php-fpm cannot be reached", async () => {
    // A real script, whose php-fpm does not answer: nginx's 502.
    writeFileSync(path.join(root, "app.php"), "<?php echo 'never run';\n");
    const answer = await get("/app.php");
    expect(answer.status).toBe(502);
    expect(answer.body).toContain("<p>The site cannot answer right now.");
    expect(answer.body).not.toContain("nginx");
  });
});

describe("the generated nginx, with ModSecurity turned off", () => {
  // The CRS refuses most of these paths by itself; nginx's own rules must hold when the WAF is off or
  // only detecting.
  let port = 0;
  beforeAll(async () => {
    ({ https: port } = await serve("no-waf", (files) => {
      const main = files.get("stacks/front/nginx.conf") ?? "";
      files.set("stacks/front/nginx.conf", main.replace(/^ +modsecurity on;$/m, "    modsecurity off;"));
    }));
  });

  it.each(FORBIDDEN)("denies %s by nginx's own location rules", async (file) => {
    const answer = await ask({ port, tls: true, host: "example.org", servername: "example.org", path: file });
    expect(answer.status).toBe(403);
    expect(answer.body).not.toContain(SECRET);
  });

  it("lets the attack through that ModSecurity blocks above, so the WAF is what blocked it", async () => {
    const answer = await ask({
      port,
      tls: true,
      host: "example.org",
      servername: "example.org",
      path: `/?q=${encodeURIComponent("<script>alert(1)</script>")}`,
    });
    expect(answer.status).toBe(200);
  });
});

describe("the generated nginx, with loopback no longer exempt from the limits", () => {
  it("answers 429 once a client exceeds the burst, so the exemption is what spares loopback above", async () => {
    let changed = false;
    const { https: port } = await serve("counted", (files) => {
      const main = files.get("stacks/front/nginx.conf") ?? "";
      const edited = main.replace(/^ +127\.0\.0\.0\/8 0;\n/m, "");
      changed = edited !== main;
      files.set("stacks/front/nginx.conf", edited);
    });
    expect(changed).toBe(true);
    const statuses = await quickRequests(port, 40);
    // 1 request plus a burst of 30 pass; the rest of the same second is refused.
    expect(statuses.slice(0, 31)).toEqual(Array<number>(31).fill(200));
    expect(statuses.slice(31)).toContain(429);
    expect(statuses.every((status) => status === 200 || status === 429)).toBe(true);
  });
});

/** `count` GETs of `/` one after the other on one kept-alive connection, as fast as nginx answers. */
async function quickRequests(port: number, count: number): Promise<number[]> {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const statuses: number[] = [];
    for (let i = 0; i < count; i++) {
      const answer = await ask({ port, tls: true, host: "example.org", servername: "example.org", agent });
      statuses.push(answer.status ?? 0);
    }
    return statuses;
  } finally {
    agent.destroy();
  }
}

describe("listen addresses and ports of the layout", () => {
  const render = async (layout: Partial<NginxLayout>) => {
    const { cluster, proxy } = swarmCluster({ proxy: { layout } });
    return { files: await Testing.synth(cluster, { generators: [stacksGenerator] }), proxy };
  };
  /** The first parameter of each server's `listen`. */
  const listens = (conf = "") => [...conf.matchAll(/^ {4}listen ([^\s;]+)/gm)].map((match) => match[1]);

  it("listens on every address, ports 80 and 443, by default", async () => {
    const { files, proxy } = await render({});
    expect(files.get("stacks/front/nginx.conf")).toMatch(/listen 80 default_server;\n {8}listen 443 ssl default_server;/);
    expect(listens(files.get("stacks/front/nginx-site-www.conf"))).toEqual(["80", "443", "443"]);
    expect(proxy.service.props.ports).toMatchObject([
      { published: 80, target: 80 },
      { published: 443, target: 443 },
    ]);
  });

  it("binds the given address and ports, and publishes 80 and 443 to them", async () => {
    const { files, proxy } = await render({ listenAddress: "::1", httpPort: 8080, httpsPort: 8443 });
    expect(files.get("stacks/front/nginx.conf")).toMatch(
      /listen \[::1\]:8080 default_server;\n {8}listen \[::1\]:8443 ssl default_server;/,
    );
    expect(listens(files.get("stacks/front/nginx-site-www.conf"))).toEqual(["[::1]:8080", "[::1]:8443", "[::1]:8443"]);
    expect(proxy.service.props.ports).toMatchObject([
      { published: 80, target: 8080 },
      { published: 443, target: 8443 },
    ]);
  });

  it.each<{ code: string; layout: Partial<NginxLayout>; field: string }>([
    // A port that is not one reaches the Service as the target of the published port, which says so.
    { code: "schema/out-of-range", layout: { httpPort: 0 }, field: "ports[0].target" },
    { code: "schema/out-of-range", layout: { httpsPort: 70000 }, field: "ports[1].target" },
    { code: "nginx/listen-port-shared", layout: { httpPort: 8080, httpsPort: 8080 }, field: "layout.httpsPort" },
  ])("reports $code for $field", async ({ code, layout, field }) => {
    const error = await render(layout).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([{ code, field }]);
  });
});
