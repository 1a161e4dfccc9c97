import { spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { analyseHa } from "../../src/analysis/ha.js";
import type { StackFile, StackService } from "../../src/imports/docker-stack-v3.js";
import { Cluster, Node, OverlayNetwork, ProxySql, Secret, Stack, Testing, XtraDbCluster } from "../../src/index.js";
import type { Tier } from "../../src/index.js";
import type { XtraDbClusterProps } from "../../generators/xtradb/xtradb-cluster.js";
import { validateModel } from "../../src/validate/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-xtradb-"));
  temps.push(dir);
  return dir;
}

/** Three app managers, a proxy host and `dbs` database nodes; an XtraDB cluster over the db nodes + garbd. */
function dbCluster(options: { dbs?: number; props?: (cluster: Cluster) => Partial<XtraDbClusterProps>; proxy?: boolean } = {}) {
  const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  const node = (hostname: string, tier: Tier, ip: number, extra: { swarmRole?: "manager" } = {}) =>
    new Node(cluster, hostname, { tier, privateIp: `10.0.0.${ip}`, ...extra });
  const app = [1, 2, 3].map((i) => node(`app-${i}`, "app", 10 + i, { swarmRole: "manager" }));
  const proxyHost = node("sql", "proxy", 31);
  const dbs = Array.from({ length: options.dbs ?? 2 }, (_, i) => node(`db-${i + 1}`, "db", 41 + i));
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const stack = new Stack(cluster, "db");
  const monitor = new Secret(cluster, "proxysql_monitor", { description: "monitor" });
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack,
    network: dbnet,
    nodes: dbs,
    arbitrator: proxyHost,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
    ...options.props?.(cluster),
  });
  if (options.proxy !== false) {
    new ProxySql(cluster, "proxysql", {
      stack,
      networks: [dbnet],
      database: xtradb,
      placement: { tier: "proxy" },
      credentials: {
        admin: new Secret(cluster, "proxysql_admin", { description: "admin" }),
        monitor,
        users: new Secret(cluster, "proxysql_users", { description: "users" }),
      },
    });
  }
  return { cluster, app, proxyHost, dbs, dbnet, stack, xtradb, monitor };
}

const synth = (cluster: Cluster) => Testing.synth(cluster, { generators: [stacksGenerator] });

function services(files: ReadonlyMap<string, string>): Record<string, StackService> {
  return (parse(files.get("stacks/db.yml") ?? "") as StackFile).services ?? {};
}

/** Writes a generated script with its in-container absolute paths pointed into `dir` (the test cannot write /). */
function localScript(content: string, dir: string, paths: Record<string, string>): string {
  let local = content;
  for (const [from, to] of Object.entries(paths)) local = local.split(from).join(to);
  const file = path.join(dir, "script.sh");
  writeFileSync(file, local);
  return file;
}

/** A loopback address nothing listens on: connections to it are refused. */
async function freeLoopbackAddress(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `127.0.0.1:${port}`;
}

/**
 * Runs a command without blocking the event loop (the test's listeners must keep accepting). With
 * `killAfterMs`, the way to observe a script that waits, its whole process group (its `sleep` too) is
 * killed then.
 */
function run(command: string, args: string[], env: Record<string, string>, killAfterMs?: number) {
  return new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const child = spawn(command, args, { env, detached: true });
    const killGroup = () => {
      try {
        process.kill(-(child.pid as number), "SIGTERM");
      } catch {
        // Already gone.
      }
    };
    const kill = killAfterMs === undefined ? undefined : setTimeout(killGroup, killAfterMs);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (status) => {
      clearTimeout(kill);
      resolve({ status, stdout, stderr });
    });
  });
}

describe("XtraDB bootstrap", () => {
  it("lets only the first member bootstrap; members know every other member and the arbitrator", async () => {
    const members = Object.entries(services(await synth(dbCluster({ dbs: 3 }).cluster))).filter(([name]) => name.startsWith("pxc-"));
    const env = members.map(([name, service]) => {
      const { CLUSTER_JOIN, PXC_PEERS, PXC_ARBITRATOR } = service.environment as Record<string, string>;
      return [name, CLUSTER_JOIN, PXC_PEERS, PXC_ARBITRATOR];
    });
    expect(env).toEqual([
      ["pxc-1", "", "pxc-2,pxc-3", "garbd"],
      ["pxc-2", "pxc-1", "pxc-1,pxc-3", "garbd"],
      ["pxc-3", "pxc-1,pxc-2", "pxc-1,pxc-2", "garbd"],
    ]);
    const noArbitrator = services(await synth(dbCluster({ props: () => ({ arbitrator: undefined }) }).cluster));
    expect(noArbitrator["pxc-1"]?.environment).not.toHaveProperty("PXC_ARBITRATOR");
  });

  it("runs every member through the start script, which hands mysqld to the image's entrypoint", async () => {
    const files = await synth(dbCluster().cluster);
    for (const name of ["pxc-1", "pxc-2"]) {
      const member = services(files)[name];
      expect(member?.entrypoint).toEqual(["bash", "/usr/local/bin/swarm-cluster-start.sh"]);
      expect(member?.command).toEqual(["mysqld"]);
      expect(member?.configs).toContainEqual({ source: "xtradb-start.sh", target: "/usr/local/bin/swarm-cluster-start.sh" });
    }
    const script = files.get("stacks/db/xtradb-start.sh") ?? "";
    const lint = spawnSync("shellcheck", ["-"], { input: script, encoding: "utf8" });
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });

  /**
   * Loopback stand-ins for the other Galera processes: LISTENING accepts connections (a peer whose Galera
   * process runs), CLOSED refuses them (a peer that is down). Tests never probe the real service names.
   */
  let listening: Server;
  const addresses = { LISTENING: "", CLOSED: "" };
  beforeAll(async () => {
    listening = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => listening.listen(0, "127.0.0.1", resolve));
    addresses.LISTENING = `127.0.0.1:${(listening.address() as AddressInfo).port}`;
    addresses.CLOSED = await freeLoopbackAddress();
  });
  afterAll(() => new Promise((resolve) => listening.close(resolve)));
  const loopback = (symbolic: string) => symbolic.replace(/LISTENING|CLOSED/g, (name) => addresses[name as keyof typeof addresses]);

  /** Runs the start script of `member` as the container would, with the fake entrypoint (and garbd) in `dir`. */
  async function start(
    member: string,
    options: { state?: string; env?: Record<string, string>; args?: string[]; killAfterMs?: number; prepare?: (dir: string) => void },
  ) {
    const files = await synth(dbCluster({ dbs: 3 }).cluster);
    const environment = services(files)[member]?.environment as Record<string, string>;
    const dir = tempDir();
    mkdirSync(path.join(dir, "data"));
    if (options.state) writeFileSync(path.join(dir, "data", "grastate.dat"), options.state);
    for (const fake of ["entrypoint.sh", "garbd"]) {
      writeFileSync(path.join(dir, fake), `#!/bin/bash\nprintf "%s|%s\\n" "\${CLUSTER_JOIN-unset}" "${fake} $*"\n`);
      chmodSync(path.join(dir, fake), 0o755);
    }
    options.prepare?.(dir);
    const script = localScript(files.get("stacks/db/xtradb-start.sh") ?? "", dir, {
      "/var/lib/mysql": path.join(dir, "data"),
      "/entrypoint.sh": path.join(dir, "entrypoint.sh"),
      "/docker-entrypoint-initdb.d/swarm-cluster-accounts.sh": path.join(dir, "accounts.sh"),
    });
    const env = { ...environment, ...options.env, PATH: `${dir}:${process.env.PATH ?? ""}` };
    return run("bash", [script, ...(options.args ?? ["mysqld"])], env, options.killAfterMs);
  }

  // The state of a member's data dir and the peers that answer → the CLUSTER_JOIN the image's entrypoint receives.
  const grastate = (safe: 0 | 1) =>
    `# GALERA saved state\nversion: 2.1\nuuid:    6c3b0f4e-0000-11ef-8000-000000000001\nseqno:   -1\nsafe_to_bootstrap: ${safe}\n`;
  interface StartRow {
    readonly why: string;
    readonly member: string;
    readonly state?: string;
    /** PXC_PEERS and PXC_ARBITRATOR in LISTENING/CLOSED terms; the service's own values when absent. */
    readonly peers?: string;
    readonly arbitrator?: string;
    readonly join: string;
    readonly says?: string;
  }
  const rows: StartRow[] = [
    {
      why: "a first member without data joins when a member answers on Galera's port (its volume was emptied under a running cluster)",
      member: "pxc-1",
      peers: "CLOSED,LISTENING",
      arbitrator: "CLOSED",
      join: "CLOSED,LISTENING",
      says: "no data here, but LISTENING answers: joining CLOSED,LISTENING for a full copy instead of bootstrapping",
    },
    {
      why: "a first member without data joins the members when only the arbitrator answers",
      member: "pxc-1",
      peers: "CLOSED,CLOSED",
      arbitrator: "LISTENING",
      join: "CLOSED,CLOSED",
      says: "but LISTENING answers",
    },
    {
      why: "a first member without data bootstraps when no member nor the arbitrator answers (first deploy)",
      member: "pxc-1",
      peers: "CLOSED,CLOSED",
      arbitrator: "CLOSED",
      join: "",
      says: "no other member answered within 0s: bootstrapping a new cluster",
    },
    {
      why: "another member without data joins every other member once one answers",
      member: "pxc-3",
      peers: "CLOSED,LISTENING",
      join: "CLOSED,LISTENING",
      says: "LISTENING answers",
    },
    { why: "a restarted first member rejoins instead of bootstrapping", member: "pxc-1", state: grastate(0), join: "pxc-2,pxc-3" },
    { why: "a restarted member joins every other member", member: "pxc-2", state: grastate(0), join: "pxc-1,pxc-3" },
    { why: "the member that left a clean shutdown last re-forms the cluster", member: "pxc-2", state: grastate(1), join: "" },
  ];
  it.each(rows)("$why", async ({ member, state, peers, arbitrator, join, says }) => {
    const env: Record<string, string> = { GALERA_PROBE_SECONDS: "0" };
    if (peers !== undefined) env.PXC_PEERS = loopback(peers);
    if (arbitrator !== undefined) env.PXC_ARBITRATOR = loopback(arbitrator);
    const result = await start(member, { state, env });
    expect(result.stdout).toBe(`${loopback(join)}|entrypoint.sh mysqld\n`);
    expect(result.status).toBe(0);
    if (says) expect(result.stderr).toContain(loopback(says));
    else expect(result.stderr).toBe("");
  });

  it("keeps probing for the probe's duration, so a first member hears a member that comes up meanwhile", async () => {
    const address = await freeLoopbackAddress();
    // Up 1 s after the first member starts probing: heard at its second round, 3 s in.
    const late = createServer((socket) => socket.destroy());
    const comesUp = setTimeout(() => late.listen(Number(address.split(":")[1]), "127.0.0.1"), 1000);
    try {
      const result = await start("pxc-1", { env: { PXC_PEERS: address, PXC_ARBITRATOR: loopback("CLOSED"), GALERA_PROBE_SECONDS: "10" } });
      expect(result.stdout).toBe(`${address}|entrypoint.sh mysqld\n`);
      expect(result.stderr).toContain(`${address} answers`);
    } finally {
      clearTimeout(comesUp);
      if (late.listening) await new Promise((resolve) => late.close(resolve));
    }
  });

  it("holds another member without data back, its Galera port closed, while no member answers", async () => {
    const result = await start("pxc-2", { env: { PXC_PEERS: loopback("CLOSED,CLOSED") }, killAfterMs: 1500 });
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`waiting until one of ${loopback("CLOSED,CLOSED")} answers on port 4567 before starting`);
  });

  it("starts garbd through the start script once a member answers, and only then", async () => {
    const files = await synth(dbCluster().cluster);
    const garbd = services(files).garbd;
    expect(garbd?.entrypoint).toEqual(["bash", "/usr/local/bin/swarm-cluster-start.sh"]);
    expect(garbd?.configs).toContainEqual({ source: "xtradb-start.sh", target: "/usr/local/bin/swarm-cluster-start.sh" });
    expect(garbd?.environment).toEqual({ PXC_PEERS: "pxc-1,pxc-2" });
    const args = ["garbd", "--group", "xtracluster"];
    const up = await start("garbd", { args, env: { PXC_PEERS: loopback("CLOSED,LISTENING") } });
    expect(up.stdout).toBe("unset|garbd --group xtracluster\n");
    const down = await start("garbd", { args, env: { PXC_PEERS: loopback("CLOSED") }, killAfterMs: 1500 });
    expect(down.stdout).toBe("");
    expect(down.stderr).toContain("before starting");
  });
  it("applies the accounts again when the member holding them starts with data, retrying until the server takes them", async () => {
    let dir = "";
    const up = await start("pxc-1", {
      state: grastate(0),
      env: { PXC_PEERS: loopback("LISTENING"), ACCOUNTS_RETRY_SECONDS: "0" },
      prepare: (folder) => {
        dir = folder;
        mkdirSync(path.join(folder, "data", "mysql"));
        // The server's version, which the start script records so the entrypoint skips its mysql_upgrade step.
        writeFileSync(path.join(folder, "mysqld"), "#!/bin/bash\necho 'mysqld  Ver 8.0.39-30.1'\n", { mode: 0o755 });
        // The accounts script fails once (the server is not up yet), then succeeds.
        writeFileSync(
          path.join(folder, "accounts.sh"),
          `if [[ -e ${folder}/tried ]]; then touch ${folder}/applied; else touch ${folder}/tried; exit 1; fi\n`,
        );
      },
    });
    expect(up.stdout).toContain("|entrypoint.sh mysqld");
    expect(up.stderr).toContain("the accounts have their secrets' current passwords");
    expect(readFileSync(path.join(dir, "applied"), "utf8")).toBe("");
    expect(readFileSync(path.join(dir, "data", "version_info"), "utf8")).toBe("mysqld  Ver 8.0.39-30.1\n");
  });

  it("leaves a new data dir's accounts to the entrypoint's init", async () => {
    let dir = "";
    await start("pxc-1", {
      env: { PXC_PEERS: loopback("LISTENING"), ACCOUNTS_RETRY_SECONDS: "0" },
      prepare: (folder) => {
        dir = folder;
        writeFileSync(path.join(folder, "accounts.sh"), `touch ${folder}/applied\n`);
      },
    });
    expect(existsSync(path.join(dir, "applied"))).toBe(false);
  });
});

describe("XtraDB members under Swarm", () => {
  it("gives members time to shut down cleanly and a health check, and docker accepts the stack", async () => {
    const files = await synth(dbCluster().cluster);
    for (const name of ["pxc-1", "pxc-2"]) {
      const member = services(files)[name];
      expect(member?.stop_grace_period).toBe("120s");
      // The health-check account's option file: the password never enters the command line.
      expect(member?.healthcheck?.test).toEqual(["CMD", "mysqladmin", "--defaults-extra-file=/run/secrets/xtradb_healthcheck", "status"]);
      expect(member?.secrets).toContain("xtradb_healthcheck");
      expect(member?.healthcheck?.start_period).toBe("1h");
      expect(member?.deploy?.update_config?.failure_action).toBe("rollback");
    }
    const dir = tempDir();
    for (const [file, content] of files) {
      mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
      writeFileSync(path.join(dir, file), content);
    }
    const docker = spawnSync("docker", ["stack", "config", "-c", path.join(dir, "stacks", "db.yml")], { encoding: "utf8" });
    expect(docker.stderr).toBe("");
    expect(docker.status).toBe(0);
    expect(parse(docker.stdout).services["pxc-1"].stop_grace_period).toBe("2m0s");
  });

  it("notes that members must be rolled one at a time (advice, not a fault: --strict passes)", () => {
    const finding = analyseHa(dbCluster().cluster).findings.find((f) => f.code === "galera/rolling-update");
    expect(finding?.severity).toBe("info");
    expect(finding?.message).toContain("db_pxc-1, db_pxc-2");
    expect(finding?.hint).toContain("one at a time");
  });

  it("runs garbd from an image that ships it, with the members' TLS", async () => {
    const files = await synth(dbCluster().cluster);
    const garbd = services(files).garbd;
    expect(garbd?.image).not.toMatch(/^percona\/percona-xtradb-cluster:/);
    expect(garbd?.image).toMatch(/pxc8\.0-backup/);
    expect(garbd?.command).toEqual([
      "garbd",
      "--group",
      "xtracluster",
      "--address",
      "gcomm://pxc-1,pxc-2",
      "--options",
      "socket.ssl_ca=/run/secrets/xtradb_tls_ca;socket.ssl_cert=/run/secrets/xtradb_tls_cert;socket.ssl_key=/run/secrets/xtradb_tls_key;socket.ssl_cipher=",
    ]);
    expect(garbd?.secrets).toEqual(["xtradb_tls_ca", "xtradb_tls_cert", "xtradb_tls_key"]);
  });
});

describe("XtraDB Galera TLS", () => {
  it("turns cluster-traffic encryption on explicitly, with one CA and certificate from Docker secrets", async () => {
    const files = await synth(dbCluster().cluster);
    const cnf = files.get("stacks/db/xtradb.cnf") ?? "";
    expect(cnf).toMatch(/^pxc-encrypt-cluster-traffic=ON$/m);
    expect(cnf).toMatch(/^ssl-ca=\/run\/secrets\/xtradb_tls_ca$/m);
    expect(cnf).toMatch(/^ssl-cert=\/run\/secrets\/xtradb_tls_cert$/m);
    expect(cnf).toMatch(/^ssl-key=\/run\/secrets\/xtradb_tls_key$/m);
    expect(cnf).not.toMatch(/BEGIN/);
    for (const name of ["pxc-1", "pxc-2"]) {
      const member = services(files)[name];
      expect(member?.secrets).toEqual(expect.arrayContaining(["xtradb_tls_ca", "xtradb_tls_cert", "xtradb_tls_key"]));
      expect(member?.configs).toContainEqual({ source: "xtradb.cnf", target: "/etc/percona-xtradb-cluster.conf.d/swarm-cluster.cnf" });
    }
    const stack = parse(files.get("stacks/db.yml") ?? "") as StackFile;
    expect(stack.secrets?.xtradb_tls_key).toEqual({ external: true, name: "xtradb_tls_key_v1" });
  });

  it("uses the TLS secrets given instead of deriving them", async () => {
    const { cluster } = dbCluster({
      props: (c) => ({
        tls: {
          ca: new Secret(c, "galera_ca", { description: "CA" }),
          cert: new Secret(c, "galera_cert", { description: "cert" }),
          key: new Secret(c, "galera_key", { description: "key" }),
        },
      }),
    });
    const files = await synth(cluster);
    expect(files.get("stacks/db/xtradb.cnf")).toContain("ssl-key=/run/secrets/galera_key\n");
    // Only the bootstrapping member needs root's password (for the accounts script).
    expect(services(files)["pxc-2"]?.secrets).toEqual(["galera_ca", "galera_cert", "galera_key", "xtradb_healthcheck", "xtradb_backup"]);
    expect(cluster.secrets.map((secret) => secret.name)).not.toContain("xtradb_tls_ca");
  });
});

describe("the accounts script", () => {
  it("is mounted on the first member's bootstrap only, with every duty's secret, and shellcheck passes it", async () => {
    const files = await synth(dbCluster().cluster);
    const [first, second] = [services(files)["pxc-1"], services(files)["pxc-2"]];
    expect(first?.configs).toContainEqual({
      source: "xtradb-accounts.sh",
      target: "/docker-entrypoint-initdb.d/swarm-cluster-accounts.sh",
    });
    expect(first?.secrets).toEqual(expect.arrayContaining(["mysql_root_password", "proxysql_monitor", "xtradb_exporter", "xtradb_backup"]));
    expect(second?.configs?.map((config) => (typeof config === "string" ? config : config.source))).not.toContain("xtradb-accounts.sh");
    expect(second?.secrets).not.toContain("proxysql_monitor");
    expect(second?.secrets).not.toContain("mysql_root_password");
    // No password reaches the image's entrypoint (it traces, exports and passes root's as an argument).
    for (const member of [first, second]) {
      expect(Object.keys(member?.environment ?? {}).filter((name) => /PASSWORD_FILE$|^MYSQL_(USER|DATABASE)$/.test(name))).toEqual([]);
    }
    expect(first?.environment).toMatchObject({ MYSQL_ALLOW_EMPTY_PASSWORD: "yes", MYSQL_ROOT_HOST: "localhost" });
    const lint = spawnSync("shellcheck", ["-"], { input: files.get("stacks/db/xtradb-accounts.sh"), encoding: "utf8" });
    expect(lint.stdout).toBe("");
    expect(lint.status).toBe(0);
  });

  it("creates no monitor account when no ProxySQL watches the cluster", async () => {
    const files = await synth(dbCluster({ proxy: false }).cluster);
    expect(files.get("stacks/db/xtradb-accounts.sh")).not.toContain("'monitor'@'%'");
  });

  /** Sources the script as the image's entrypoint does: traced, with `mysql` as the client command. */
  async function runInit(secretLine: string) {
    const files = await synth(dbCluster().cluster);
    const dir = tempDir();
    writeFileSync(path.join(dir, "proxysql_monitor"), secretLine);
    writeFileSync(path.join(dir, "mysql_root_password"), "R00tPassword");
    for (const duty of ["backup", "healthcheck", "exporter"])
      writeFileSync(path.join(dir, `xtradb_${duty}`), `[client]\nuser=${duty}\npassword=${duty}Pw9\n`);
    const script = localScript(files.get("stacks/db/xtradb-accounts.sh") ?? "", dir, {});
    return spawnSync("bash", ["-c", `set -eo pipefail; set -o xtrace; mysql=(cat); . "${script}"; : traced again`], {
      encoding: "utf8",
      env: { ...process.env, SWARM_CLUSTER_SECRETS_DIR: dir },
    });
  }

  it("creates monitor@'%' with the secret's password, without tracing it", async () => {
    const run = await runInit('monitor_password="s3cretPw42";\n');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("DROP USER IF EXISTS 'xtrabackup'@'localhost', 'clustercheck'@'localhost', 'monitor'@'localhost';");
    expect(run.stdout).toContain("CREATE USER IF NOT EXISTS 'monitor'@'%' IDENTIFIED BY 's3cretPw42' WITH MAX_USER_CONNECTIONS 10;");
    expect(run.stdout).toContain("GRANT SELECT ON performance_schema.* TO 'monitor'@'%';");
    expect(run.stdout).toContain("ALTER USER 'root'@'localhost' IDENTIFIED BY 'R00tPassword';");
    expect(run.stderr).not.toContain("s3cret");
    expect(run.stderr).not.toContain("R00t");
    expect(run.stderr).toContain("+ : traced again");
  });

  it.each([
    { line: 'monitor_password="it\'s"\n', why: "a quote would end the SQL string" },
    { line: 'monitor_password="back\\\\slash"\n', why: "a backslash is an escape in both libconfig and SQL" },
    { line: 'admin_credentials="admin:x"\n', why: "the secret holds no monitor_password line" },
  ])("stops the bootstrap when $why", async ({ line }) => {
    const run = await runInit(line);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("proxysql_monitor holds no proxysql-monitor password");
    expect(run.stdout).toBe("");
  });
});

describe("XtraDB validation", () => {
  const byName = (cluster: Cluster, hostname: string) => cluster.nodes.find((node) => node.hostname === hostname) as Node;
  const foreign = () =>
    new Node(new Cluster({ name: "o", privateNetwork: "10.9.0.0/24", domain: "o", sshAuthorizedKeys: [TEST_SSH_KEY] }), "db-9", {
      tier: "db",
      privateIp: "10.9.0.9",
    });

  interface Row {
    readonly name: string;
    readonly props?: (cluster: Cluster) => Partial<XtraDbClusterProps>;
    readonly extra?: (fixture: ReturnType<typeof dbCluster>) => void;
    readonly code: string;
    readonly field: string;
    readonly says: string;
  }
  const rows: Row[] = [
    {
      name: "two members on one node",
      props: (c) => ({ nodes: [byName(c, "db-1"), byName(c, "db-2"), byName(c, "db-1")] }),
      code: "galera/members-share-node",
      field: "nodes[2]",
      says: "node db-1 already holds member pxc-1",
    },
    {
      name: "the arbitrator on a data node",
      props: (c) => ({ arbitrator: byName(c, "db-2") }),
      code: "galera/arbitrator-on-member-node",
      field: "arbitrator",
      says: "the arbitrator runs on db-2, which holds member pxc-2",
    },
    {
      name: "a member on an app node",
      props: (c) => ({ nodes: [byName(c, "db-1"), byName(c, "app-1")] }),
      code: "galera/member-off-db-tier",
      field: "nodes[1]",
      says: "member node app-1 is in the app tier, not db",
    },
    {
      name: "a member on a node of another cluster",
      props: (c) => ({ nodes: [byName(c, "db-1"), foreign()] }),
      code: "galera/node-not-in-cluster",
      field: "nodes[1]",
      says: "node db-9 is not declared in this cluster",
    },
    {
      name: "the arbitrator on a node of another cluster",
      props: () => ({ arbitrator: foreign() }),
      code: "galera/node-not-in-cluster",
      field: "arbitrator",
      says: "node db-9 is not declared in this cluster",
    },
    {
      name: "two ProxySQLs with different monitor secrets",
      extra: ({ cluster, xtradb, dbnet }) =>
        new ProxySql(cluster, "proxysql-2", {
          stack: new Stack(cluster, "db2"),
          networks: [dbnet],
          database: xtradb,
          placement: { tier: "proxy" },
          credentials: {
            admin: cluster.secrets.find((s) => s.name === "proxysql_admin") as Secret,
            monitor: new Secret(cluster, "other_monitor", { description: "monitor" }),
            users: cluster.secrets.find((s) => s.name === "proxysql_users") as Secret,
          },
        }),
      code: "galera/monitor-secrets-differ",
      field: "",
      says: "proxysql_monitor, other_monitor",
    },
  ];

  it.each(rows)("reports $name, located on the XtraDB cluster", ({ props, extra, code, field, says }) => {
    const fixture = dbCluster({ props });
    extra?.(fixture);
    const found = validateModel(fixture.cluster).filter((p) => p.code.startsWith("galera/"));
    expect(found.map((p) => [p.code, p.construct, p.field])).toEqual([[code, "cluster/xtradb", field]]);
    expect(found[0]?.message).toContain(says);
    expect(found[0]?.hint).not.toBe("");
  });

  it("accepts distinct db nodes with the arbitrator elsewhere", () => {
    expect(validateModel(dbCluster({ dbs: 3 }).cluster)).toEqual([]);
  });
});

describe("the application's database", () => {
  it("is created by the bootstrapping member's accounts script, from the same secret the application reads", async () => {
    const { cluster } = dbCluster({
      props: (c) => ({
        database: { name: "wordpress", user: "wp", password: new Secret(c, "wordpress_db_password", { description: "wp" }) },
      }),
    });
    const files = await synth(cluster);
    const all = services(files);
    expect(all["pxc-1"]?.secrets).toContain("wordpress_db_password");
    const script = files.get("stacks/db/xtradb-accounts.sh") ?? "";
    expect(script).toContain("CREATE DATABASE IF NOT EXISTS \\`wordpress\\`;");
    expect(script).toContain("GRANT ALL PRIVILEGES ON \\`wordpress\\`.* TO 'wp'@'%';");
    // Joining members receive the database with the data; they never create it.
    expect(all["pxc-2"]?.secrets).not.toContain("wordpress_db_password");
  });
});
