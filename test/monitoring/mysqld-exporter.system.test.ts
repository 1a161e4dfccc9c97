import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { dutyGrants } from "../../generators/xtradb/accounts.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { alertedCluster, synthStacks } from "../alerting/alerting.fixture.js";
import { startMariaDb } from "../helpers/mariadb.js";
import { runTool } from "../helpers/validators.js";
import { ask, freePort, LOOPBACK } from "../nginx/nginx-server.js";

/**
 * A real program run for real: Debian's MariaDB (test/helpers/mariadb.ts: its socket and loopback), an account with exactly the
 * grants the Monitoring documents, and Debian's mysqld_exporter reading it through a my.cnf as the generated
 * service does (its secret). Debian's exporter (0.14) predates `--mysqld.address`, so the socket goes in the my.cnf.
 */

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-mysqld-exporter-"));
chmodSync(work, 0o755); // mariadbd runs as mysql and reaches its folder here
const running: ChildProcess[] = [];
const stops: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const child of running) child.kill("SIGTERM");
  for (const stop of stops) await stop();
  await new Promise((resolve) => setTimeout(resolve, 500));
  rmSync(work, { recursive: true, force: true });
});

const until = async (ready: () => boolean | Promise<boolean>, what: string) => {
  for (let attempt = 0; attempt < 150; attempt++) {
    if (await ready()) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what} never became ready`);
};

describe("mysqld_exporter with the XtraDB cluster's exporter account", () => {
  it("scrapes MariaDB's global status with the exporter duty's grants only (PROCESS, BINLOG MONITOR, SELECT on performance_schema)", async () => {
    const files = await synthStacks(alertedCluster().cluster);
    const exporter = (parse(files.get("stacks/stats.yml") ?? "") as StackFile).services?.["mysqld-exporter-pxc-1"];
    const myCnfArg = (exporter?.command as string[]).find((arg) => arg.startsWith("--config.my-cnf="));
    // The XtraDB cluster's own exporter account, which its accounts script creates.
    expect(myCnfArg).toBe("--config.my-cnf=/run/secrets/xtradb_exporter");

    const db = await startMariaDb(path.join(work, "db"));
    stops.push(() => db.stop());
    const socket = db.socket;
    const grant = runTool("mariadb", [
      "--no-defaults",
      `--socket=${socket}`,
      "-uroot",
      "-e",
      // The exporter duty's grants as the accounts script gives them on MariaDB.
      [
        "CREATE USER 'exporter'@'localhost' IDENTIFIED BY 'exporter-pw'",
        ...dutyGrants("exporter", "mariadb").map((grant) => `GRANT ${grant} TO 'exporter'@'localhost'`),
      ].join("; "),
    ]);
    expect(grant.status, grant.output).toBe(0);

    // The secret's content: the [client] section the description asks for.
    const myCnf = path.join(work, "xtradb_exporter");
    writeFileSync(myCnf, `[client]\nuser=exporter\npassword=exporter-pw\nsocket=${socket}\n`, { mode: 0o600 });
    const port = await freePort();
    running.push(
      spawn("prometheus-mysqld-exporter", [`--config.my-cnf=${myCnf}`, `--web.listen-address=${LOOPBACK}:${port}`], { stdio: "ignore" }),
    );
    let text = "";
    await until(async () => {
      const answer = await ask({ port, tls: false, host: LOOPBACK, path: "/metrics" });
      text = answer.body ?? "";
      return answer.status === 200;
    }, "mysqld_exporter");
    expect(text).toMatch(/^mysql_up 1$/m);
    expect(text).toMatch(/^mysql_global_status_threads_connected \d+/m);
    // No collector failed for want of a privilege.
    expect(text).not.toMatch(/^mysql_exporter_collector_success\{[^}]*\} 0$/m);
  });
});
