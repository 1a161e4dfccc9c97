// Unit tests of the PHP family: the pool sized from the model's memory, and the checks that stop a build.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { FrontProxy, Node, Site, Stack, Testing, type PhpFpmProps } from "../../src/index.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { phpCluster } from "./php.fixture.js";

async function synth(props: Partial<PhpFpmProps>, nodeMemory?: string | null) {
  return Testing.synthResult(phpCluster(props, nodeMemory).cluster, { generators: [stacksGenerator] });
}

async function problemsOf(props: Partial<PhpFpmProps>, nodeMemory?: string | null) {
  const error = await synth(props, nodeMemory).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return (error as ConfigError).problems;
}

const setting = (pool: string | undefined, key: string): string | undefined =>
  new RegExp(`^${key.replace(".", "\\.")} = (.*)$`, "m").exec(pool ?? "")?.[1];

describe("PhpFpm", () => {
  it("sizes the seed's pool from a 256M task: (256 − 128 opcache) / 32 = 4 workers, 3 started, 2 to 4 spare", async () => {
    const result = await synth({ memoryLimit: "256M" });
    const pool = result.files.find((file) => file.path === "stacks/php/php-www.conf")?.content;
    expect([
      setting(pool, "pm"),
      setting(pool, "pm.max_children"),
      setting(pool, "pm.start_servers"),
      setting(pool, "pm.min_spare_servers"),
      setting(pool, "pm.max_spare_servers"),
      setting(pool, "pm.max_requests"),
    ]).toEqual(["dynamic", "4", "3", "2", "4", "200"]);
    expect(setting(pool, "pm.status_path")).toBe("/fpm-status");
    expect(setting(pool, "ping.path")).toBe("/fpm-ping");
  });

  it("without a task limit, sizes the pool from half the smallest app node's memory", async () => {
    const result = await synth({}, "2G");
    const pool = result.files.find((file) => file.path === "stacks/php/php-www.conf")?.content;
    // (1024 − 128) / 32
    expect(setting(pool, "pm.max_children")).toBe("28");
    expect(pool).toContain("half the memory of sw-node-1 (2G), the smallest node it runs on");
  });

  it("mounts php.ini and the pool into the php-fpm service as Docker configs", async () => {
    const result = await synth({ memoryLimit: "256M" });
    const stack = result.files.find((file) => file.path === "stacks/php.yml")?.content ?? "";
    expect(stack).toMatch(/- source: php\.ini\n\s+target: \/usr\/local\/etc\/php\/php\.ini/);
    expect(stack).toMatch(/- source: php-www\.conf\n\s+target: \/usr\/local\/etc\/php-fpm\.d\/www\.conf/);
  });

  it("warns when the memory holds a single worker, and refuses a pool of none", async () => {
    const tiny = await synth({ memoryLimit: "160M" });
    expect(tiny.problems).toMatchObject([
      { severity: "warning", code: "php/pool-tiny", construct: "cluster/php-fpm", field: "memoryLimit" },
    ]);
    expect(await problemsOf({ memoryLimit: "128M" })).toMatchObject([
      { code: "php/pool-empty", field: "memoryLimit", message: expect.stringContaining("pm.max_children would be 0") },
    ]);
  });

  it("refuses a pool it cannot size, and a memory limit above the nodes' memory", async () => {
    expect(await problemsOf({}, null)).toMatchObject([{ code: "php/no-memory-budget" }]);
    expect(await problemsOf({ memoryLimit: "8G" }, "4G")).toMatchObject([{ code: "php/memory-limit-above-node", field: "memoryLimit" }]);
  });

  it("refuses an unknown extension with the name it most likely meant", async () => {
    expect(await problemsOf({ memoryLimit: "256M", extensions: ["gd", "igbinery", "no-such-thing"] })).toMatchObject([
      {
        code: "php/unknown-extension",
        field: "extensions[1]",
        message: '"igbinery" is not a PHP extension known here: did you mean "igbinary"?',
      },
      { code: "php/unknown-extension", field: "extensions[2]", message: '"no-such-thing" is not a PHP extension known here' },
    ]);
  });

  it("refuses a status path nginx would pass to php-fpm (*.php), and php.ini values that would break the file", async () => {
    const problems = await problemsOf({
      memoryLimit: "256M",
      statusPath: "/status.php",
      ini: { postMaxSize: "8M\nallow_url_include = On" },
    });
    expect(problems.map((problem) => `${problem.code} ${problem.field}`)).toEqual([
      "php/ini-value-invalid ini.postMaxSize",
      "php/path-invalid statusPath",
    ]);
  });

  it("refuses a port, process manager or user php-fpm would not take", async () => {
    const problems = await problemsOf({ memoryLimit: "256M", port: 70000, pm: "ondemand" as "static", user: "www data" });
    expect(problems.map((problem) => `${problem.code} ${problem.field}`)).toEqual([
      "php/pm-invalid pm",
      "php/port-invalid port",
      "php/ini-value-invalid user",
    ]);
  });

  it("refuses a pool on another port than the one the front passes PHP to", async () => {
    const { cluster, php } = phpCluster({ memoryLimit: "256M", port: 9001 });
    const site = new Site(cluster, "www", { domains: ["example.org"] });
    new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11" });
    new FrontProxy(cluster, "web", {
      stack: new Stack(cluster, "front"),
      sites: [site],
      networks: php.service.networks,
      php: php.service,
      image: "registry.internal:5000/nginx-waf:1.26",
    });
    const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toContainEqual(
      expect.objectContaining({
        code: "php/front-port-mismatch",
        field: "port",
        message: "cluster/web passes PHP to port 9000, but the pool listens on 9001",
      }),
    );
  });

  it("an unknown extension in a config: exit 1, located at the PhpFpm's declaration, with the fix", () => {
    const result = runCli(["build", "--check", "--config", path.join(repoRoot, "test/php/fixtures/unknown-extension.config.ts")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(
      /unknown-extension\.config\.ts:13:\d+: error php\/unknown-extension: cluster\/php-fpm \(field `extensions\[3\]`\): "sokets" is not a PHP extension known here: did you mean "sockets"\?/,
    );
    expect(result.stderr).toContain('fix: write "sockets"');
  });
});
