import { spawnSync } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { parse, stringify } from "yaml";
import { shortHash } from "../../src/core/hash.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { ConfigError } from "../../src/core/problems.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { type Cluster, FrontProxy, HostFirewall, Node, Service, Stack, StackConfig, Testing } from "../../src/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { repoRoot } from "../helpers/cli.js";
import { stackSchemaErrors } from "../helpers/validators.js";
import { swarmCluster, synthSwarm, writeOut } from "../helpers/swarm-side.fixture.js";

const outDirs: string[] = [];
afterAll(() => outDirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Writes out/ to a temporary folder and checks one stack file with ajv and with the docker CLI. */
function checkStack(files: ReadonlyMap<string, string>, stack: string) {
  const dir = writeOut(files);
  outDirs.push(dir);
  const content = files.get(`stacks/${stack}.yml`) ?? "";
  const schemaErrors = stackSchemaErrors(content);
  const schemaOk = schemaErrors === undefined;
  // `docker stack config` only parses, validates and interpolates: it needs no daemon.
  const docker = spawnSync("docker", ["stack", "config", "-c", path.join(dir, "stacks", `${stack}.yml`)], { encoding: "utf8" });
  if (docker.error) throw docker.error;
  return { schemaOk, schemaErrors, dockerStatus: docker.status, dockerOutput: `${docker.stdout}${docker.stderr}` };
}

function stackOf(files: ReadonlyMap<string, string>, stack: string): StackFile {
  return parse(files.get(`stacks/${stack}.yml`) ?? "") as StackFile;
}

describe("stacks generator", () => {
  it("writes one stack file per Stack, each accepted by the schema and by docker stack config", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    const stacks = [...files.keys()].filter((file) => /^stacks\/[^/]+\.yml$/.test(file)).sort();
    expect(stacks).toEqual(["stacks/front.yml", "stacks/php.yml", "stacks/stats.yml"]);
    for (const file of stacks) {
      const stack = path.basename(file, ".yml");
      expect(files.get(file)?.split("\n")[0]).toBe(`# ${GENERATED_NOTICE}`);
      const result = checkStack(files, stack);
      expect(result.schemaErrors).toBeUndefined();
      expect(result.schemaOk).toBe(true);
      expect(result.dockerOutput).not.toMatch(/error/i);
      expect(result.dockerStatus).toBe(0);
      expect(stackOf(files, stack).version).toBe("3.8");
    }
  });

  it("declares the overlays external, by name, and only those the stack's services join", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    expect(stackOf(files, "front").networks).toEqual({
      appnet: { external: true, name: "appnet" },
      frontnet: { external: true, name: "frontnet" },
    });
    expect(stackOf(files, "php").networks).toEqual({ appnet: { external: true, name: "appnet" } });
    expect(stackOf(files, "front").services?.nginx?.networks).toEqual(["frontnet", "appnet"]);
  });

  it("derives replicas and placement from the tier the service is placed on", async () => {
    const two = stackOf(await synthSwarm(swarmCluster().cluster), "front").services?.nginx;
    expect(two?.deploy?.replicas).toBe(2);
    expect(two?.deploy?.placement).toEqual({ constraints: ["node.labels.type == front"], max_replicas_per_node: 1 });
    expect(two?.ports).toEqual([
      { target: 80, published: 80, protocol: "tcp", mode: "host" },
      { target: 443, published: 443, protocol: "tcp", mode: "host" },
    ]);
    const three = stackOf(await synthSwarm(swarmCluster({ fronts: 3 }).cluster), "front").services?.nginx;
    expect(three?.deploy?.replicas).toBe(3);

    const stats = stackOf(await synthSwarm(swarmCluster().cluster), "stats");
    expect(stats.services?.["node-exporter"]?.deploy?.mode).toBe("global");
    expect(stats.services?.["node-exporter"]?.deploy?.replicas).toBeUndefined();
    expect(stats.services?.prometheus?.deploy?.placement?.constraints).toEqual(["node.role == manager", "node.labels.type == app"]);
    expect(stats.volumes).toEqual({ "prometheus-data": { name: "prometheus-data" } });
  });

  it("updates critical services start-first when a new task can sit beside the old one, stop-first otherwise", async () => {
    const { cluster, phpStack } = swarmCluster();
    new Service(phpStack, "api", { image: "example/api:1", replicas: 2, placement: { tier: "app" }, critical: true });
    const files = await synthSwarm(cluster);
    const services = stackOf(files, "php").services ?? {};
    expect(services.api?.deploy?.update_config).toMatchObject({ order: "start-first", failure_action: "rollback", parallelism: 1 });
    // One task per node on every app node: no spare node to start the new task on.
    expect(services.php?.deploy?.update_config).toMatchObject({ order: "stop-first", failure_action: "rollback" });
    // nginx holds host-mode ports 80/443 on its node.
    expect(stackOf(files, "front").services?.nginx?.deploy?.update_config?.order).toBe("stop-first");
  });

  it("applies a service's overrides over the generated entry", async () => {
    const php = stackOf(await synthSwarm(swarmCluster().cluster), "php").services?.php;
    expect(php?.stop_grace_period).toBe("30s");
    expect(php?.deploy?.labels).toEqual({ "com.example.team": "web" });
    // Objects merge: what the override did not name is kept.
    expect(php?.deploy?.replicas).toBe(3);
    expect(php?.environment).toEqual({ WORDPRESS_DB_HOST: "proxysql:3306", WORDPRESS_DB_USER: "wordpress" });
    expect(Object.keys(php?.environment ?? {})).toEqual(["WORDPRESS_DB_HOST", "WORDPRESS_DB_USER"]);
  });

  it("references secrets as external, never with a value", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    expect(stackOf(files, "php").secrets).toEqual({ wordpress_db_password: { external: true, name: "wordpress_db_password_v1" } });
    expect(files.get("stacks/php.yml")).toContain("# WordPress database password");
  });

  it("names each secret's Docker secret by its version, keeping the key (and so the mount path) stable", async () => {
    const { cluster } = swarmCluster();
    const result = await Testing.synthResult(cluster, { generators: [stacksGenerator], secretVersions: { wordpress_db_password: 3 } });
    const php = result.files.find((file) => file.path === "stacks/php.yml")?.content ?? "";
    expect((parse(php) as StackFile).secrets).toEqual({ wordpress_db_password: { external: true, name: "wordpress_db_password_v3" } });
  });

  it("links configs to the generated files, named after their content", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    const configs = stackOf(files, "front").configs ?? {};
    expect(configs["nginx.conf"]).toEqual({
      name: `front_nginx.conf_${shortHash(files.get("stacks/front/nginx.conf") ?? "")}`,
      file: "./front/nginx.conf",
    });
    expect(configs["nginx-site-www.conf"]?.file).toBe("./front/nginx-site-www.conf");
    expect(stackOf(files, "front").services?.nginx?.configs).toContainEqual({ source: "nginx.conf", target: "/etc/nginx/nginx.conf" });
    expect(stackOf(files, "stats").configs?.["prometheus.yml"]?.file).toBe("./stats/prometheus.yml");

    // A changed nginx.conf gets a new config name (so the deploy rolls nginx); unchanged files keep theirs.
    const changed = stackOf(await synthSwarm(swarmCluster({ proxy: { clientMaxBodySize: "16m" } }).cluster), "front").configs ?? {};
    expect(changed["nginx.conf"]?.name).not.toBe(configs["nginx.conf"]?.name);
    expect(changed["nginx-modsecurity.conf"]?.name).toBe(configs["nginx-modsecurity.conf"]?.name);
  });

  it("writes a StackConfig's content beside its stack file, named by its id", async () => {
    const { cluster, phpStack } = swarmCluster();
    const ini = new StackConfig(phpStack, "php.ini", { contents: () => "memory_limit = 256M\n" });
    new Service(phpStack, "worker", { image: "example/worker:1", configs: [{ config: ini, target: "/usr/local/etc/php/php.ini" }] });
    const files = await synthSwarm(cluster);
    expect(files.get("stacks/php/php.ini")).toBe("memory_limit = 256M\n");
    expect(stackOf(files, "php").configs?.["php.ini"]).toEqual({
      name: `php_php.ini_${shortHash("memory_limit = 256M\n")}`,
      file: "./php/php.ini",
    });
  });

  it("refuses a StackConfig mounted from another stack, before any file is written", async () => {
    const { cluster, phpStack } = swarmCluster();
    const ini = new StackConfig(new Stack(cluster, "other"), "php.ini", { contents: "x" });
    new Service(phpStack, "worker", { image: "example/worker:1", configs: [{ config: ini, target: "/usr/local/etc/php/php.ini" }] });
    const error = await synthSwarm(cluster).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      { code: "stack/config-in-other-stack", construct: "cluster/php/worker", field: "configs" },
    ]);
  });

  it("a broken override stops the build, and docker would have refused it too", async () => {
    const { cluster, php } = swarmCluster();
    const unchecked = stackOf(await synthSwarm(cluster), "php");
    php.override({ deploy: { replicas: "two" as unknown as number } });
    const error = await synthSwarm(cluster).catch((thrown: unknown) => thrown);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      { code: "output/stack-schema", construct: "cluster/php/php", field: "services.php.deploy.replicas" },
    ]);
    // The file the build refused, as docker would have read it.
    const php3 = unchecked.services?.php;
    if (!php3?.deploy) throw new Error("php has no deploy section");
    const refused = { ...unchecked, services: { php: { ...php3, deploy: { ...php3.deploy, replicas: "two" } } } };
    const result = checkStack(new Map([["stacks/php.yml", stringify(refused)]]), "php");
    expect(result.schemaErrors).toMatch(/\/services\/php\/deploy\/replicas must be integer/);
    expect(result.dockerStatus).not.toBe(0);
    expect(result.dockerOutput).toMatch(/replicas/);
  });

  it("writes `$` in the model's values so that docker passes them on unchanged instead of substituting variables", async () => {
    const { cluster, phpStack } = swarmCluster();
    const written = "costs $HOME, ${HOME} or $$5";
    const service = new Service(phpStack, "api", {
      image: "example/api:1",
      placement: { tier: "app" },
      environment: { PRICE: written },
      entrypoint: ["/bin/sh", "-c"],
      command: [`echo "${written}"`],
      healthcheck: { test: ["CMD-SHELL", `test -n "$PRICE"`] },
    });
    service.override({ labels: { home: "${HOME}" } });
    const files = await synthSwarm(cluster);
    const result = checkStack(files, "php");
    expect(result.dockerStatus, result.dockerOutput).toBe(0);
    // What `docker stack config` prints is the stack after interpolation: what the containers get.
    const api = (parse(result.dockerOutput) as StackFile).services?.api;
    expect(api?.environment).toEqual({ PRICE: written });
    expect(api?.command).toEqual([`echo "${written}"`]);
    expect(api?.healthcheck?.test).toEqual(["CMD-SHELL", `test -n "$PRICE"`]);
    // Overrides stay raw stack-file text: there, `${HOME}` is docker's substitution.
    expect(api?.labels).toEqual({ home: process.env.HOME });
  });

  it("gives nginx and php-fpm the site's volume at one document root, and the certificates as a named volume", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    const front = stackOf(files, "front");
    const php = stackOf(files, "php");
    // nginx reads static files (read-only) where php-fpm has the code: the path nginx passes as
    // SCRIPT_FILENAME exists in both, and is where the wordpress fpm image keeps its code.
    // The status sockets' folders are node-local volumes of their own stack, shared with the metrics exporters.
    // Without a LetsEncrypt construct, the certificates are read from a volume, mounted last (once the tree is prepared).
    expect(front.services?.nginx?.volumes).toEqual([
      "www-www:/var/www/html:ro",
      "nginx-status:/run/nginx-status",
      "letsencrypt:/etc/letsencrypt:ro",
    ]);
    expect(php.services?.php?.volumes).toEqual(["www-www:/var/www/html", "php-fpm-status:/run/php-fpm-status"]);
    // No bind mount: Swarm rejects a task whose bind source is missing on the node, and nothing creates it.
    expect(front.services?.nginx?.volumes?.some((volume) => typeof volume === "string" && volume.startsWith("/"))).toBe(false);
    // Named explicitly, or Docker would scope them per stack (front_www-www, php_www-www): two volumes.
    expect(front.volumes).toEqual({
      letsencrypt: { name: "letsencrypt" },
      "nginx-status": { name: "nginx-status" },
      "www-www": { name: "www-www" },
    });
    expect(php.volumes).toEqual({ "php-fpm-status": { name: "php-fpm-status" }, "www-www": { name: "www-www" } });
  });

  it("requires a registry-qualified nginx image: no default a node would pull from Docker Hub", async () => {
    const { cluster, site, frontnet, php } = swarmCluster();
    const build = () =>
      // @ts-expect-error `image` is required
      new FrontProxy(cluster, "no-image", {
        stack: new Stack(cluster, "front2"),
        sites: [site],
        networks: [frontnet],
        php,
        serviceName: "nginx2",
      });
    expect(build().service.props.image).toBeUndefined();
    const front = stackOf(await synthSwarm(swarmCluster().cluster), "front");
    expect(front.services?.nginx?.image).toBe("sw-node-1.swarm.internal:5000/nginx-waf:1.26");
  });

  it("runs node-exporter on every node's host network, without a published port, reading the host's file systems", async () => {
    const files = await synthSwarm(swarmCluster().cluster);
    const stats = stackOf(files, "stats");
    const exporter = stats.services?.["node-exporter"];
    // Docker's own `host` network, joined as an external network under a key of the stack's.
    expect(stats.networks).toEqual({ appnet: { external: true, name: "appnet" }, hostnet: { external: true, name: "host" } });
    expect(exporter?.networks).toEqual(["hostnet"]);
    expect(stats.services?.prometheus?.networks).toEqual(["appnet"]);
    expect(exporter?.deploy?.mode).toBe("global");
    expect(exporter?.ports).toBeUndefined();
    expect(exporter?.command).toEqual([
      "--path.procfs=/host/proc",
      "--path.sysfs=/host/sys",
      "--path.rootfs=/host",
      "--web.listen-address=:9100",
    ]);
    expect(exporter?.volumes).toContain("/:/host:ro,rslave");
    // Swarm resolves the template per task: node_uname_info{nodename} then names the node.
    expect(exporter?.hostname).toBe("{{.Node.Hostname}}");
    // The docker CLI accepts the external `host` network and keeps the service on it.
    const result = checkStack(files, "stats");
    expect(result.schemaErrors).toBeUndefined();
    expect(result.dockerStatus).toBe(0);
    const resolved = parse(result.dockerOutput.slice(result.dockerOutput.indexOf("version:"))) as StackFile;
    expect(resolved.networks?.hostnet).toEqual({ external: true, name: "host" });
    expect(resolved.services?.["node-exporter"]?.networks).toEqual({ hostnet: null });
  });

  it("refuses a service on both the host network and an overlay", async () => {
    const { cluster, phpStack, appnet } = swarmCluster();
    new Service(phpStack, "agent", { image: "example/agent:1", mode: "global", hostNetwork: true, networks: [appnet] });
    const error = await synthSwarm(cluster).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      { code: "stack/host-network-with-overlays", construct: "cluster/php/agent", field: "networks" },
    ]);
  });

  it("warns when node-exporter answers on public addresses no HostFirewall covers", () => {
    const codes = (cluster: Cluster) => analyseHa(cluster).findings.filter((finding) => finding.code === "monitoring/node-exporter-public");
    // Private-only nodes: nothing to warn about.
    expect(codes(swarmCluster().cluster)).toEqual([]);
    const { cluster } = swarmCluster();
    new Node(cluster, "sw-front-9", { tier: "front", privateIp: "10.10.1.19", publicIp: "203.0.113.19" });
    expect(codes(cluster)).toMatchObject([
      {
        severity: "warning",
        construct: "cluster/stats/node-exporter",
        message: expect.stringMatching(/sw-front-9/),
        hint: expect.stringMatching(/declare a HostFirewall/),
      },
    ]);
    new HostFirewall(cluster, "firewall");
    expect(codes(cluster)).toEqual([]);
  });

  it("is deterministic", async () => {
    const first = await synthSwarm(swarmCluster().cluster);
    const second = await synthSwarm(swarmCluster().cluster);
    expect([...second]).toEqual([...first]);
  });
});

// The committed builds of the two shipped configs (build-cli.test.ts and snapshots.test.ts keep them equal to
// a fresh build).
describe.each([
  ["reference", "out"],
  ["seed-literal", "snapshots/seed-literal"],
])("the %s config's management and monitoring stacks", (name, built) => {
  const stack = (file: string) => parse(readFileSync(path.join(repoRoot, built, "stacks", `${file}.yml`), "utf8")) as StackFile;

  it("keeps Portainer and its Docker-socket agents on their own overlay, publishing nothing", () => {
    const mng = stack("mng");
    // The reference serves Portainer under the fronts' admin entry, which reaches it over appnet; the agents,
    // which hold the Docker socket, stay on mngnet alone.
    const portainerNetworks = name === "reference" ? ["mngnet", "appnet"] : ["mngnet"];
    expect(Object.keys(mng.networks ?? {}).sort()).toEqual([...portainerNetworks].sort());
    expect(mng.services?.agent?.networks).toEqual(["mngnet"]);
    expect(mng.services?.portainer?.networks).toEqual(portainerNetworks);
    for (const service of ["agent", "portainer"]) expect(mng.services?.[service]?.ports).toBeUndefined();
    const networks = readFileSync(path.join(repoRoot, built, "swarm", "networks.sh"), "utf8");
    expect(networks).toMatch(
      /docker network create --driver overlay --attachable --subnet 192\.168\.19\.0\/24 --opt encrypted .* mngnet$/m,
    );
  });

  it("pins the services with node-local data volumes to the first manager", () => {
    expect(stack("mng").services?.portainer?.deploy?.placement?.constraints).toEqual(["node.hostname == sw-node-1"]);
    expect(stack("stats").services?.prometheus?.deploy?.placement?.constraints).toEqual(["node.hostname == sw-node-1"]);
  });

  it("pulls nginx from the internal registry on the first manager, tagged with its build context's hash", () => {
    expect(stack("front").services?.nginx?.image).toMatch(/^sw-node-1\.swarm\.internal:5000\/nginx-waf:[0-9a-f]{16}$/);
  });
});
