/**
 * `swarm-cluster secrets`, run for real (the compiled CLI, and git to tell whether the folder is ignored) on a
 * project of its own: what it writes, with which modes, in which syntax, what it keeps, and how a rotation
 * reaches the stack files and out/swarm/secrets.sh through the committed secret-versions.json.
 * Kind of check: a real program run for real.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { runCli, type CliResult } from "../helpers/cli.js";

const CONFIG = `import { Cluster, Node, OverlayNetwork, ProxySql, Secret, Stack, XtraDbCluster, defineCluster } from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "sec",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],
  });
  for (const i of [1, 2, 3]) new Node(cluster, \`app-\${i}\`, { tier: "app", privateIp: \`10.10.1.2\${i}\`, swarmRole: "manager" });
  const sql = new Node(cluster, "sql", { tier: "proxy", privateIp: "10.10.1.31" });
  const dbs = [1, 2].map((i) => new Node(cluster, \`db-\${i}\`, { tier: "db", privateIp: \`10.10.1.4\${i}\` }));
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
  new Secret(cluster, "api_token", { description: "a token of our own", generate: "password" });
  return cluster;
});
`;

const GENERATED = [
  "api_token",
  "mysql_root_password",
  "proxysql_admin",
  "proxysql_monitor",
  "proxysql_users",
  "wordpress_db_password",
  "xtradb_backup",
  "xtradb_exporter",
  "xtradb_healthcheck",
];
const PROVIDED = ["xtradb_tls_ca", "xtradb_tls_cert", "xtradb_tls_key"];

let project: string;
const runs: CliResult[] = [];
const secretsCli = (...args: string[]): CliResult => {
  const result = runCli(["secrets", "--config", path.join(project, "cluster.config.ts"), ...args]);
  runs.push(result);
  return result;
};
const secretFile = (name: string): string => path.join(project, "secrets", "docker", name);
const value = (name: string): string => readFileSync(secretFile(name), "utf8");
const stackSecrets = (): StackFile["secrets"] =>
  (parse(readFileSync(path.join(project, "out", "stacks", "db.yml"), "utf8")) as StackFile).secrets;

let first: CliResult;
beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-secrets-"));
  writeFileSync(path.join(project, "cluster.config.ts"), CONFIG);
  first = secretsCli();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("swarm-cluster secrets", () => {
  it("writes every secret it can make, owner-only, and names those the operator must write", () => {
    expect(first.status).toBe(0);
    expect(statSync(path.join(project, "secrets", "docker")).mode & 0o777).toBe(0o700);
    for (const name of GENERATED) {
      expect(statSync(secretFile(name)).mode & 0o777, name).toBe(0o600);
      expect(first.stdout).toContain(`created secrets/docker/${name} (${name}_v1)`);
    }
    for (const name of PROVIDED) {
      expect(existsSync(secretFile(name))).toBe(false);
      expect(first.stderr).toContain(`missing secrets/docker/${name}`);
    }
  });

  it("writes each in the syntax its consumer reads, with 32 random letters and digits", () => {
    const password = "([A-Za-z0-9]{32})";
    expect(value("mysql_root_password")).toMatch(new RegExp(`^${password}$`));
    expect(value("proxysql_admin")).toMatch(new RegExp(`^admin_credentials="admin:${password}"\\n$`));
    expect(value("proxysql_monitor")).toMatch(new RegExp(`^monitor_password="${password}"\\n$`));
    expect(value("xtradb_healthcheck")).toMatch(new RegExp(`^\\[client\\]\\nuser=healthcheck\\npassword=${password}\\n$`));
    // ProxySQL's users carry the application's own password, which the application reads from its secret.
    expect(value("proxysql_users")).toContain(
      `{ username="wordpress", password="${value("wordpress_db_password")}", default_hostgroup=10 }`,
    );
    const all = GENERATED.map(value);
    expect(new Set(all).size).toBe(all.length);
  });

  it("keeps what exists: a second run changes nothing", () => {
    const before = GENERATED.map(value);
    const again = secretsCli();
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("kept    secrets/docker/xtradb_backup (xtradb_backup_v1)");
    expect(GENERATED.map(value)).toEqual(before);
    expect(existsSync(path.join(project, "secret-versions.json"))).toBe(false);
  });

  it("rotates a secret and those derived from it under new versions, which the build and secrets.sh follow", () => {
    const [oldPassword, oldUsers, oldRoot] = [value("wordpress_db_password"), value("proxysql_users"), value("mysql_root_password")];
    const rotate = secretsCli("--rotate", "wordpress_db_password");
    expect(rotate.status).toBe(0);
    expect(value("wordpress_db_password")).not.toBe(oldPassword);
    expect(value("proxysql_users")).not.toBe(oldUsers);
    expect(value("proxysql_users")).toContain(`password="${value("wordpress_db_password")}"`);
    expect(value("mysql_root_password")).toBe(oldRoot);
    expect(JSON.parse(readFileSync(path.join(project, "secret-versions.json"), "utf8"))).toEqual({
      proxysql_users: 2,
      wordpress_db_password: 2,
    });

    const build = runCli(["build", "--config", path.join(project, "cluster.config.ts")]);
    expect(build.status, build.stderr).toBe(0);
    expect(stackSecrets()?.wordpress_db_password).toEqual({ external: true, name: "wordpress_db_password_v2" });
    expect(stackSecrets()?.proxysql_users).toEqual({ external: true, name: "proxysql_users_v2" });
    expect(stackSecrets()?.mysql_root_password).toEqual({ external: true, name: "mysql_root_password_v1" });
    const script = readFileSync(path.join(project, "out", "swarm", "secrets.sh"), "utf8");
    expect(script).toContain("ensure_secret wordpress_db_password_v2 wordpress_db_password\n");
    // A real shell check of the generated script.
    execFileSync("shellcheck", [path.join(project, "out", "swarm", "secrets.sh")]);
  });

  it("rotates a secret the operator writes by bumping its version only, reminding them to write its new value", () => {
    writeFileSync(secretFile("xtradb_tls_ca"), "-----BEGIN CERTIFICATE-----\n");
    const rotate = secretsCli("--rotate", "xtradb_tls_ca");
    expect(rotate.status).toBe(0);
    expect(rotate.stdout).toContain("rotated xtradb_tls_ca to xtradb_tls_ca_v2: secrets/docker/xtradb_tls_ca must hold its new value");
    expect(value("xtradb_tls_ca")).toBe("-----BEGIN CERTIFICATE-----\n");
    expect(JSON.parse(readFileSync(path.join(project, "secret-versions.json"), "utf8")).xtradb_tls_ca).toBe(2);
  });

  it("refuses an unknown name, naming the declared ones", () => {
    const wrong = secretsCli("--rotate", "wordpres_db_password");
    expect(wrong.status).toBe(1);
    expect(wrong.stderr).toContain("no secret named wordpres_db_password");
    expect(wrong.stderr).toContain("wordpress_db_password");
  });

  it("refuses a folder git would commit", () => {
    const repo = mkdtempSync(path.join(tmpdir(), "swarm-cluster-secrets-git-"));
    try {
      execFileSync("git", ["init", "-q", repo]);
      writeFileSync(path.join(repo, "cluster.config.ts"), CONFIG);
      const result = runCli(["secrets", "--config", path.join(repo, "cluster.config.ts")]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("git would commit secrets/docker");
      expect(existsSync(path.join(repo, "secrets"))).toBe(false);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });

  it("never prints a value", () => {
    for (const name of GENERATED) {
      const password = value(name).match(/([A-Za-z0-9]{32})/)?.[1] as string;
      for (const run of runs) expect(run.stdout + run.stderr).not.toContain(password);
    }
  });
});
