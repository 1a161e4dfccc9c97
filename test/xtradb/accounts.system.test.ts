/**
 * The database accounts, for real: Debian's MariaDB server (mariadbd, run as the `mysql` user on a data dir
 * of its own in a temporary folder, listening on a socket and on loopback only) receives the generated
 * accounts script (its MariaDB flavour: the stack's is MySQL 8's, which Debian does not package; the two
 * differ only in privilege names), run under strace with the secret values `swarm-cluster secrets` would
 * write. Then each account's grants, logins and denials are read back from the server, and every place a
 * password could leak (the script's output, the server's general and error logs, every program's arguments
 * and environment as strace saw them start, /proc/<pid>/cmdline and environ sampled meanwhile) is searched.
 * Kind of check: a real program run for real.
 */
import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Cluster, Node, OverlayNetwork, ProxySql, Secret, Stack, XtraDbCluster } from "../../src/index.js";
import { planSecrets } from "../../src/docker-secrets/values.js";
import { type MariaDb, startMariaDb } from "../helpers/mariadb.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-accounts-"));
const secretsDir = path.join(dir, "secrets");
/** Every statement the server ran, searched for passwords. */
const generalLog = path.join(dir, "run", "general.log");
let server: MariaDb | undefined;
/** The server's socket and loopback port, once it runs. */
const socket = path.join(dir, "run", "mysqld.sock");
let port = 0;

/** The reference's shape: an XtraDB cluster with the application's database, and a ProxySQL watching it. */
function model() {
  const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  const dbs = [1, 2].map((i) => new Node(cluster, `db-${i}`, { tier: "db", privateIp: `10.0.0.${40 + i}` }));
  const sql = new Node(cluster, "sql", { tier: "proxy", privateIp: "10.0.0.31" });
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const stack = new Stack(cluster, "db");
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack,
    network: dbnet,
    nodes: dbs,
    arbitrator: sql,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
    database: { name: "wordpress", user: "wordpress", password: new Secret(cluster, "wordpress_db_password", { description: "wp" }) },
  });
  new ProxySql(cluster, "proxysql", {
    stack,
    networks: [dbnet],
    database: xtradb,
    placement: { tier: "proxy" },
    credentials: {
      admin: new Secret(cluster, "proxysql_admin", { description: "admin" }),
      monitor: new Secret(cluster, "proxysql_monitor", { description: "monitor" }),
      users: new Secret(cluster, "proxysql_users", { description: "users" }),
    },
  });
  return { cluster, xtradb };
}

const { cluster, xtradb } = model();
/** The values `swarm-cluster secrets` would write: the same plan, on an empty secrets folder. */
const values = new Map<string, string>();
for (const entry of planSecrets(cluster.secrets, new Set(), () => undefined)) {
  if (entry.action === "create") values.set(entry.secret.name, entry.value);
}
/** Every password the script handles, bare, by secret: none may appear anywhere but in the secret files. */
const SECRET_NAMES = [
  "mysql_root_password",
  "wordpress_db_password",
  "proxysql_monitor",
  "xtradb_backup",
  "xtradb_healthcheck",
  "xtradb_exporter",
];
const bare = (value: string): string => value.match(/password="?([A-Za-z0-9]+)/)?.[1] ?? value;
const passwordByName = new Map(SECRET_NAMES.map((name) => [name, bare(values.get(name) ?? "")]));
const passwords = [...passwordByName.values()];
const passwordOf = (name: string): string => passwordByName.get(name) ?? "";

function run(command: string, args: readonly string[], input?: string) {
  return spawnSync(command, args, { encoding: "utf8", input, timeout: 60_000 });
}

/** A 0600 client option file (the test's own logins keep passwords off command lines too). */
function optionFile(name: string, user: string, password: string): string {
  const file = path.join(dir, `${name}.cnf`);
  writeFileSync(file, `[client]\nuser=${user}\npassword=${password}\n`, { mode: 0o600 });
  return file;
}

/** Runs SQL through the MariaDB client with an option file (or as the OS root over the socket before the script). */
function sql(statement: string, options: { file?: string; tcp?: boolean } = {}) {
  const args = [
    ...(options.file ? [`--defaults-extra-file=${options.file}`] : ["--no-defaults", "--user=root"]),
    ...(options.tcp ? ["--protocol=tcp", "--host=127.0.0.1", `--port=${port}`] : [`--socket=${socket}`]),
    "--batch",
    "--skip-column-names",
    `--execute=${statement}`,
  ];
  return run("mariadb", args);
}

const rootFile = () => optionFile("root", "root", passwordOf("mysql_root_password"));
let scriptRun: { stdout: string; stderr: string; status: number | null; sampled: string[] } = {
  stdout: "",
  stderr: "",
  status: null,
  sampled: [],
};
let straceLog = "";

/** Every process's command line and environment, read from /proc while the script runs. */
function sampleProcesses(into: string[]): void {
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    for (const file of ["cmdline", "environ"]) {
      try {
        into.push(readFileSync(`/proc/${pid}/${file}`, "latin1"));
      } catch {
        // gone already, or not ours to read
      }
    }
  }
}

beforeAll(async () => {
  chmodSync(dir, 0o755);
  // Temporary tables in the test's own folder (the helper's run dir): another program may clean the shared /tmp.
  server = await startMariaDb(dir, { serverOptions: ["--general-log=1", `--general-log-file=${generalLog}`] });
  port = server.port;
  expect(server.socket).toBe(socket);
  expect(sql("SELECT 1").stdout.trim()).toBe("1");
  // The data an account without privileges on it must not read.
  expect(
    sql("CREATE DATABASE wordpress; CREATE TABLE wordpress.posts (title TEXT); INSERT INTO wordpress.posts VALUES ('hello');").status,
  ).toBe(0);

  mkdirSync(secretsDir, { mode: 0o700 });
  for (const [name, value] of values) writeFileSync(path.join(secretsDir, name), value, { mode: 0o600 });
  const script = path.join(dir, "accounts.sh");
  writeFileSync(script, xtradb.accountsScript("mariadb"));

  // Run as the image's entrypoint runs it: sourced by a bash that traces every command (`set -o xtrace`) and
  // holds the client command, root over the socket, in the array `mysql`. strace records every program started
  // (arguments and, with -v, environment); /proc is sampled meanwhile.
  const sampled: string[] = [];
  const straceFile = path.join(dir, "strace.log");
  const entrypoint = `set -eo pipefail; set -o xtrace; mysql=(mariadb --no-defaults --user=root "--socket=$1"); . ${script}; : traced again`;
  const child = spawn(
    "strace",
    ["-f", "-qq", "-v", "-s", "65535", "-e", "trace=execve", "-o", straceFile, "bash", "-c", entrypoint, "entrypoint.sh", socket],
    { env: { ...process.env, SWARM_CLUSTER_SECRETS_DIR: secretsDir } },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk) => (stdout += chunk));
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const timer = setInterval(() => sampleProcesses(sampled), 2);
  const status = await new Promise<number | null>((resolve) => child.on("close", resolve));
  clearInterval(timer);
  scriptRun = { stdout, stderr, status, sampled };
  straceLog = readFileSync(straceFile, "utf8");
}, 120_000);

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** SHOW GRANTS, without the password hash and connection limit the server adds to the first line. */
function grantsOf(account: string): string[] {
  const shown = sql(`SHOW GRANTS FOR ${account}`, { file: rootFile() });
  expect(shown.status, shown.stderr).toBe(0);
  return shown.stdout
    .trim()
    .split("\n")
    .map((line) => line.replace(/ IDENTIFIED BY PASSWORD '[^']*'/, "").replace(/ WITH MAX_USER_CONNECTIONS \d+/, ""))
    .sort();
}

describe("the accounts script on a real MariaDB", () => {
  it("runs to its end, and the secrets it read are strong random passwords", () => {
    expect(scriptRun.status, scriptRun.stderr).toBe(0);
    // The trace stops at the script's first line and starts again after it.
    expect(scriptRun.stderr).toContain("+ set +o xtrace\n");
    expect(scriptRun.stderr).toContain("+ : traced again\n");
    expect(scriptRun.stdout).toContain("accounts backup, healthcheck, exporter, monitor, wordpress have their secrets' passwords");
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(passwords).size).toBe(passwords.length);
  });

  it("gives each duty's account exactly its privileges", () => {
    expect(grantsOf("'backup'@'localhost'")).toEqual([
      "GRANT RELOAD, PROCESS, SUPER, LOCK TABLES, BINLOG MONITOR ON *.* TO `backup`@`localhost`",
    ]);
    expect(grantsOf("'healthcheck'@'localhost'")).toEqual(["GRANT USAGE ON *.* TO `healthcheck`@`localhost`"]);
    expect(grantsOf("'exporter'@'%'")).toEqual([
      "GRANT PROCESS, BINLOG MONITOR ON *.* TO `exporter`@`%`",
      "GRANT SELECT ON `performance_schema`.* TO `exporter`@`%`",
    ]);
    expect(grantsOf("'monitor'@'%'")).toEqual([
      "GRANT BINLOG MONITOR ON *.* TO `monitor`@`%`",
      "GRANT SELECT ON `performance_schema`.* TO `monitor`@`%`",
    ]);
    expect(grantsOf("'wordpress'@'%'")).toEqual([
      "GRANT ALL PRIVILEGES ON `wordpress`.* TO `wordpress`@`%`",
      "GRANT USAGE ON *.* TO `wordpress`@`%`",
    ]);
    // Monitoring duties can never take the application's connections.
    const limits = sql("SELECT user, max_user_connections FROM mysql.user WHERE user IN ('exporter', 'monitor') ORDER BY user", {
      file: rootFile(),
    });
    expect(limits.stdout).toBe("exporter\t3\nmonitor\t10\n");
  });

  it("lets each account log in with its own secret, over the socket (local duties) or TCP (the others)", () => {
    const logins: [string, string, boolean][] = [
      // The option-file secrets are used as they are, as xtrabackup, mysqladmin and mysqld_exporter read them.
      [path.join(secretsDir, "xtradb_backup"), "backup@localhost", false],
      [path.join(secretsDir, "xtradb_healthcheck"), "healthcheck@localhost", false],
      [path.join(secretsDir, "xtradb_exporter"), "exporter@%", true],
      [optionFile("monitor", "monitor", passwordOf("proxysql_monitor")), "monitor@%", true],
      [optionFile("app", "wordpress", passwordOf("wordpress_db_password")), "wordpress@%", true],
      [rootFile(), "root@localhost", false],
    ];
    for (const [file, account, tcp] of logins) {
      const login = sql("SELECT CURRENT_USER()", { file, tcp });
      expect(login.stderr, account).toBe("");
      expect(login.stdout.trim()).toBe(account);
    }
    // The health check the members run: mysqladmin with the secret as its option file.
    const health = run("mariadb-admin", [
      `--defaults-extra-file=${path.join(secretsDir, "xtradb_healthcheck")}`,
      `--socket=${socket}`,
      "status",
    ]);
    expect(health.status, health.stderr).toBe(0);
    expect(health.stdout).toContain("Uptime:");
    // root is on the socket only: over TCP there is no root account to log in to.
    expect(sql("SELECT 1", { file: rootFile(), tcp: true }).status).not.toBe(0);
  });

  it("keeps the health check, the exporter and the monitor out of the application's data", () => {
    for (const [file, tcp] of [
      [path.join(secretsDir, "xtradb_healthcheck"), false],
      [path.join(secretsDir, "xtradb_exporter"), true],
      [optionFile("monitor", "monitor", passwordOf("proxysql_monitor")), true],
    ] as const) {
      const read = sql("SELECT title FROM wordpress.posts", { file, tcp });
      expect(read.status).not.toBe(0);
      expect(read.stderr).toMatch(/command denied|Access denied/);
    }
    const app = optionFile("app", "wordpress", passwordOf("wordpress_db_password"));
    expect(sql("SELECT title FROM wordpress.posts", { file: app, tcp: true }).stdout).toBe("hello\n");
    expect(sql("SELECT user FROM mysql.user", { file: app, tcp: true }).status).not.toBe(0);
    // The exporter may read what its collectors need (an error would say it may not).
    expect(
      sql("SELECT COUNT(*) >= 0 FROM performance_schema.setup_instruments", { file: path.join(secretsDir, "xtradb_exporter"), tcp: true })
        .stdout,
    ).toBe("1\n");
  });

  it("leaves no password in its output, the server's logs, any program's arguments or environment", () => {
    const general = readFileSync(generalLog, "latin1");
    const error = readFileSync(server?.errorLog ?? "", "latin1");
    // Each place searched is not empty: the logs were on, strace saw the client start, the sampler read /proc.
    expect(general).toContain("Connect");
    expect(error).toContain("ready for connections");
    expect(straceLog).toMatch(/execve\("[^"]*mariadb"/);
    expect(scriptRun.sampled.length).toBeGreaterThan(100);
    const places = {
      stdout: scriptRun.stdout,
      stderr: scriptRun.stderr,
      general,
      error,
      strace: straceLog,
      proc: scriptRun.sampled.join("\n"),
    };
    for (const password of passwords) {
      for (const [place, text] of Object.entries(places)) expect(text.includes(password), `a password in ${place}`).toBe(false);
    }
  });

  it("applies a rotation when run again: the new password works, the old one no longer does, the grants stay", () => {
    const oldPassword = passwordOf("xtradb_healthcheck");
    const rotated = planSecrets(
      cluster.secrets,
      new Set(cluster.secrets.filter((secret) => secret.name === "xtradb_healthcheck")),
      (secret) => values.get(secret.name),
    ).find((entry) => entry.secret.name === "xtradb_healthcheck");
    expect(rotated?.action).toBe("rotate");
    writeFileSync(path.join(secretsDir, "xtradb_healthcheck"), rotated && "value" in rotated ? rotated.value : "", { mode: 0o600 });
    // As a member's start script runs it: no client given, so root over the socket (a ~/.my.cnf points the
    // client at this server's, as the image's my.cnf does), its password from the root secret in a temporary
    // option file, removed after.
    const [temporary, home] = [path.join(dir, "tmp"), path.join(dir, "home")];
    mkdirSync(temporary);
    mkdirSync(home);
    writeFileSync(path.join(home, ".my.cnf"), `[client]\nsocket=${socket}\n`);
    const rerun = spawnSync("bash", [path.join(dir, "accounts.sh")], {
      encoding: "utf8",
      env: { ...process.env, SWARM_CLUSTER_SECRETS_DIR: secretsDir, HOME: home, TMPDIR: temporary },
    });
    expect(rerun.stderr).toBe("");
    expect(readdirSync(temporary)).toEqual([]);
    expect(rerun.status).toBe(0);
    expect(sql("SELECT CURRENT_USER()", { file: path.join(secretsDir, "xtradb_healthcheck") }).stdout).toBe("healthcheck@localhost\n");
    expect(sql("SELECT 1", { file: optionFile("old-health", "healthcheck", oldPassword) }).stderr).toContain("Access denied");
    expect(grantsOf("'healthcheck'@'localhost'")).toEqual(["GRANT USAGE ON *.* TO `healthcheck`@`localhost`"]);
  });
});

// The server must not outlive a failed setup.
process.on("exit", () => {
  server?.kill();
  if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
});
