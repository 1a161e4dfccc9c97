// A real program run for real, end to end: the GENERATED backup scripts back up a Debian MariaDB (mariadbd 10.11,
// a one-member Galera cluster on loopback, so wsrep_desync is real) holding known rows, and a Docker volume; they
// upload to an S3 server on loopback with Debian's AWS CLI v2; the GENERATED restore script downloads, prepares
// (mariabackup) and installs the copy into a fresh data directory, on which a fresh mariadbd starts; the rows are
// compared. The backup account is the one the model declares (its grants, its option-file secret).
//
// Substituted, and only that: the docker CLI, by test/backup/docker-stand-in.sh, which runs each "container" as a
// program of this machine (the member's tools are Debian's mariadb-backup, the same MariaDB 10.11 as the
// mariadb:10.11 image; the AWS CLI image's entrypoint `aws` is Debian's awscli 2.9, the same CLI v2 and the same
// arguments), mapping the container paths the scripts mount to host paths as docker would.
//
// The S3 server is s3rver (npm), a real S3 REST server on loopback that checks AWS signature v4, not Ceph's
// radosgw: Debian's radosgw 16, on a one-mon, one-memstore-OSD cluster started from a minimal config (auth none),
// never served here in the time tried: on the monitor's msgr2 address its client refused to authenticate
// (`get_initial_auth_request returned -13`), on msgr1 only it started but never answered on its port.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientOptionFile } from "../../generators/xtradb/accounts.js";
import { Testing } from "../../src/index.js";
import { copyOf } from "../helpers/host-families.fixture.js";
import { freePort, type MariaDb, startMariaDb } from "../helpers/mariadb.js";
import { backupCluster } from "./backup.fixture.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const base = mkdtempSync(path.join(tmpdir(), "backup-restore-"));
chmodSync(base, 0o755); // mariadbd runs as mysql and reads its files here
const state = path.join(base, "node");
const bin = path.join(base, "bin");
const model = backupCluster();
const BUCKET = "example-org-backups";
const ROWS = [
  [1, "hello, world"],
  [2, 'o\'quoted "both" ways'],
  [3, "ünïcødé ✓"],
] as const;

let s3: ChildProcess | undefined;
let endpoint = "";
const servers: MariaDb[] = [];
let scripts: { volumes: string; database: string; restore: string };

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: `${bin}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
    HOME: base,
    STANDIN_STATE: state,
    STANDIN_AWS_IMAGE: model.backups.awsCliImage,
    STANDIN_MEMBER_SERVICE: "db_pxc-2",
    STANDIN_SOCKET: servers[0]?.socket ?? "",
    BACKUP_AWS_CREDENTIALS: path.join(base, "aws-credentials"),
    BACKUP_S3_ENDPOINT: endpoint,
    ...extra,
  };
}

/** Runs a generated script with bash, asynchronously (the S3 server is a child process, but so is everything). */
function runScript(script: string, args: readonly string[], extra: Record<string, string> = {}) {
  const result = spawnSync("bash", [script, ...args], { encoding: "utf8", env: env(extra), timeout: 300_000 });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function aws(args: readonly string[]) {
  const result = spawnSync("/usr/bin/aws", ["--endpoint-url", endpoint, ...args], {
    encoding: "utf8",
    env: { ...env(), AWS_SHARED_CREDENTIALS_FILE: path.join(base, "aws-credentials"), AWS_DEFAULT_REGION: "eu-west-1" },
  });
  if (result.error) throw result.error;
  return result;
}

beforeAll(async () => {
  mkdirSync(path.join(state, "secrets"), { recursive: true, mode: 0o700 });
  mkdirSync(bin);
  symlinkSync(path.join(here, "docker-stand-in.sh"), path.join(bin, "docker"));
  // s3rver takes the dummy account S3RVER / S3RVER and checks every request's signature with it.
  writeFileSync(path.join(base, "aws-credentials"), "[default]\naws_access_key_id = S3RVER\naws_secret_access_key = S3RVER\n", {
    mode: 0o600,
  });

  const port = await freePort();
  endpoint = `http://127.0.0.1:${port}`;
  s3 = spawn(
    process.execPath,
    [
      path.join(repo, "node_modules/s3rver/bin/s3rver.js"),
      "-d",
      path.join(base, "s3"),
      "-a",
      "127.0.0.1",
      "-p",
      String(port),
      "--silent",
      "--configure-bucket",
      BUCKET,
    ],
    { stdio: "ignore" },
  );
  for (let attempt = 0; attempt < 80 && aws(["s3", "ls", `s3://${BUCKET}`]).status !== 0; attempt++)
    await new Promise((resolve) => setTimeout(resolve, 250));

  const files = await Testing.synth(model.cluster);
  const script = (host: string, name: string) => {
    const text = copyOf(files, host, `files/etc/swarm-cluster/backup/${name}`);
    if (text === undefined) throw new Error(`${host} has no ${name}`);
    const file = path.join(base, `${host}-${name}`);
    writeFileSync(file, text, { mode: 0o755 });
    return file;
  };
  scripts = {
    volumes: script("sw-node-1", "backup-volumes.sh"),
    database: script("sw-db-2", "backup-database.sh"),
    restore: script("sw-db-2", "restore.sh"),
  };

  // The source: a one-member Galera cluster with known rows, and the backup account exactly as the model declares it.
  const source = await startMariaDb(path.join(base, "source"), { galera: true });
  servers.push(source);
  const backup = model.xtradb.accounts("mariadb").find((account) => account.duty === "backup");
  if (!backup) throw new Error("no backup account");
  const password = "b4ckup-secret";
  const values = ROWS.map(([id, text]) => `(${id}, '${text.replaceAll("\\", "\\\\").replaceAll("'", "''")}')`).join(", ");
  const setup = source.sql(
    [
      "CREATE DATABASE wordpress",
      "CREATE TABLE wordpress.posts (id INT PRIMARY KEY, title VARCHAR(200)) CHARACTER SET utf8mb4",
      `INSERT INTO wordpress.posts VALUES ${values}`,
      `CREATE USER '${backup.user}'@'${backup.host}' IDENTIFIED BY '${password}'`,
      ...backup.grants.map((grant) => `GRANT ${grant} TO '${backup.user}'@'${backup.host}'`),
    ].join(";\n"),
  );
  expect(setup.status, setup.stderr).toBe(0);
  writeFileSync(path.join(state, "secrets", model.xtradb.backupCredentials.name), clientOptionFile(backup.user, password), { mode: 0o600 });

  // A node-local volume with files, owners and modes to keep.
  const volume = path.join(state, "volumes", "mng_portainer-data");
  mkdirSync(path.join(volume, "certs"), { recursive: true });
  writeFileSync(path.join(volume, "portainer.db"), "portainer state\n");
  writeFileSync(path.join(volume, "certs", "key.pem"), "not really a key\n", { mode: 0o600 });
  writeFileSync(path.join(state, "users-of-mng_portainer-data"), "portainer-task\n");
}, 600_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  if (s3 && s3.exitCode === null) {
    s3.kill("SIGTERM");
    await new Promise((resolve) => s3?.on("exit", resolve));
  }
  rmSync(base, { recursive: true, force: true });
});

const rowsOf = (server: MariaDb) => server.sql("SELECT id, title FROM wordpress.posts ORDER BY id");

describe("backup and restore, for real", () => {
  it("archives the node's selected volumes with their tasks paused, skipping those not on this node", () => {
    const run = runScript(scripts.volumes, ["mng_portainer-data", "stats_grafana-data"], { BACKUP_HOST: "sw-node-1" });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toContain("stats_grafana-data: not on this node, skipped");
    expect(run.stdout).toMatch(
      /mng_portainer-data: uploaded to s3:\/\/example-org-backups\/test\/volumes\/mng_portainer-data\/sw-node-1\/\S+\.tar\.gz/,
    );
    expect(readFileSync(path.join(state, "events"), "utf8")).toBe("pause portainer-task\nunpause portainer-task\n");
    const listed = aws(["s3api", "list-objects-v2", "--bucket", BUCKET, "--prefix", "test/volumes/"]);
    expect(listed.status, listed.stderr).toBe(0);
    const keys = (JSON.parse(listed.stdout).Contents as { Key: string }[]).map((object) => object.Key);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(`${keys[0]}.done`);
  });

  it("takes a hot physical backup from the member, desynced for the duration, and uploads it", () => {
    const source = servers[0] as MariaDb;
    const run = runScript(scripts.database, ["db_pxc-2"]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain("db_pxc-2: desynced (Donor/Desynced)");
    expect(run.stdout).toMatch(/uploaded to s3:\/\/example-org-backups\/test\/database\/\S+\.xbstream\.gz/);
    // The trap gave the member back to the cluster.
    expect(source.sql("SELECT @@GLOBAL.wsrep_desync").stdout.trim()).toBe("0");
    expect(source.sql("SHOW STATUS LIKE 'wsrep_local_state_comment'").stdout.trim()).toBe("wsrep_local_state_comment\tSynced");
    // The password never was a program argument: the stand-in logs every docker call's arguments.
    expect(readFileSync(path.join(state, "calls"), "utf8")).not.toContain("b4ckup-secret");
  });

  it("restores the latest database backup into a fresh server that holds the same rows", async () => {
    const target = path.join(base, "restored", "data");
    const run = runScript(scripts.restore, ["database", target]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(readFileSync(path.join(target, "grastate.dat"), "utf8")).toMatch(/safe_to_bootstrap: 1\n$/);
    const fresh = await startMariaDb(path.join(base, "restored"), { dataDir: target });
    servers.push(fresh);
    const restored = rowsOf(fresh);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toBe(rowsOf(servers[0] as MariaDb).stdout);
    expect(restored.stdout.trim().split("\n")).toEqual(ROWS.map(([id, text]) => `${id}\t${text.replaceAll("\\", "\\\\")}`));
  });

  it("restores a volume from its latest archive, files and modes as they were", () => {
    const volume = path.join(state, "volumes", "mng_portainer-data");
    rmSync(volume, { recursive: true });
    rmSync(path.join(state, "users-of-mng_portainer-data"));
    const run = runScript(scripts.restore, ["volume", "mng_portainer-data"], { BACKUP_HOST: "sw-node-1" });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(readdirSync(volume).sort()).toEqual(["certs", "portainer.db"]);
    expect(readFileSync(path.join(volume, "portainer.db"), "utf8")).toBe("portainer state\n");
    expect(statSync(path.join(volume, "certs", "key.pem")).mode & 0o777).toBe(0o600);
  });
});
