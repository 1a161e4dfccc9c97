import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stacksGenerator } from "../../generators/stacks/index.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { Cluster, Node, OverlayNetwork, ProxySql, Secret, Stack, Testing, XtraDbCluster } from "../../src/index.js";
import type { ProxySqlProps } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

/** Reference-like: 3 app nodes and the SQL-proxy host labelled for ProxySQL, `dbs` XtraDB members, garbd. */
function proxied(options: { dbs?: number; image?: string; maxConnections?: number; proxy?: Partial<ProxySqlProps> } = {}) {
  const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  const proxysql = { proxysql: "true" };
  for (let i = 1; i <= 3; i++)
    new Node(cluster, `app-${i}`, { tier: "app", privateIp: `10.0.0.${10 + i}`, swarmRole: "manager", labels: proxysql });
  const sql = new Node(cluster, "sql", { tier: "proxy", privateIp: "10.0.0.31", labels: proxysql });
  const dbs = Array.from(
    { length: options.dbs ?? 3 },
    (_, i) => new Node(cluster, `db-${i + 1}`, { tier: "db", privateIp: `10.0.0.${41 + i}` }),
  );
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const stack = new Stack(cluster, "db");
  const database = new XtraDbCluster(cluster, "xtradb", {
    stack,
    network: dbnet,
    nodes: dbs,
    arbitrator: options.dbs === 2 ? sql : undefined,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
    ...(options.image ? { image: options.image } : {}),
    ...(options.maxConnections ? { maxConnections: options.maxConnections } : {}),
  });
  const proxy = new ProxySql(cluster, "proxysql", {
    stack,
    networks: [dbnet],
    database,
    placement: { labels: proxysql },
    credentials: {
      admin: new Secret(cluster, "proxysql_admin", { description: "admin" }),
      monitor: new Secret(cluster, "proxysql_monitor", { description: "monitor" }),
      users: new Secret(cluster, "proxysql_users", { description: "users" }),
    },
    ...options.proxy,
  });
  return { cluster, proxy, database };
}

const synth = (cluster: Cluster) => Testing.synth(cluster, { generators: [stacksGenerator] });
const cnfOf = async (cluster: Cluster) => (await synth(cluster)).get("stacks/db/proxysql.cnf") ?? "";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-proxysql-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * ProxySQL reads proxysql.cnf with libconfig; this reader parses a file with the same library
 * (config_read_file, @include included), looks up the settings named on its command line and prints them as
 * `path=value` lines, or prints `file:line: error` and exits 1 when the file does not parse.
 */
const READER = `#include <libconfig.h>
#include <stdio.h>

static void dump(const config_setting_t *setting, const char *parent) {
  char path[512];
  const char *name = config_setting_name(setting);
  if (name) snprintf(path, sizeof path, "%s%s%s", parent, parent[0] ? "." : "", name);
  else snprintf(path, sizeof path, "%s[%d]", parent, config_setting_index(setting));
  switch (config_setting_type(setting)) {
    case CONFIG_TYPE_GROUP: case CONFIG_TYPE_LIST: case CONFIG_TYPE_ARRAY:
      for (int i = 0; i < config_setting_length(setting); i++) dump(config_setting_get_elem(setting, i), path);
      break;
    case CONFIG_TYPE_INT: printf("%s=%d\\n", path, config_setting_get_int(setting)); break;
    case CONFIG_TYPE_INT64: printf("%s=%lld\\n", path, config_setting_get_int64(setting)); break;
    case CONFIG_TYPE_FLOAT: printf("%s=%g\\n", path, config_setting_get_float(setting)); break;
    case CONFIG_TYPE_BOOL: printf("%s=%s\\n", path, config_setting_get_bool(setting) ? "true" : "false"); break;
    case CONFIG_TYPE_STRING: printf("%s=%s\\n", path, config_setting_get_string(setting)); break;
  }
}

int main(int argc, char **argv) {
  config_t config;
  config_init(&config);
  if (!config_read_file(&config, argv[1])) {
    const char *file = config_error_file(&config);
    fprintf(stderr, "%s:%d: %s\\n", file ? file : argv[1], config_error_line(&config), config_error_text(&config));
    config_destroy(&config);
    return 1;
  }
  int status = 0;
  for (int i = 2; i < argc; i++) {
    const config_setting_t *setting = config_lookup(&config, argv[i]);
    if (setting) dump(setting, "");
    else { fprintf(stderr, "%s: not found\\n", argv[i]); status = 2; }
  }
  config_destroy(&config);
  return status;
}
`;
const reader = path.join(work, "libconfig-reader");
beforeAll(() => {
  writeFileSync(`${reader}.c`, READER);
  const flags = execFileSync("pkg-config", ["--cflags", "--libs", "libconfig"], { encoding: "utf8" }).trim().split(/\s+/).filter(Boolean);
  execFileSync("cc", ["-std=c99", "-Wall", "-Werror", "-o", reader, `${reader}.c`, ...flags]);
});

/** What Docker mounts at /run/secrets/<name> at run time: the credential lines the operator created. */
const SECRETS = {
  proxysql_admin: 'admin_credentials="admin:adm1n;radmin:radm1n"\n',
  proxysql_monitor: 'monitor_password="m0nitor"\n',
  proxysql_users: 'mysql_users=\n(\n\t{ username="wordpress", password="wp-pass", default_hostgroup=10 }\n)\n',
};

/**
 * The generated file as ProxySQL sees it in a task. Debian ships libconfig 1.5, without 1.7's
 * config_set_include_func that could map /run/secrets/ onto the fixtures, and config_set_include_dir only
 * prefixes relative paths; so a copy of the file has only the `/run/secrets/` prefix of its @include lines
 * pointed at a folder holding the fixtures, which is what Docker's secret mounts provide at run time.
 */
function asMounted(cnf: string, name: string): string {
  const dir = mkdtempSync(path.join(work, "secrets-"));
  for (const [secret, content] of Object.entries(SECRETS)) writeFileSync(path.join(dir, secret), content);
  const copy = cnf.replace(/^@include "\/run\/secrets\//gm, `@include "${dir}/`);
  const changed = copy.split("\n").filter((line, i) => line !== cnf.split("\n")[i]);
  expect(changed.length).toBe(3);
  expect(changed.every((line) => line.startsWith(`@include "${dir}/`))).toBe(true);
  const file = path.join(work, name);
  writeFileSync(file, copy);
  return file;
}

function read(file: string, ...settings: string[]) {
  const run = spawnSync(reader, [file, ...settings], { encoding: "utf8" });
  const values = new Map(
    run.stdout
      .split("\n")
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
  );
  return { status: run.status, stderr: run.stderr, values };
}

describe("proxysql.cnf through libconfig", () => {
  it("parses with its secrets included, and routes to every XtraDB member", async () => {
    const file = asMounted(await cnfOf(proxied().cluster), "proxysql.cnf");
    const { status, stderr, values } = read(
      file,
      "admin_variables",
      "mysql_variables",
      "mysql_servers",
      "mysql_galera_hostgroups",
      "mysql_users",
    );
    expect(stderr).toBe("");
    expect(status).toBe(0);
    // The includes land inside their groups.
    expect(values.get("admin_variables.admin_credentials")).toBe("admin:adm1n;radmin:radm1n");
    expect(values.get("mysql_variables.monitor_password")).toBe("m0nitor");
    expect(values.get("mysql_users[0].username")).toBe("wordpress");
    expect(values.get("admin_variables.mysql_ifaces")).toBe("127.0.0.1:6032");
    expect(values.get("mysql_variables.interfaces")).toBe("0.0.0.0:3306");
    expect(values.get("mysql_variables.server_version")).toBe("8.0.39");
    // One server per member, by service name on the overlay, all starting as writers.
    const servers = [0, 1, 2].map((i) =>
      ["address", "port", "hostgroup", "comment"].map((key) => values.get(`mysql_servers[${i}].${key}`)).join(" "),
    );
    expect(servers).toEqual(["pxc-1 3306 10 db-1", "pxc-2 3306 10 db-2", "pxc-3 3306 10 db-3"]);
    expect(values.has("mysql_servers[3].address")).toBe(false);
    const galera = [
      "writer_hostgroup",
      "backup_writer_hostgroup",
      "reader_hostgroup",
      "offline_hostgroup",
      "max_writers",
      "writer_is_also_reader",
    ];
    expect(galera.map((key) => values.get(`mysql_galera_hostgroups[0].${key}`))).toEqual(["10", "20", "30", "9999", "1", "2"]);
  });

  it("reports a missing comma with the line it stopped at", async () => {
    const cnf = await cnfOf(proxied().cluster);
    const lines = cnf.split("\n");
    const first = lines.findIndex((line) => line.includes('address="pxc-1"'));
    expect(lines[first]?.endsWith(" },")).toBe(true);
    lines[first] = (lines[first] ?? "").replace(/,$/, "");
    const { status, stderr } = read(asMounted(lines.join("\n"), "broken.cnf"));
    expect(status).toBe(1);
    // libconfig meets the second server's `{` where it expected `,` or `)`: the line after the broken one.
    expect(stderr).toMatch(new RegExp(`broken\\.cnf:${first + 2}: syntax error`));
  });
});

describe("ProxySql construct", () => {
  it("includes each credential from the path Docker mounts its secret at, and mounts those secrets", async () => {
    const files = await synth(proxied().cluster);
    const includes = (files.get("stacks/db/proxysql.cnf") ?? "").split("\n").filter((line) => line.startsWith("@include"));
    expect(includes).toEqual([
      '@include "/run/secrets/proxysql_admin"',
      '@include "/run/secrets/proxysql_monitor"',
      '@include "/run/secrets/proxysql_users"',
    ]);
    const service = (parse(files.get("stacks/db.yml") ?? "") as StackFile).services?.proxysql;
    expect(service?.secrets).toEqual(["proxysql_admin", "proxysql_monitor", "proxysql_users"]);
    expect(service?.configs).toEqual([{ source: "proxysql.cnf", target: "/etc/proxysql.cnf" }]);
  });

  it.each([
    { image: "percona/percona-xtradb-cluster:8.0.39-30.1", serverVersion: undefined, expected: "8.0.39" },
    { image: `registry.internal:5000/pxc:8.0.36-28.1@sha256:${"a".repeat(64)}`, serverVersion: undefined, expected: "8.0.36" },
    { image: "percona/percona-xtradb-cluster:latest", serverVersion: undefined, expected: "8.0" },
    { image: "percona/percona-xtradb-cluster:8.0.39-30.1", serverVersion: "8.0.40", expected: "8.0.40" },
  ])("announces server_version $expected for $image", ({ image, serverVersion, expected }) => {
    const { proxy } = proxied({ image, proxy: serverVersion ? { serverVersion } : {} });
    expect(proxy.serverVersion).toBe(expected);
  });

  it.each([
    { tasks: "one per proxysql node (4)", proxy: {}, maxConnections: undefined, perBackend: 35 },
    { tasks: "1", proxy: { replicas: 1 }, maxConnections: undefined, perBackend: 141 },
    { tasks: "4, members raised to 500", proxy: {}, maxConnections: 500, perBackend: 122 },
    { tasks: "4, set explicitly", proxy: { maxConnectionsPerBackend: 50 }, maxConnections: undefined, perBackend: 50 },
  ])("opens at most $perBackend connections per member with $tasks task(s)", async ({ proxy, maxConnections, perBackend }) => {
    const built = proxied({ proxy, ...(maxConnections ? { maxConnections } : {}) });
    const cnf = await cnfOf(built.cluster);
    const limits = [...cnf.matchAll(/max_connections=(\d+), comment=/g)].map((match) => Number(match[1]));
    expect(limits).toEqual([perBackend, perBackend, perBackend]);
    if (!("maxConnectionsPerBackend" in proxy)) {
      // Together the tasks stay within the member's max_connections, with room for root, the monitor and SST.
      expect(perBackend * built.proxy.service.replicaCount).toBeLessThanOrEqual(built.database.maxConnections - 10);
    }
    expect((await synth(built.cluster)).get("stacks/db/xtradb.cnf")).toContain(`max_connections=${built.database.maxConnections}\n`);
  });
});
