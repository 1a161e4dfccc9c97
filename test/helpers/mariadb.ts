import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chownSync, existsSync, mkdirSync } from "node:fs";
import { createServer, type AddressInfo } from "node:net";
import path from "node:path";

/**
 * A Debian MariaDB server (mariadbd) for a system test: run as the `mysql` user on a data dir of its own under
 * `dir`, listening on a socket there and on loopback only, stopped by its pid. With `galera`, it is a one-member
 * Galera cluster (galera-4's provider, bootstrapped on loopback): what wsrep_* statements need. A `dataDir` that
 * already holds data (a restore) is started as it is; an empty or missing one is initialised first.
 */
export interface MariaDb {
  readonly dir: string;
  readonly dataDir: string;
  /** The server's own folder (it runs as `mysql`): socket, pid file, logs. */
  readonly runDir: string;
  readonly socket: string;
  readonly port: number;
  readonly errorLog: string;
  /** Runs SQL as root over the socket (or with an option file's account); stdout of --batch --skip-column-names. */
  sql(statement: string, options?: { optionFile?: string }): { status: number | null; stdout: string; stderr: string };
  stop(): Promise<void>;
  /** SIGKILL at once, for a process `exit` handler (which cannot wait): the server must not outlive a test. */
  kill(): void;
}

export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, "127.0.0.1", resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

function mysqlIds(): { uid: number; gid: number } {
  const id = (flag: string) => {
    const run = spawnSync("id", [flag, "mysql"], { encoding: "utf8" });
    if (run.error) throw run.error;
    return Number(run.stdout.trim());
  };
  return { uid: id("-u"), gid: id("-g") };
}

export interface MariaDbOptions {
  readonly galera?: boolean;
  readonly dataDir?: string;
  /** More server options, after the helper's own (for example a general log). */
  readonly serverOptions?: readonly string[];
}

export async function startMariaDb(dir: string, options: MariaDbOptions = {}): Promise<MariaDb> {
  const { uid, gid } = mysqlIds();
  const runDir = path.join(dir, "run");
  const dataDir = options.dataDir ?? path.join(dir, "data");
  mkdirSync(runDir, { recursive: true });
  chownSync(runDir, uid, gid);
  const socket = path.join(runDir, "mysqld.sock");
  const errorLog = path.join(runDir, "error.log");
  if (!existsSync(path.join(dataDir, "mysql"))) {
    mkdirSync(dataDir, { recursive: true });
    chownSync(dataDir, uid, gid);
    const install = spawnSync(
      "mariadb-install-db",
      [
        "--no-defaults",
        "--user=mysql",
        `--datadir=${dataDir}`,
        "--skip-test-db",
        "--auth-root-authentication-method=socket",
        `--tmpdir=${runDir}`,
      ],
      { encoding: "utf8", timeout: 120_000 },
    );
    if (install.error) throw install.error;
    if (install.status !== 0) throw new Error(`mariadb-install-db: ${install.stderr}`);
  }
  const port = await freePort();
  const galera = options.galera
    ? [
        "--wsrep-on=ON",
        "--wsrep-provider=/usr/lib/galera/libgalera_smm.so",
        "--wsrep-cluster-address=gcomm://",
        "--wsrep-new-cluster",
        "--wsrep-node-address=127.0.0.1",
        `--wsrep-provider-options=gmcast.listen_addr=tcp://127.0.0.1:${await freePort()};base_port=${await freePort()}`,
        "--binlog-format=ROW",
        "--innodb-autoinc-lock-mode=2",
      ]
    : [];
  const server: ChildProcess = spawn(
    "mariadbd",
    [
      "--no-defaults",
      "--user=mysql",
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      `--tmpdir=${runDir}`,
      "--bind-address=127.0.0.1",
      `--port=${port}`,
      "--skip-name-resolve",
      `--pid-file=${path.join(runDir, "mysqld.pid")}`,
      `--log-error=${errorLog}`,
      ...galera,
      ...(options.serverOptions ?? []),
    ],
    { stdio: "ignore" },
  );
  const sql: MariaDb["sql"] = (statement, sqlOptions = {}) => {
    const run = spawnSync(
      "mariadb",
      [
        ...(sqlOptions.optionFile ? [`--defaults-extra-file=${sqlOptions.optionFile}`] : ["--no-defaults", "--user=root"]),
        `--socket=${socket}`,
        "--batch",
        "--skip-column-names",
        "--execute",
        statement,
      ],
      { encoding: "utf8", timeout: 60_000 },
    );
    if (run.error) throw run.error;
    return { status: run.status, stdout: run.stdout, stderr: run.stderr };
  };
  const exited = new Promise<void>((resolve) => server.on("exit", () => resolve()));
  for (let attempt = 0; attempt < 240 && server.exitCode === null && sql("SELECT 1").status !== 0; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  if (sql("SELECT 1").status !== 0) {
    if (server.exitCode === null) server.kill("SIGKILL");
    throw new Error(`mariadbd did not start; see ${errorLog}`);
  }
  return {
    dir,
    dataDir,
    runDir,
    socket,
    port,
    errorLog,
    sql,
    async stop() {
      if (server.exitCode === null && server.signalCode === null) {
        server.kill("SIGTERM");
        await exited;
      }
    },
    kill() {
      if (server.exitCode === null && server.signalCode === null) server.kill("SIGKILL");
    },
  };
}
