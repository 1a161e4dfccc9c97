/**
 * A real program run for real: Debian's Ceph (ceph-mon, ceph-osd, ceph, rbd; 16.2.15, the release of the image
 * the units pin) runs the generated ceph.conf and the generated node script, unchanged, the way the units and
 * out/ceph/bootstrap.sh run them, only with Debian's binaries instead of the container's and a scratch folder
 * instead of /etc/ceph and /var/lib/ceph (the script's CEPH_NODE_ETC, CEPH_NODE_DATA, CEPH_NODE_RUN and CEPH_NODE_LOG).
 *
 * In one network namespace holding the three monitor nodes' private addresses: `keys` makes every key and the
 * monitor map; three monitors start (`mon <host>`: mkfs, then ceph-mon as the ceph user) and `ceph -s` answers
 * with all three in quorum; three OSDs start (`osd <id> <device> <host>`), BlueStore on a sparse file each in
 * place of /dev/vdb, each in its own CRUSH host; `setup pools`, `setup filesystem` and `setup images` create the
 * model's pools (3 copies), the CephFS file system and the RBD images; `rbd info` reads them back.
 * Then a manager, a metadata server (the file system becomes active) and the object gateway (`rgw`, which
 * answers S3 on the proxy node's address) start the same way, each creating its key with its bootstrap keyring.
 * Not reached here: the containers themselves (the units' `docker run`), the kernel mounts of the volumes
 * (`volume mount`: the test machine's kernel clients), rbd-mirror to a second cluster.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CephCluster } from "../../generators/ceph/index.js";
import { prepareTree } from "../../src/synth/synthesize.js";
import { Testing } from "../../src/testing.js";

const NS = `ceph-test-${process.pid}`;

function model() {
  const cluster = Testing.cluster({ nodes: { app: 1, proxy: 1, db: 2 } });
  const [db1, db2] = cluster.nodesInTier("db");
  const [proxy] = cluster.nodesInTier("proxy");
  if (!db1 || !db2 || !proxy) throw new Error("the test cluster lacks its nodes");
  const ceph = new CephCluster(cluster, "ceph", {
    fsid: "0f3b9a4e-6a1c-4a53-9d5e-2c7f1b8e4d21",
    monitors: [db1, db2, proxy],
    osds: [db1, db2, proxy],
    pools: [
      { name: "xtradb", application: "rbd", pgNum: 8 },
      { name: "configs", application: "cephfs", pgNum: 8 },
    ],
    fileSystem: { dataPool: "configs" },
    volumes: [
      { name: "database", kind: "rbd", pool: "xtradb", nodes: [db1, db2], size: "64M", holds: "a database node's data directory" },
      { name: "www", kind: "cephfs", nodes: [db1], holds: "the site's files" },
    ],
  });
  prepareTree(cluster);
  const fileOf = (hostPath: string): string => {
    const file = db1.files.find((entry) => entry.filePath === hostPath);
    if (!file) throw new Error(`${db1.hostname} has no ${hostPath}`);
    return file.contents;
  };
  return { ceph, conf: fileOf("/etc/ceph/ceph.conf"), script: fileOf("/opt/ceph/bin/ceph-node.sh"), nodes: [db1, db2, proxy] };
}

const work = mkdtempSync(path.join(tmpdir(), "ceph-test-"));
// The daemons run as the ceph user: it must reach its folders.
chmodSync(work, 0o755);
const dirs = { etc: path.join(work, "etc"), lib: path.join(work, "lib"), run: path.join(work, "run"), log: path.join(work, "log") };
const children: ChildProcess[] = [];
const { ceph, conf, script, nodes } = model();
const confFile = path.join(dirs.etc, "ceph.conf");
const scriptFile = path.join(work, "ceph-node.sh");

const env = {
  ...process.env,
  CEPH_NODE_ETC: dirs.etc,
  CEPH_NODE_DATA: dirs.lib,
  CEPH_NODE_RUN: dirs.run,
  CEPH_NODE_LOG: dirs.log,
  CEPH_CONF: confFile,
  // A sparse 4 GiB file stands for each OSD's disk; the cache kept small for three OSDs on a small machine.
  CEPH_ARGS: "--bluestore-block-size 4294967296 --bluestore-cache-autotune=false --bluestore-cache-size 67108864",
};

function sh(command: string, args: readonly string[], timeout = 60_000) {
  const result = spawnSync(command, args, { env, encoding: "utf8", timeout });
  return { status: result.status, stdout: result.stdout ?? "", output: `${result.stdout ?? ""}${result.stderr ?? ""}` };
}

function must(command: string, args: readonly string[], timeout = 60_000): string {
  const result = sh(command, args, timeout);
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.output}\n${logs()}`);
  // Standard output alone: the ceph CLI reports its keyring search on standard error.
  return result.stdout;
}

/** A command inside the namespace, as the node would run it. */
const inNs = (args: readonly string[], timeout?: number) => must("ip", ["netns", "exec", NS, ...args], timeout);
const node = (args: readonly string[], timeout?: number) => inNs(["bash", scriptFile, ...args], timeout);
const cephCli = (args: readonly string[]) =>
  inNs([
    "ceph",
    "--name",
    "client.admin",
    "--keyring",
    path.join(dirs.etc, "ceph.client.admin.keyring"),
    "--connect-timeout",
    "10",
    ...args,
  ]);

function logs(): string {
  const out: string[] = [];
  for (const child of children)
    out.push(`--- ${child.spawnargs.slice(4).join(" ")}: ${(child as ChildProcess & { captured?: string }).captured ?? ""}`);
  const tail = sh("sh", ["-c", `tail -n 15 ${dirs.log}/*.log 2>/dev/null`]);
  return [...out, tail.output].join("\n").slice(-8000);
}

function start(args: readonly string[]): void {
  const child = spawn("ip", ["netns", "exec", NS, "bash", scriptFile, ...args], {
    env,
    stdio: ["ignore", "pipe", "pipe"],
  }) as ChildProcess & {
    captured?: string;
  };
  child.captured = "";
  const keep = (chunk: Buffer) => {
    child.captured = `${child.captured ?? ""}${chunk.toString()}`.slice(-4000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  children.push(child);
}

async function until(what: string, check: () => boolean, seconds: number): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not within ${seconds}s\n${logs()}`);
}

function cleanup(): void {
  for (const child of children) if (child.exitCode === null && child.pid) spawnSync("kill", ["-TERM", String(child.pid)]);
  const deadline = Date.now() + 10_000;
  while (children.some((child) => child.exitCode === null && child.signalCode === null) && Date.now() < deadline) {
    spawnSync("sleep", ["0.2"]);
  }
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null && child.pid) spawnSync("kill", ["-KILL", String(child.pid)]);
  spawnSync("ip", ["netns", "del", NS]);
  rmSync(work, { recursive: true, force: true });
}

beforeAll(() => {
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  writeFileSync(confFile, conf);
  writeFileSync(scriptFile, script, { mode: 0o755 });
  spawnSync("ip", ["netns", "del", NS]);
  must("ip", ["netns", "add", NS]);
  must("ip", ["-n", NS, "link", "set", "lo", "up"]);
  // The nodes' private addresses on a veth pair held inside the namespace: nothing leaves it.
  must("ip", ["-n", NS, "link", "add", "priv0", "type", "veth", "peer", "name", "priv1"]);
  for (const member of nodes) must("ip", ["-n", NS, "addr", "add", `${member.privateIp}/24`, "dev", "priv0"]);
  must("ip", ["-n", NS, "link", "set", "priv0", "up"]);
  must("ip", ["-n", NS, "link", "set", "priv1", "up"]);
});
afterAll(cleanup);

describe("Ceph from the generated ceph.conf and node script, with Debian's ceph", () => {
  it("ceph.conf names the model's fsid, monitors and networks", () => {
    expect(conf).toContain(`fsid = ${ceph.fsid}`);
    expect(conf).toContain(
      "mon_host = [v2:10.10.1.41:3300,v1:10.10.1.41:6789],[v2:10.10.1.42:3300,v1:10.10.1.42:6789],[v2:10.10.1.31:3300,v1:10.10.1.31:6789]",
    );
    expect(conf).toContain("public_network = 10.10.1.0/24");
  });

  it("makes the keys and monitor map, starts three monitors in quorum, and `ceph -s` answers", async () => {
    must("bash", [scriptFile, "keys"]);
    // Run again: nothing is made twice.
    expect(must("bash", [scriptFile, "keys"])).toContain("nothing to do");
    expect(readFileSync(path.join(dirs.etc, "ceph.client.vol-database.secret"), "utf8")).toMatch(/^[A-Za-z0-9+/=]{40}\n$/);
    for (const member of nodes) start(["mon", member.hostname]);
    let status = "";
    await until(
      "three monitors in quorum",
      () => {
        const result = sh("ip", [
          "netns",
          "exec",
          NS,
          "ceph",
          "--name",
          "client.admin",
          "--keyring",
          path.join(dirs.etc, "ceph.client.admin.keyring"),
          "--connect-timeout",
          "5",
          "quorum_status",
        ]);
        status = result.stdout;
        return result.status === 0 && (JSON.parse(status) as { quorum_names: string[] }).quorum_names.length === 3;
      },
      90,
    );
    expect(JSON.parse(status)).toMatchObject({
      quorum_names: expect.arrayContaining(["sw-db-1", "sw-db-2", "sw-proxy-1"]),
    });
    const health = cephCli(["-s"]);
    expect(health).toContain(`id:     ${ceph.fsid}`);
    expect(health).toMatch(/mon: 3 daemons, quorum/);
    // The monitors run as the ceph user (each child execs into ceph-mon: `ip netns exec`, then the script's exec).
    const monitors = children.map((child) => String(child.pid)).join(",");
    expect(
      must("ps", ["-o", "user=,comm=", "-p", monitors])
        .trim()
        .split("\n")
        .map((line) => line.trim().split(/\s+/).join(" ")),
    ).toEqual(["ceph ceph-mon", "ceph ceph-mon", "ceph ceph-mon"]);
  }, 150_000);

  it("starts three OSDs on file-backed BlueStore, creates the pools, the file system and the RBD images as `setup` does", async () => {
    nodes.forEach((member, id) => start(["osd", String(id), path.join(work, `osd-${id}.img`), member.hostname]));
    await until(
      "three OSDs up and in",
      () =>
        /3 osds: 3 up[^,]*, 3 in/.test(
          sh("ip", [
            "netns",
            "exec",
            NS,
            "ceph",
            "--name",
            "client.admin",
            "--keyring",
            path.join(dirs.etc, "ceph.client.admin.keyring"),
            "--connect-timeout",
            "5",
            "osd",
            "stat",
          ]).output,
        ),
      120,
    );
    node(["setup", "pools"], 120_000);
    node(["setup", "filesystem"]);
    node(["setup", "images"], 120_000);
    // Idempotent: a second run changes nothing and succeeds.
    node(["setup", "pools"], 120_000);
    node(["setup", "images"], 120_000);
    const pools = JSON.parse(cephCli(["osd", "pool", "ls", "detail", "--format", "json"])) as {
      pool_name: string;
      size: number;
      min_size: number;
    }[];
    expect(pools.map((pool) => [pool.pool_name, pool.size, pool.min_size]).sort()).toEqual(
      [
        ["cephfs_metadata", 3, 2],
        ["configs", 3, 2],
        ["xtradb", 3, 2],
      ].sort(),
    );
    expect(cephCli(["fs", "ls"])).toContain("name: cephfs, metadata pool: cephfs_metadata, data pools: [configs ]");
    const images = inNs(["rbd", "--name", "client.admin", "--keyring", path.join(dirs.etc, "ceph.client.admin.keyring"), "ls", "xtradb"]);
    expect(images.trim().split("\n").sort()).toEqual(["database-sw-db-1", "database-sw-db-2"]);
    const info = inNs([
      "rbd",
      "--name",
      "client.admin",
      "--keyring",
      path.join(dirs.etc, "ceph.client.admin.keyring"),
      "info",
      "xtradb/database-sw-db-1",
    ]);
    expect(info).toContain("size 64 MiB");
    expect(info).toMatch(/features: layering, exclusive-lock/);
  }, 240_000);

  it("starts a manager, a metadata server and the object gateway, each with a key its bootstrap keyring made", async () => {
    const [db1, , proxy] = nodes;
    if (!db1 || !proxy) throw new Error("no nodes");
    start(["mgr", db1.hostname]);
    start(["mds", db1.hostname]);
    start(["rgw", proxy.hostname, `${proxy.privateIp}:7480`]);
    await until(
      "the manager active, the file system's MDS up, the gateway active",
      () => {
        const status = sh("ip", [
          "netns",
          "exec",
          NS,
          "ceph",
          "--name",
          "client.admin",
          "--keyring",
          path.join(dirs.etc, "ceph.client.admin.keyring"),
          "--connect-timeout",
          "5",
          "-s",
        ]).output;
        return /mgr: sw-db-1\(active/.test(status) && /mds: 1\/1 daemons up/.test(status) && /rgw: 1 daemon active/.test(status);
      },
      120,
    );
    const s3 = inNs(["curl", "--silent", "--show-error", "--max-time", "10", `http://${proxy.privateIp}:7480/`]);
    expect(s3).toContain("<ListAllMyBucketsResult");
    expect(cephCli(["auth", "ls"])).toMatch(/mgr\.sw-db-1[\s\S]*mds\.sw-db-1|mds\.sw-db-1[\s\S]*mgr\.sw-db-1/);
  }, 180_000);
});
