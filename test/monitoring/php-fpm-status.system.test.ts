import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { alertedCluster, synthStacks } from "../alerting/alerting.fixture.js";
import { runTool } from "../helpers/validators.js";
import { freePort } from "../nginx/nginx-server.js";

/**
 * A real program run for real: Debian's php-fpm checks (`-t`) and runs the generated status pool snippet
 * beside a plain pool, and FastCGI's own client (cgi-fcgi) asks the status socket what the exporter asks.
 */

const PHP_FPM = "php-fpm8.2";
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-php-fpm-status-"));
chmodSync(work, 0o755);
const running: ChildProcess[] = [];
afterAll(() => {
  for (const child of running) child.kill("SIGTERM");
  rmSync(work, { recursive: true, force: true });
});

/** php-fpm.conf as the php image has it: global settings, then every pool file of a folder in name order. */
async function writeConfig(): Promise<{ conf: string; socket: string }> {
  const files = await synthStacks(alertedCluster().cluster);
  const generated = files.get("stacks/php/php-fpm-status.conf") ?? "";
  const socket = path.join(work, "status.sock");
  const pools = path.join(work, "php-fpm.d");
  mkdirSync(pools, { recursive: true });
  // The image's own pool (www.conf, zz-docker.conf) in short: workers on a TCP port, as php-fpm listens in the stack.
  writeFileSync(
    path.join(pools, "www.conf"),
    [
      "[www]",
      "user = www-data",
      "group = www-data",
      `listen = 127.0.0.1:${await freePort()}`,
      "pm = static",
      "pm.max_children = 1",
      "",
    ].join("\n"),
  );
  // The generated snippet, its socket moved from the container's volume into this test's folder.
  writeFileSync(path.join(pools, "zzz-status.conf"), generated.replace("/run/php-fpm-status/status.sock", socket));
  const conf = path.join(work, "php-fpm.conf");
  writeFileSync(
    conf,
    ["[global]", `pid = ${work}/php-fpm.pid`, `error_log = ${work}/error.log`, "daemonize = no", `include = ${pools}/*.conf`, ""].join(
      "\n",
    ),
  );
  return { conf, socket };
}

describe("php-fpm's status pool", () => {
  it("passes php-fpm -t and answers the status page on its own socket", async () => {
    const { conf, socket } = await writeConfig();
    const check = runTool(PHP_FPM, ["-t", "-y", conf]);
    expect(check.status, check.output).toBe(0);

    const fpm = spawn(PHP_FPM, ["-F", "-R", "-y", conf], { stdio: "ignore" });
    running.push(fpm);
    for (let attempt = 0; attempt < 50 && !existsSync(socket); attempt++) await new Promise((resolve) => setTimeout(resolve, 100));
    const answer = spawnSync("cgi-fcgi", ["-bind", "-connect", socket], {
      encoding: "utf8",
      env: { SCRIPT_NAME: "/status", SCRIPT_FILENAME: "/status", REQUEST_METHOD: "GET", QUERY_STRING: "" },
    });
    expect(answer.stdout).toMatch(/pool:\s+www/);
    expect(answer.stdout).toMatch(/max children reached:\s+0/);
  });
});
