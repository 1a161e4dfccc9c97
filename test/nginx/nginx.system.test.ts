import { stacksGenerator } from "../../generators/stacks/index.js";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { parseNginxVersion, usesHttp2Directive } from "../../generators/nginx/version.js";
import { renderNginxConf, renderSiteConf } from "../../generators/nginx/render.js";
import { frontProxyValueProblems } from "../../generators/nginx/value-checks.js";
import { ConfigError } from "../../src/core/problems.js";
import { Cluster, FrontProxy, Node, OverlayNetwork, Service, Site, Stack, Testing, type NginxLayout } from "../../src/index.js";
import { installedNginxVersion, renderDebianNginx } from "./nginx-debian.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-nginx-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * The generated configuration, with only the layout (version and paths inside the image) pointed at this
 * machine's Debian nginx, written where the layout says and checked by `nginx -t`.
 */
async function nginxCheck(name: string, layout: Partial<NginxLayout> = {}, edit?: (files: Map<string, string>, proxy: FrontProxy) => void) {
  const dir = path.join(work, name);
  let proxy: FrontProxy | undefined;
  const files = await renderDebianNginx(
    dir,
    (rendered) => {
      const built = swarmCluster({ proxy: { layout: rendered } });
      proxy = built.proxy;
      return built.cluster;
    },
    { layout, ...(edit ? { edit: (generated: Map<string, string>) => edit(generated, proxy as FrontProxy) } : {}) },
  );
  // nginx opens /dev/stdout for the access log: give it a file, as Docker gives it a pipe (node's own stdio
  // pipes are sockets, which /dev/stdout cannot be opened on).
  const logPath = path.join(dir, "nginx-t.log");
  const log = openSync(logPath, "w");
  const run = spawnSync(
    "nginx",
    ["-t", "-p", dir, "-c", path.join(dir, "nginx.conf"), "-g", `pid ${dir}/nginx.pid; error_log stderr notice;`],
    {
      stdio: ["ignore", log, log],
    },
  );
  closeSync(log);
  return { status: run.status, output: readFileSync(logPath, "utf8"), files };
}

describe("nginx generator", () => {
  it("passes the real nginx -t with ModSecurity and the OWASP CRS loaded", async () => {
    const { status, output } = await nginxCheck("valid");
    expect(output).toContain("test is successful");
    expect(status).toBe(0);
    // The connector reports the rules it parsed: the CRS is several hundred, our own base rules a handful.
    const loaded = /rules loaded inline\/local\/remote: (\d+)\/(\d+)\/(\d+)/.exec(output);
    expect(loaded, output).not.toBeNull();
    expect(Number(loaded?.[2])).toBeGreaterThan(500);
  });

  it("fails nginx -t when the CRS is not where the layout says", async () => {
    const { status, output } = await nginxCheck("no-crs", { crsSetup: "/nonexistent/crs-setup.conf" });
    expect(status).not.toBe(0);
    expect(output).toMatch(/Rules error.*\/nonexistent\/crs-setup\.conf: Not able to open file/);
  });

  it("fails nginx -t, or warns, when rendered for an nginx on the other side of 1.25.1 than the one running", async () => {
    const installed = parseNginxVersion(installedNginxVersion()) ?? [0, 0, 0];
    const other = usesHttp2Directive(installed) ? "1.24.0" : "1.26.0";
    const { status, output, files } = await nginxCheck("other-version", { nginxVersion: other });
    const site = files.get("stacks/front/nginx-site-www.conf") ?? "";
    if (usesHttp2Directive(installed)) {
      // A newer nginx still accepts the old parameter, with a deprecation warning on every start.
      expect(site).toContain("listen 443 ssl http2;");
      expect(output).toMatch(/"listen \.\.\. http2" directive is deprecated/);
    } else {
      expect(site).toContain("http2 on;");
      expect(status).not.toBe(0);
      expect(output).toMatch(/unknown directive "http2"/);
    }
  });

  it("fails nginx -t without the ModSecurity module", async () => {
    const { status, output } = await nginxCheck("no-module", { modsecurityModule: "/nonexistent/ngx_http_modsecurity_module.so" });
    expect(status).not.toBe(0);
    expect(output).toMatch(/ngx_http_modsecurity_module\.so/);
  });

  it("fails nginx -t on a broken site file", async () => {
    const { status, output } = await nginxCheck("broken", {}, (files) => {
      files.set(
        "stacks/front/nginx-site-www.conf",
        (files.get("stacks/front/nginx-site-www.conf") ?? "").replace("return 301", "retrun 301"),
      );
    });
    expect(status).not.toBe(0);
    expect(output).toMatch(/unknown directive "retrun"/);
  });

  // What the build refuses, rendered anyway (the renderers do not validate) and handed to the real nginx.
  it.each([
    {
      value: "a user-agent pattern with a quote",
      settings: { blockedUserAgents: ['bot" 0; default 1; "x'] },
      code: "nginx/user-agent-pattern-invalid",
      // The quote closed the map key, and the rest declared a second default: every visitor blocked.
      nginx: /duplicate default map parameter/,
    },
    {
      value: "a body size that is not a size",
      settings: { clientMaxBodySize: "lots" },
      code: "nginx/size-invalid",
      nginx: /"client_max_body_size" directive invalid value/,
    },
    {
      value: "a resolver with a directive after it",
      settings: { resolver: "127.0.0.11 valid=1s; autoindex" },
      code: "nginx/unsafe-argument",
      nginx: /invalid number of arguments in "autoindex" directive/,
    },
  ])("refuses $value, on which nginx -t would have failed", async ({ settings, code, nginx }) => {
    const { proxy } = swarmCluster();
    const refused = frontProxyValueProblems({
      at: proxy,
      settings: { ...proxy.settings, ...settings },
      phpPort: 9000,
      replicas: undefined,
    });
    expect(refused.map((problem) => problem.code)).toEqual([code]);
    const { status, output } = await nginxCheck(`refused-${code.split("/")[1]}`, {}, (files, built) => {
      files.set("stacks/front/nginx.conf", renderNginxConf({ ...built.settings, ...settings }));
    });
    expect(status, output).not.toBe(0);
    expect(output).toMatch(nginx);
  });

  it("refuses a document root that adds a directive, which nginx -t would have taken silently", async () => {
    const root = "/var/www/html; autoindex on";
    const { cluster } = swarmCluster();
    new Site(cluster, "blog", { domains: ["blog.example.org"], root });
    const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect((error as ConfigError).problems).toContainEqual(
      expect.objectContaining({ code: "site/root-not-a-plain-path", construct: "cluster/blog", field: "root" }),
    );
    // Rendered anyway: nginx accepts it, with directory listings turned on for the whole site.
    const { status, output, files } = await nginxCheck("refused-root", {}, (generated, built) => {
      const injected = new Site(Testing.cluster(), "www", { domains: [...(built.sites[0]?.domains ?? [])], root });
      generated.set("stacks/front/nginx-site-www.conf", renderSiteConf(built.settings, injected));
    });
    expect(files.get("stacks/front/nginx-site-www.conf")).toContain("root /var/www/html; autoindex on;");
    expect(output).toContain("test is successful");
    expect(status).toBe(0);
  });

  it("writes the front's settings: limits, WAF, TLS and the PHP hand-off", async () => {
    const { cluster } = swarmCluster();
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect([...files.keys()].filter((f) => f.startsWith("stacks/front/")).sort()).toEqual([
      "stacks/front/nginx-modsecurity.conf",
      "stacks/front/nginx-page-403.html",
      "stacks/front/nginx-page-404.html",
      "stacks/front/nginx-page-410.html",
      "stacks/front/nginx-page-5xx.html",
      "stacks/front/nginx-site-www.conf",
      "stacks/front/nginx.conf",
    ]);
    const main = files.get("stacks/front/nginx.conf") ?? "";
    expect(main.split("\n")[0]).toBe(`# ${GENERATED_NOTICE}`);
    for (const directive of [
      "load_module modules/ngx_http_modsecurity_module.so;",
      "worker_processes auto;",
      "worker_connections 2048;",
      "multi_accept on;",
      "keepalive_timeout 5;",
      "client_max_body_size 2048m;",
      "server_tokens off;",
      "gzip_comp_level 6;",
      "limit_req_zone $rate_limit_key zone=per_ip:10m rate=1r/s;",
      "modsecurity on;",
      "modsecurity_rules_file /etc/nginx/modsecurity/main.conf;",
      "include /etc/nginx/sites/*.conf;",
    ])
      expect(main).toContain(directive);
    expect(main).toMatch(/10\.0\.0\.0\/8 0;/);

    const modsecurity = files.get("stacks/front/nginx-modsecurity.conf") ?? "";
    for (const directive of ["SecRuleEngine On", "SecRequestBodyAccess On", "SecAuditLogFormat JSON", "SecAuditLog /dev/stdout"]) {
      expect(modsecurity).toContain(directive);
    }
    expect(modsecurity).toMatch(
      /^Include \/etc\/nginx\/modsecurity\/crs\/crs-setup\.conf\nInclude \/etc\/nginx\/modsecurity\/crs\/rules\/\*\.conf$/m,
    );

    const site = files.get("stacks/front/nginx-site-www.conf") ?? "";
    expect(site).toContain("ssl_certificate /etc/letsencrypt/live/example.org/fullchain.pem;");
    // TLS settings apply to the port's default server first, so they sit in http (test/security grades them).
    expect(main).toContain("ssl_protocols TLSv1.2 TLSv1.3;");
    expect(main).toContain("ssl_session_cache shared:SSL:10m;");
    expect(main).toContain("ssl_session_tickets off;");
    expect(site).not.toContain("ssl_protocols");
    expect(site).toContain('add_header Strict-Transport-Security "max-age=63072000; includeSubDomains" always;');
    expect(site).toContain("add_header X-Frame-Options DENY always;");
    expect(site).toContain("set $php_upstream php:9000;");
    // The document root is where the site's volume is mounted, in nginx and in php-fpm alike.
    expect(site).toContain("root /var/www/html;");
    expect(site).toContain("fastcgi_param SCRIPT_FILENAME $document_root$fastcgi_script_name;");
    expect(site).toMatch(/return 301 https:\/\/example\.org\$request_uri;/);
    // The deny rules come before the PHP location: nginx takes the first matching regex location.
    expect(site.indexOf("ya?ml|log|zip|tar|gz")).toBeLessThan(site.indexOf("location ~ \\.php$"));
  });

  it("builds a second FrontProxy in its own stack: out/ paths follow the stack and the config's id", async () => {
    const { cluster, site, frontnet, appnet, php } = swarmCluster();
    new FrontProxy(cluster, "other-proxy", {
      stack: new Stack(cluster, "front2"),
      sites: [site],
      networks: [frontnet, appnet],
      php,
      image: "registry.example:5000/nginx-waf:1.26",
      serviceName: "nginx2",
      placement: { tier: "app" },
    });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect(files.get("stacks/front/nginx.conf")).toContain("modsecurity on;");
    expect(files.get("stacks/front2/nginx2.conf")).toBe(files.get("stacks/front/nginx.conf"));
    expect(files.get("stacks/front2/nginx2-site-www.conf")).toBe(files.get("stacks/front/nginx-site-www.conf"));
  });

  it("derives the FastCGI upstream from the php Service's name and port", () => {
    const { proxy } = smallFront({ phpName: "fpm", phpPort: 9001 });
    expect(proxy.settings.fastcgiUpstream).toBe("fpm:9001");
  });

  it.each([
    ["1.22.1", false],
    ["1.25.0", false],
    ["1.25.1", true],
    ["1.26", true],
    ["1.27.3", true],
    ["2.0", true],
  ] as const)("nginx %s takes the http2 directive: %s", (version, directive) => {
    const parsed = parseNginxVersion(version);
    expect(parsed).toBeDefined();
    expect(usesHttp2Directive(parsed ?? [0, 0, 0])).toBe(directive);
  });

  it("renders the HTTP/2 syntax of the image's nginx version, 1.26 by default", async () => {
    const render = async (layout: Partial<NginxLayout>) => {
      const { cluster } = swarmCluster({ proxy: { layout } });
      return (await Testing.synth(cluster, { generators: [stacksGenerator] })).get("stacks/front/nginx-site-www.conf") ?? "";
    };
    const current = await render({});
    expect(current.match(/^ {4}listen 443 ssl;\n {4}http2 on;$/gm)).toHaveLength(2);
    expect(current).not.toContain("ssl http2");
    const old = await render({ nginxVersion: "1.22.1" });
    expect(old.match(/^ {4}listen 443 ssl http2;$/gm)).toHaveLength(2);
    expect(old).not.toContain("http2 on;");
  });

  it("accepts smallFront's defaults, so each problem row below is caused by its one change", async () => {
    const { cluster } = smallFront({});
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect(files.get("stacks/front/nginx-site-www.conf")).toContain("set $php_upstream php:9000;");
  });

  it.each<{ code: string; options: SmallFrontOptions; field: string }>([
    { code: "nginx/version-unreadable", options: { nginxVersion: "latest" }, field: "layout.nginxVersion" },
    { code: "nginx/php-unreachable", options: { phpNetwork: "dbnet" }, field: "php" },
    { code: "nginx/site-volume-not-in-php", options: { phpMountsSites: false }, field: "php" },
    { code: "nginx/shared-site-root", options: { sites: [{ name: "www" }, { name: "blog" }] }, field: "sites" },
  ])("reports $code", async ({ code, options, field }) => {
    const { cluster } = smallFront(options);
    const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([{ code, construct: "cluster/front-proxy", field }]);
  });
});

interface SmallFrontOptions {
  readonly nginxVersion?: string;
  /** The overlay php-fpm joins; nginx joins frontnet and appnet. @default "appnet" */
  readonly phpNetwork?: "appnet" | "dbnet";
  /** @default true */
  readonly phpMountsSites?: boolean;
  /** @default [{ name: "www" }] */
  readonly sites?: readonly { name: string; root?: string }[];
  readonly phpName?: string;
  readonly phpPort?: number;
}

/** One front, one app node and a FrontProxy whose php side each row of the problem table breaks one way. */
function smallFront(options: SmallFrontOptions) {
  const cluster = new Cluster({
    name: "small",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11" });
  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  const network = (name: string, subnet: string) => new OverlayNetwork(cluster, name, { subnet, mtu: 1400 });
  const [frontnet, appnet, dbnet] = [
    network("frontnet", "192.168.18.0/24"),
    network("appnet", "192.168.17.0/24"),
    network("dbnet", "192.168.16.0/24"),
  ];
  const phpStack = new Stack(cluster, "php");
  const sites = (options.sites ?? [{ name: "www" }]).map(
    (site) => new Site(cluster, site.name, { domains: [`${site.name}.example.org`], ...(site.root ? { root: site.root } : {}) }),
  );
  const php = new Service(phpStack, options.phpName ?? "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    networks: [options.phpNetwork === "dbnet" ? dbnet : appnet],
    volumes: options.phpMountsSites === false ? [] : sites.map((site) => site.volumeMount()),
  });
  const proxy = new FrontProxy(cluster, "front-proxy", {
    stack: new Stack(cluster, "front"),
    sites,
    networks: [frontnet, appnet],
    php,
    ...(options.phpPort ? { phpPort: options.phpPort } : {}),
    image: "registry.example:5000/nginx-waf:1.26",
    ...(options.nginxVersion ? { layout: { nginxVersion: options.nginxVersion } } : {}),
  });
  return { cluster, proxy };
}
