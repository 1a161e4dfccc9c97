import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { chmodSync, chownSync, closeSync, openSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { analyseFailures } from "../../src/analysis/failures.js";
import { Simulator } from "../../src/analysis/simulate.js";
import { analyseHa } from "../../src/analysis/ha.js";
import type { StackFile } from "../../src/imports/docker-stack-v3.js";
import { OverlayNetwork, Secret, Stack, Testing, XtraDbCluster, type Node } from "../../src/index.js";
import { stopAndWait } from "../helpers/child-exit.js";

/**
 * A real program run for real: Debian's mariadbd (10.11) with galera-4, and garbd from galera-arbitrator-4,
 * started from what the model generates for the MariaDB engine: the members' my.cnf drop-in, the start
 * script (which decides bootstrap or join and hands over to the image's entrypoint), the members' stack
 * environment, garbd's command. Each node of the model is a network namespace holding its private address;
 * the namespaces meet on one bridge. Substituted, and only that: service names by those addresses,
 * /run/secrets files by a test CA's, /var/lib/mysql and the image's entrypoint by a temporary data dir and a
 * stand-in that does what the official image's does (create the system tables once, then run the server as
 * `mysql`). State transfer: the generated method, mariabackup (through socat, TLS from the [sst] section).
 * A member is lost by cutting its link on the bridge: its process keeps running and says no goodbye.
 */
const run = (program: string, args: readonly string[], input?: string) => {
  const result = spawnSync(program, args, { encoding: "utf8", timeout: 30_000, input });
  if (result.error) throw result.error; // a missing program fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}`, stdout: result.stdout };
};
const must = (program: string, args: readonly string[]): string => {
  const result = run(program, args);
  if (result.status !== 0) throw new Error(`${program} ${args.join(" ")}: ${result.output}`);
  return result.stdout;
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The two models each real-program case runs on. */
const WITH_AND_WITHOUT_GARBD = [
  { arbitrator: true, why: "with garbd on the SQL proxy node" },
  { arbitrator: false, why: "without an arbitrator" },
];

/** Two database nodes and, when asked, garbd on the SQL proxy node; the MariaDB engine. */
function galeraModel(withArbitrator: boolean) {
  const cluster = Testing.cluster({ nodes: { app: 3, proxy: 1, db: 2 } });
  const dbs = cluster.nodesInTier("db");
  const proxy = cluster.nodesInTier("proxy")[0] as Node;
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: new Stack(cluster, "db"),
    network: new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" }),
    nodes: dbs,
    engine: "mariadb-galera",
    // The image would hold Debian's galera-arbitrator-4, the garbd this test runs.
    ...(withArbitrator ? { arbitrator: proxy, arbitratorImage: "registry.internal/galera-arbitrator-4:bookworm" } : {}),
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
  });
  return { cluster, xtradb, dbs, proxy };
}

/**
 * What the failure analysis says when `lost` nodes are gone: does the Galera group keep its majority? Losing
 * one node is read from analyseFailures' own single-node outcomes; any other set from its simulator.
 */
function analysisSaysSurvives(model: ReturnType<typeof galeraModel>, lost: readonly Node[]): boolean {
  const analysis = analyseFailures(model.cluster);
  const group = analysis.model.groups.findIndex((entry) => entry.group === model.xtradb);
  const indices = lost.map((node) => analysis.model.nodes.indexOf(node));
  expect(group).toBeGreaterThanOrEqual(0);
  expect(indices).not.toContain(-1);
  const outcome = indices.length === 1 ? analysis.singles[indices[0] as number] : new Simulator(analysis.model).evaluate(indices);
  return !(outcome?.quorumLost ?? []).includes(group);
}

const tag = process.pid.toString(36);
const base = mkdtempSync(path.join(tmpdir(), "galera-real-"));
chmodSync(base, 0o755); // mariadbd runs as mysql and reads its files here
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A test CA and one certificate for every member and garbd (Galera expects homogeneous nodes). */
function issueTls(addresses: readonly string[]) {
  const dir = path.join(base, "tls");
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  must("openssl", [
    "req",
    "-x509",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
    "-days",
    "2",
    "-subj",
    "/CN=galera test CA",
  ]);
  must("openssl", [
    "req",
    "-newkey",
    "rsa:2048",
    "-nodes",
    "-keyout",
    file("server-key.pem"),
    "-out",
    file("server.csr"),
    "-subj",
    "/CN=galera member",
  ]);
  writeFileSync(file("ext.cnf"), `subjectAltName=${addresses.map((address) => `IP:${address}`).join(",")}\n`);
  must("openssl", [
    "x509",
    "-req",
    "-in",
    file("server.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-out",
    file("server-cert.pem"),
    "-days",
    "2",
    "-extfile",
    file("ext.cnf"),
  ]);
  for (const name of ["ca.pem", "server-cert.pem", "server-key.pem"]) chmodSync(file(name), 0o644);
  return { ca: file("ca.pem"), cert: file("server-cert.pem"), key: file("server-key.pem") };
}

/**
 * Stands in for the official image's docker-entrypoint.sh: system tables once, with mysql@localhost (socket
 * authentication) holding only the grants MARIADB_MYSQL_LOCALHOST_GRANTS names, as the image makes it; then
 * the server as `mysql`. mariabackup's donor side logs in as that account: the SST proves the grants suffice.
 */
const IMAGE_ENTRYPOINT = `#!/bin/bash
set -euo pipefail
if [[ ! -d $DATADIR/mysql ]]; then
  mariadb-install-db --no-defaults --user=mysql --datadir="$DATADIR" --skip-test-db >"$DATADIR.install.log" 2>&1
  if [[ \${MARIADB_MYSQL_LOCALHOST_USER:-} == 1 ]]; then
    # Bootstrap mode starts without grant tables: FLUSH PRIVILEGES loads them so GRANT works.
    mariadbd --no-defaults --datadir="$DATADIR" --user=mysql --bootstrap >>"$DATADIR.install.log" 2>&1 <<SQL
FLUSH PRIVILEGES;
REVOKE ALL PRIVILEGES, GRANT OPTION FROM 'mysql'@'localhost';
GRANT \${MARIADB_MYSQL_LOCALHOST_GRANTS:-USAGE} ON *.* TO 'mysql'@'localhost';
SQL
  fi
fi
exec setpriv --reuid=mysql --regid=mysql --init-groups env HOME=/nonexistent USER=mysql LOGNAME=mysql "$@"
`;

interface Host {
  readonly ns: string;
  readonly hubSide: string;
  readonly address: string;
}

/** A running scenario: namespaces on one bridge, processes by pid. Torn down by stop(), also on failure. */
class Lab {
  readonly hub = `gal-hub-${tag}`;
  readonly hosts: Host[] = [];
  readonly processes: ChildProcess[] = [];
  readonly dir: string;

  constructor(readonly name: string) {
    this.dir = path.join(base, name);
  }

  /** Makes the bridge; separate from the constructor so that stop() cleans up after a half-made lab too. */
  open(): this {
    mkdirSync(this.dir);
    chmodSync(this.dir, 0o755);
    run("ip", ["netns", "del", this.hub]);
    must("ip", ["netns", "add", this.hub]);
    must("ip", ["-n", this.hub, "link", "add", "br0", "type", "bridge"]);
    must("ip", ["-n", this.hub, "link", "set", "br0", "up"]);
    return this;
  }

  /** A namespace for `node` at its private address, cabled to the bridge. */
  addHost(node: Node): Host {
    const index = this.hosts.length;
    const host = { ns: `gal-${index}-${tag}`, hubSide: `h${index}`, address: node.privateIp };
    this.hosts.push(host); // before it exists: stop() deletes it whatever step fails
    run("ip", ["netns", "del", host.ns]);
    must("ip", ["netns", "add", host.ns]);
    must("ip", ["link", "add", host.hubSide, "netns", this.hub, "type", "veth", "peer", "name", "eth1", "netns", host.ns]);
    must("ip", ["-n", this.hub, "link", "set", host.hubSide, "master", "br0", "up"]);
    must("ip", ["-n", host.ns, "addr", "add", `${host.address}/24`, "dev", "eth1"]);
    must("ip", ["-n", host.ns, "link", "set", "eth1", "up"]);
    must("ip", ["-n", host.ns, "link", "set", "lo", "up"]);
    return host;
  }

  /** Pulls the host's cable at the bridge: the host keeps running, unreachable. */
  cut(host: Host): void {
    must("ip", ["-n", this.hub, "link", "set", host.hubSide, "down"]);
  }

  start(host: Host, args: readonly string[], env: Record<string, string>, log: string): ChildProcess {
    const output = openSync(log, "w");
    const child = spawn("ip", ["netns", "exec", host.ns, ...args], {
      cwd: path.dirname(log), // garbd keeps its view state (gvwstate.dat) in its working directory
      env: { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ...env },
      stdio: ["ignore", output, output],
      detached: true,
    });
    closeSync(output);
    this.processes.push(child);
    return child;
  }

  async stop(): Promise<void> {
    for (const child of this.processes) {
      if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
      try {
        process.kill(-child.pid, "SIGKILL"); // its process group: mariadbd and any SST helper it started
      } catch {
        // Gone already.
      }
    }
    await Promise.all(
      this.processes.map((child) =>
        child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined,
      ),
    );
    for (const host of this.hosts) run("ip", ["netns", "del", host.ns]);
    run("ip", ["netns", "del", this.hub]);
  }
}

/** Runs SQL on a member over its Unix socket, as root (socket authentication; no network involved). */
function sql(socket: string, statement: string) {
  return run("mariadb", ["--no-defaults", `--socket=${socket}`, "-uroot", "-N", "-B", "-e", statement]);
}
function status(socket: string, variable: string): string | undefined {
  const result = sql(socket, `SHOW GLOBAL STATUS LIKE '${variable}'`);
  return result.status === 0 ? result.stdout.trim().split("\t")[1] : undefined;
}
async function until(what: string, check: () => boolean, seconds: number, logs: () => string): Promise<void> {
  for (let waited = 0; waited < seconds * 2; waited++) {
    if (check()) return;
    await sleep(500);
  }
  throw new Error(`timed out waiting until ${what}\n${logs()}`);
}

/**
 * Forms the cluster from the generated files: the first member bootstraps (its start script hears no one),
 * the second joins and receives a copy by SST, garbd starts once a member answers.
 */
async function formCluster(lab: Lab, model: ReturnType<typeof galeraModel>) {
  const files = await Testing.synth(model.cluster, { generators: [stacksGenerator] });
  const stack = parse(files.get("stacks/db.yml") ?? "") as StackFile;
  const hosts = model.dbs.map((node) => lab.addHost(node));
  const arbiterHost = model.xtradb.arbitrator ? lab.addHost(model.proxy) : undefined;
  const tls = issueTls(lab.hosts.map((host) => host.address));
  // Service name → the address of its node's namespace; secret paths → the test CA's files.
  const names: [string, string][] = [
    ...model.xtradb.memberNames.map((name, index): [string, string] => [name, hosts[index]?.address ?? ""]),
    ...(arbiterHost ? [["garbd", arbiterHost.address] as [string, string]] : []),
  ];
  const secrets: [string, string][] = [
    [model.xtradb.tls.ca.mountPath, tls.ca],
    [model.xtradb.tls.cert.mountPath, tls.cert],
    [model.xtradb.tls.key.mountPath, tls.key],
  ];
  const localise = (text: string) => {
    let local = text;
    for (const [from, to] of secrets) local = local.split(from).join(to);
    for (const [from, to] of names) local = local.replace(new RegExp(`\\b${from}\\b`, "g"), to);
    return local;
  };
  const cnf = files.get("stacks/db/xtradb.cnf") ?? "";
  expect(cnf).toContain(`wsrep_cluster_address=gcomm://${model.xtradb.memberNames.join(",")}`);
  const entrypoint = path.join(lab.dir, "docker-entrypoint.sh");
  writeFileSync(entrypoint, IMAGE_ENTRYPOINT, { mode: 0o755 });

  const members = hosts.map((host, index) => {
    const name = model.xtradb.memberNames[index] as string;
    const dir = path.join(lab.dir, name);
    const data = path.join(dir, "data");
    mkdirSync(data, { recursive: true });
    chmodSync(dir, 0o755);
    const mysql = Number(must("id", ["-u", "mysql"]).trim());
    chownSync(data, mysql, mysql);
    chownSync(dir, mysql, mysql);
    writeFileSync(path.join(dir, "swarm-cluster.cnf"), localise(cnf));
    // Where the image would keep them; the member's own settings, then the generated drop-in.
    writeFileSync(
      path.join(dir, "my.cnf"),
      [
        "[mysqld]",
        `datadir=${data}`,
        `socket=${dir}/mysqld.sock`,
        `pid-file=${dir}/mysqld.pid`,
        `log-error=${dir}/error.log`,
        `bind-address=${host.address}`,
        `!include ${dir}/swarm-cluster.cnf`,
        "",
      ].join("\n"),
    );
    const script = (files.get("stacks/db/xtradb-start.sh") ?? "")
      .split("/var/lib/mysql")
      .join(data)
      .split("/usr/local/bin/docker-entrypoint.sh")
      .join(entrypoint);
    writeFileSync(path.join(dir, "start.sh"), script);
    const environment = Object.fromEntries(
      Object.entries((stack.services?.[name]?.environment ?? {}) as Record<string, string>).map(([key, value]) => [key, localise(value)]),
    );
    const command = (stack.services?.[name]?.command ?? []) as string[];
    return { name, host, dir, command, socket: `${dir}/mysqld.sock`, script: path.join(dir, "start.sh"), environment };
  });
  const tail = (file: string): string => {
    try {
      return readFileSync(file, "utf8").slice(-3000);
    } catch {
      return "(not written yet)";
    }
  };
  const logs = () =>
    [
      ...members.map((member) => `--- ${member.name}\n${tail(path.join(member.dir, "error.log"))}`),
      `--- garbd\n${tail(path.join(lab.dir, "garbd.log"))}`,
    ].join("\n");

  const servers: ChildProcess[] = [];
  const server = (member: (typeof members)[number]) =>
    servers.push(
      lab.start(
        member.host,
        ["bash", member.script, ...member.command, `--defaults-file=${member.dir}/my.cnf`],
        { ...member.environment, DATADIR: path.join(member.dir, "data"), GALERA_PROBE_SECONDS: "3" },
        path.join(member.dir, "start.log"),
      ),
    );
  const [first, second] = members as [(typeof members)[number], (typeof members)[number]];
  server(first);
  await until(`${first.name} bootstraps`, () => status(first.socket, "wsrep_cluster_status") === "Primary", 90, logs);
  server(second);
  await until(`${second.name} joins and is Synced`, () => status(second.socket, "wsrep_local_state_comment") === "Synced", 120, logs);

  if (arbiterHost) {
    const garbd = stack.services?.garbd;
    // The program's name stays: only its arguments name services (the members) and secrets.
    const [program = "", ...args] = (garbd?.command ?? []) as string[];
    const command = [program, ...args.map(localise)];
    const env = Object.fromEntries(Object.entries((garbd?.environment ?? {}) as Record<string, string>).map(([k, v]) => [k, localise(v)]));
    const script = path.join(lab.dir, "garbd-start.sh");
    writeFileSync(script, files.get("stacks/db/xtradb-start.sh") ?? "");
    lab.start(arbiterHost, ["bash", script, ...command], env, path.join(lab.dir, "garbd.log"));
  }
  const size = arbiterHost ? "3" : "2";
  await until(`the cluster counts ${size} voters`, () => status(first.socket, "wsrep_cluster_size") === size, 60, logs);
  return { members: [first, second] as const, servers, logs, start: server };
}

describe("the MariaDB engine's scripts", () => {
  // A real validator: shellcheck on the start script and the monitor-user init script of the MariaDB engine.
  it("pass shellcheck", async () => {
    const model = galeraModel(true);
    model.xtradb.grantMonitor(new Secret(model.cluster, "proxysql_monitor", { description: "monitor" }));
    const files = await Testing.synth(model.cluster, { generators: [stacksGenerator] });
    for (const name of ["stacks/db/xtradb-start.sh", "stacks/db/xtradb-accounts.sh"]) {
      const text = files.get(name) ?? "";
      expect(text, name).not.toBe("");
      const lint = run("shellcheck", ["--shell=bash", "-"], text);
      expect(lint.output, name).toBe("");
    }
    // Sourced by MariaDB's entrypoint, the accounts script uses its client, and MariaDB's privilege names.
    const accounts = files.get("stacks/db/xtradb-accounts.sh") ?? "";
    expect(accounts).toMatch(/^ {4}client=\(docker_process_sql\)$/m);
    expect(accounts).toContain("GRANT RELOAD, PROCESS, SUPER, LOCK TABLES, BINLOG MONITOR ON *.* TO 'backup'@'localhost';");
  });
});

describe("a real MariaDB Galera cluster from the generated options", () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  it.each(WITH_AND_WITHOUT_GARBD)(
    "forms, replicates, and keeps or loses its primary component when a member's link is cut, as the analysis says ($why)",
    async ({ arbitrator }) => {
      const model = galeraModel(arbitrator);
      // The expectation, from the analysis: does the cluster keep its majority without the second node?
      const lostNode = model.dbs[1] as Node;
      const survives = analysisSaysSurvives(model, [lostNode]);
      // And the cut member's side: it alone, every other node lost to it.
      const isolatedSurvives = analysisSaysSurvives(
        model,
        model.cluster.nodes.filter((node) => node !== lostNode),
      );
      const haCodes = analyseHa(model.cluster)
        .findings.filter((finding) => finding.construct === model.xtradb.node.path)
        .map((finding) => finding.code);
      expect(haCodes.includes("galera/no-fault-tolerance")).toBe(!survives);

      lab = new Lab(arbitrator ? "with-garbd" : "without-garbd");
      lab.open();
      const { members, servers, logs } = await formCluster(lab, model);
      const [first, second] = members;
      // Each server is mariadbd, run as the mysql user (the start script and the entrypoint exec it in place).
      const mysqlUid = must("id", ["-u", "mysql"]).trim();
      for (const child of servers) {
        expect(readFileSync(`/proc/${child.pid}/comm`, "utf8").trim()).toBe("mariadbd");
        expect(/^Uid:\s+(\d+)/m.exec(readFileSync(`/proc/${child.pid}/status`, "utf8"))?.[1]).toBe(mysqlUid);
      }
      const variable = (name: string) => sql(first.socket, `SELECT @@${name}`).stdout.trim();
      expect(variable("wsrep_cluster_name")).toBe(model.xtradb.clusterName);
      expect(variable("wsrep_sst_method")).toBe("mariabackup");
      expect(variable("wsrep_provider_options")).toMatch(/socket\.ssl = YES/);
      // The SST donor's account holds only the grants the stack environment asks the image for.
      const grants = sql(first.socket, "SHOW GRANTS FOR 'mysql'@'localhost'").stdout;
      expect(grants).toContain(`GRANT ${first.environment.MARIADB_MYSQL_LOCALHOST_GRANTS} ON *.* TO \`mysql\`@\`localhost\``);
      expect(grants).not.toContain("ALL PRIVILEGES");

      // A write on one member is read on the other.
      const write = sql(
        first.socket,
        "CREATE DATABASE probe; CREATE TABLE probe.t (id INT PRIMARY KEY, v VARCHAR(16)); INSERT INTO probe.t VALUES (1, 'written');",
      );
      expect(write.status, write.output).toBe(0);
      const read = sql(second.socket, "SET SESSION wsrep_sync_wait=1; SELECT v FROM probe.t WHERE id = 1");
      expect(read.stdout.trim(), read.output).toBe("written");

      // The second member's link is cut: its mariadbd runs on, unreachable, and says no goodbye.
      lab.cut(second.host);
      const expected = survives ? "Primary" : "non-Primary";
      const remaining = arbitrator ? "2" : "1";
      await until(
        `${first.name} sees the loss and is ${expected}`,
        () => status(first.socket, "wsrep_cluster_size") === remaining && status(first.socket, "wsrep_cluster_status") === expected,
        60,
        logs,
      );
      const isolated = isolatedSurvives ? "Primary" : "non-Primary";
      await until(`${second.name}, cut off, is ${isolated}`, () => status(second.socket, "wsrep_cluster_status") === isolated, 60, logs);
      // Not a shutdown: the cut member's mariadbd still runs.
      expect(servers[1]?.exitCode).toBeNull();
      expect(servers[1]?.signalCode).toBeNull();
      // The survivor takes writes exactly when it is primary.
      const after = sql(first.socket, "INSERT INTO probe.t VALUES (2, 'after the cut')");
      expect(after.status === 0, after.output).toBe(survives);
    },
    420_000,
  );
});

describe("a real MariaDB Galera cluster whose members Swarm restarts together", () => {
  let lab: Lab | undefined;
  afterEach(async () => {
    await lab?.stop();
    lab = undefined;
  });

  const exited = (child: ChildProcess | undefined) =>
    child === undefined || child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const grastate = (dir: string) => readFileSync(path.join(dir, "data", "grastate.dat"), "utf8");
  const field = (state: string, name: string) => new RegExp(`^${name}:\\s*(\\S+)`, "m").exec(state)?.[1];

  // What galera/restart-together says, checked with the real programs: members stopped together (SIGTERM, as
  // Swarm stops the tasks of a node it marked down) are none safe to bootstrap, with garbd running on or
  // without one, and started again by the start script they find no Primary component; the finding's hint
  // brings the cluster back.
  it.each(WITH_AND_WITHOUT_GARBD)(
    "stays down after every member stopped cleanly at once ($why), as galera/restart-together says, until its hint is followed",
    async ({ arbitrator }) => {
      const model = galeraModel(arbitrator);
      const codes = analyseHa(model.cluster).findings.map((finding) => finding.code);
      expect(codes).toContain("galera/restart-together");

      lab = new Lab(arbitrator ? "restart-together" : "restart-together-alone");
      lab.open();
      const { members, servers, logs, start } = await formCluster(lab, model);
      const [first, second] = members;
      const write = sql(first.socket, "CREATE DATABASE kept; CREATE TABLE kept.t (id INT PRIMARY KEY); INSERT INTO kept.t VALUES (1);");
      expect(write.status, write.output).toBe(0);

      // Both stopped at once, cleanly (garbd, when there is one, runs on).
      await Promise.all(servers.slice(0, 2).map((child) => stopAndWait(child)));
      for (const member of members) {
        const state = grastate(member.dir);
        expect(field(state, "safe_to_bootstrap"), `${member.name}: ${state}`).toBe("0");
        expect(Number(field(state, "seqno")), `${member.name}: ${state}`).toBeGreaterThan(0);
      }

      // Started again by the start script, as Swarm would: each joins the other, finds no Primary component, and
      // gives up (Swarm would start it again, and again).
      const seqnos = new Map(members.map((member) => [member, Number(field(grastate(member.dir), "seqno"))]));
      start(first);
      start(second);
      const retried = servers.slice(-2);
      await Promise.race([Promise.all(retried.map(exited)), sleep(150_000)]);
      for (const [index, child] of retried.entries()) {
        expect(child?.exitCode, `${members[index]?.name} is still running\n${logs()}`).not.toBeNull();
        expect(child?.exitCode).not.toBe(0);
      }
      expect(logs()).toContain(`Failed to open channel '${model.xtradb.clusterName}'`);

      // The hint: the member with the highest seqno (the first on a tie) gets safe_to_bootstrap: 1 and starts; the
      // other, started again, rejoins it.
      const chosen = (seqnos.get(second) ?? 0) > (seqnos.get(first) ?? 0) ? second : first;
      const other = chosen === first ? second : first;
      const file = path.join(chosen.dir, "data", "grastate.dat");
      writeFileSync(file, grastate(chosen.dir).replace(/^safe_to_bootstrap:.*$/m, "safe_to_bootstrap: 1"));
      start(chosen);
      await until(`${chosen.name} bootstraps`, () => status(chosen.socket, "wsrep_cluster_status") === "Primary", 90, logs);
      start(other);
      await until(`${other.name} rejoins and is Synced`, () => status(other.socket, "wsrep_local_state_comment") === "Synced", 120, logs);
      const read = sql(other.socket, "SET SESSION wsrep_sync_wait=1; SELECT id FROM kept.t");
      expect(read.stdout.trim(), read.output).toBe("1");
    },
    420_000,
  );
});
