// Real programs run for real: Debian's php-fpm 8.2 tests the generated php.ini and www pool (`php-fpm8.2 -t`)
// and, started on loopback with them, answers the ping and status pages to cgi-fcgi (a FastCGI client); Debian's PHP 8.2 CLI
// reads the generated php.ini and reports the settings in force (ini_get), and runs the extension check the
// service's health check runs.
import { spawn, spawnSync } from "node:child_process";
import { createServer } from "node:net";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { Testing, type PhpFpmProps } from "../../src/index.js";
import { phpCluster } from "./php.fixture.js";

/** A free loopback port, for a php-fpm this test starts. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-php-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Generated {
  readonly dir: string;
  readonly phpIni: string;
  readonly pool: string;
  readonly stack: string;
}

async function generate(name: string, props: Partial<PhpFpmProps>, nodeMemory?: string | null): Promise<Generated> {
  const files = await Testing.synth(phpCluster(props, nodeMemory).cluster, { generators: [stacksGenerator] });
  const dir = path.join(work, name);
  const phpIni = files.get("stacks/php/php.ini") ?? "";
  const pool = files.get("stacks/php/php-www.conf") ?? "";
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, "php.ini"), phpIni);
  writeFileSync(path.join(dir, "www.conf"), pool);
  return { dir, phpIni, pool, stack: files.get("stacks/php.yml") ?? "" };
}

/**
 * `php-fpm8.2 -t` on the generated pool and php.ini. The image's php-fpm.conf holds only the [global]
 * section and includes the pools; the test writes the same minimal one around the generated pool.
 */
function fpmTest(dir: string, pool = "www.conf"): { status: number | null; output: string } {
  const global = path.join(dir, "php-fpm.conf");
  writeFileSync(global, `[global]\nerror_log = ${path.join(dir, "php-fpm.log")}\ninclude = ${path.join(dir, pool)}\n`);
  const run = spawnSync("php-fpm8.2", ["-t", "-y", global, "-c", path.join(dir, "php.ini")], { encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function php(dir: string, code: string): { status: number | null; stdout: string; stderr: string } {
  const run = spawnSync("php", ["-c", path.join(dir, "php.ini"), "-r", code], { encoding: "utf8" });
  if (run.error) throw run.error;
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

describe("php-fpm and PHP read the generated files", () => {
  it.each([
    ["the seed's pool (256M limit)", { memoryLimit: "256M" }, undefined, 4],
    ["a pool sized from the nodes' memory", {}, "4G", 60],
    ["a static pool", { memoryLimit: "1G", pm: "static" as const }, undefined, 28],
    ["a one-worker pool", { memoryLimit: "160M" }, undefined, 1],
  ])("php-fpm8.2 -t accepts %s", async (name, props, nodeMemory, children) => {
    const generated = await generate(name.replace(/\W+/g, "-"), props, nodeMemory);
    expect(generated.pool).toContain(`pm.max_children = ${children}\n`);
    const result = fpmTest(generated.dir);
    expect(result.output).toContain("test is successful");
    expect(result.status, result.output).toBe(0);
  });

  it("php-fpm8.2 -t accepts the reference cluster's committed out/stacks/php/ files", () => {
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../out/stacks/php");
    const dir = path.join(work, "reference");
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(out, "php.ini"), path.join(dir, "php.ini"));
    copyFileSync(path.join(out, "php-www.conf"), path.join(dir, "www.conf"));
    const result = fpmTest(dir);
    expect(result.status, result.output).toBe(0);
    expect(result.output).toContain("test is successful");
  });

  it("refuses a planted bad pool (more servers at start than spares allowed): the check can fail", async () => {
    const generated = await generate("bad-pool", { memoryLimit: "256M" });
    writeFileSync(path.join(generated.dir, "bad.conf"), generated.pool.replace("pm.start_servers = 3", "pm.start_servers = 9"));
    const result = fpmTest(generated.dir, "bad.conf");
    expect(result.status).not.toBe(0);
    expect(result.output).toContain(
      "pm.start_servers(9) must not be less than pm.min_spare_servers(2) and not greater than pm.max_spare_servers(4)",
    );
  });

  it("PHP runs with the seed's settings from the generated php.ini (ini_get)", async () => {
    const generated = await generate("ini", { memoryLimit: "256M", ini: { postMaxSize: "16M" } });
    const names = [
      "post_max_size",
      "variables_order",
      "short_open_tag",
      "file_uploads",
      "memory_limit",
      "display_errors",
      "log_errors",
      "expose_php",
      "opcache.memory_consumption",
      "opcache.validate_timestamps",
      "session.cookie_httponly",
    ];
    const run = php(generated.dir, `echo json_encode(array_map("ini_get", ${JSON.stringify(names)}));`);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe("");
    const values = Object.fromEntries(names.map((name, index) => [name, (JSON.parse(run.stdout) as string[])[index]]));
    expect(values).toEqual({
      post_max_size: "16M",
      variables_order: "GPCS",
      short_open_tag: "",
      file_uploads: "",
      memory_limit: "128M",
      display_errors: "",
      log_errors: "1",
      expose_php: "",
      "opcache.memory_consumption": "128",
      "opcache.validate_timestamps": "1",
      "session.cookie_httponly": "1",
    });
  });

  it("php-fpm itself runs with cgi.fix_pathinfo off (a setting of the FPM SAPI only, so read from php-fpm -i)", async () => {
    const generated = await generate("fix-pathinfo", { memoryLimit: "256M" });
    const setting = (args: string[]) => {
      const run = spawnSync("php-fpm8.2", [...args, "-i"], { encoding: "utf8" });
      if (run.error) throw run.error;
      return /^cgi\.fix_pathinfo => (\w+)/m.exec(run.stdout)?.[1];
    };
    expect(setting(["-n"])).toBe("On");
    expect(setting(["-c", path.join(generated.dir, "php.ini")])).toBe("Off");
  });

  it("the health check's extension test passes when PHP has every listed extension, and fails when one is missing", async () => {
    // Debian's php8.2-cli has exif, sockets and opcache; ldap is a package of its own (php8.2-ldap) that no test
    // installs (the lab and the images install igbinary, redis, gd, mysql and zip).
    const healthCheck = async (name: string, extensions: string[]) => {
      const generated = await generate(name, { memoryLimit: "256M", extensions });
      const stack = parse(generated.stack) as { services: { php: { healthcheck: { test: string[] } } } };
      const [cmd, program, flag, code] = stack.services.php.healthcheck.test;
      expect([cmd, program, flag]).toEqual(["CMD", "php", "-r"]);
      return php(generated.dir, code ?? "").status;
    };
    expect(await healthCheck("present", ["exif", "sockets", "opcache"])).toBe(0);
    const ldapHere = spawnSync("php", ["-r", 'exit(extension_loaded("ldap") ? 0 : 1);']);
    expect(ldapHere.status, "php8.2-ldap must not be installed on the machine running this test").toBe(1);
    expect(await healthCheck("missing", ["exif", "ldap"])).toBe(1);
  });

  it("a php-fpm started with the generated files answers the ping and status pages over FastCGI", async () => {
    const generated = await generate("running", { memoryLimit: "256M" });
    const port = await freePort();
    // Only the address changes: the task listens on the overlay, this php-fpm on loopback.
    writeFileSync(path.join(generated.dir, "loopback.conf"), generated.pool.replace("listen = 9000", `listen = 127.0.0.1:${port}`));
    const global = path.join(generated.dir, "php-fpm.conf");
    writeFileSync(
      global,
      `[global]\nerror_log = ${path.join(generated.dir, "php-fpm.log")}\npid = ${path.join(generated.dir, "php-fpm.pid")}\ninclude = ${path.join(generated.dir, "loopback.conf")}\n`,
    );
    const fpm = spawn("php-fpm8.2", ["-F", "-y", global, "-c", path.join(generated.dir, "php.ini")], { stdio: "ignore" });
    try {
      // cgi-fcgi (Debian's libfcgi-bin, the FastCGI library's own client) asks as nginx's fastcgi_pass would.
      const ask = async (uri: string): Promise<string> => {
        for (let attempt = 0; ; attempt++) {
          const run = spawnSync("cgi-fcgi", ["-bind", "-connect", `127.0.0.1:${port}`], {
            encoding: "utf8",
            env: { SCRIPT_NAME: uri, SCRIPT_FILENAME: uri, REQUEST_URI: uri, QUERY_STRING: "", REQUEST_METHOD: "GET" },
          });
          if (run.error) throw run.error;
          if (run.status === 0) return run.stdout;
          if (attempt >= 50) throw new Error(`cgi-fcgi: ${run.stderr}`);
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      };
      expect(await ask("/fpm-ping")).toMatch(/\r\n\r\npong$/);
      const status = await ask("/fpm-status");
      expect(status).toMatch(/^pool:\s+www$/m);
      expect(status).toMatch(/^process manager:\s+dynamic$/m);
      expect(status).toMatch(/^max children reached:\s+0$/m);
      // Any other path that is not a *.php script is refused (security.limit_extensions).
      expect(await ask("/etc/passwd")).toMatch(/^Status: 403 Forbidden/m);
    } finally {
      const exited = new Promise((resolve) => fpm.once("exit", resolve));
      fpm.kill("SIGTERM");
      await exited;
    }
  });
});
