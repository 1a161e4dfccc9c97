import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { etcdFlags, type EtcdPeer } from "../src/constructs/etcd-flags.js";
import { hostCluster } from "./host-families.fixture.js";

/**
 * A real 3-member etcd cluster on 127.0.0.1, started with the flags the etcd-member unit renders (the same
 * builder), only the addresses, ports and file paths substituted: if the generated flags cannot form a
 * TLS cluster with client-certificate auth, this fails. Certificates come from openssl, not from src/pki,
 * so that this test checks the flags alone.
 */
const dir = mkdtempSync(path.join(tmpdir(), "etcd-real-test-"));
const processes: ChildProcess[] = [];

function run(program: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(program, args, { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ETCDCTL_API: "3" } });
  if (result.error) throw result.error; // a missing tool fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function openssl(...args: string[]): void {
  const result = run("openssl", args);
  if (result.status !== 0) throw new Error(`openssl ${args.join(" ")}: ${result.output}`);
}

/** An EC key and a certificate signed by the test CA, for 127.0.0.1. */
function issue(name: string, usages: string): void {
  writeFileSync(
    path.join(dir, `${name}.ext`),
    `subjectAltName=IP:127.0.0.1,DNS:localhost\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=${usages}\n`,
  );
  openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", `${name}-key.pem`, "-out", `${name}.csr`, "-subj", `/CN=${name}`);
  openssl("x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca-key.pem", "-CAcreateserial", "-days", "1", "-out", `${name}.pem`, "-extfile", `${name}.ext`);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("a real etcd cluster from the generated flags", () => {
  const model = hostCluster();
  let peers: EtcdPeer[] = [];
  const endpoints = (): string => peers.map((peer) => `https://127.0.0.1:${peer.clientPort}`).join(",");
  const client = (...args: string[]): string[] => [
    `--endpoints=${endpoints()}`,
    `--cacert=${path.join(dir, "ca.pem")}`,
    `--cert=${path.join(dir, "operator.pem")}`,
    `--key=${path.join(dir, "operator-key.pem")}`,
    "--dial-timeout=2s",
    "--command-timeout=3s",
    ...args,
  ];

  beforeAll(async () => {
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca-key.pem", "-out", "ca.pem", "-days", "1", "-subj", "/CN=etcd-real-test-ca");
    // The members' certificates have the peer profile (server + client auth), as the nodes' do.
    for (const member of model.managers) issue(member.hostname, "serverAuth,clientAuth");
    issue("operator", "clientAuth");

    // The model's members, moved to loopback with ports of their own.
    peers = [];
    for (const member of model.managers) {
      peers.push({ name: member.hostname, host: "127.0.0.1", clientPort: await freePort(), peerPort: await freePort() });
    }
    for (const self of peers) {
      const flags = etcdFlags({
        self,
        peers,
        clusterToken: model.cluster.name,
        dataDir: path.join(dir, `${self.name}.etcd`),
        tls: { ca: path.join(dir, "ca.pem"), cert: path.join(dir, `${self.name}.pem`), key: path.join(dir, `${self.name}-key.pem`) },
      });
      const log = openSync(path.join(dir, `${self.name}.log`), "w");
      processes.push(spawn("etcd", flags, { cwd: dir, stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "" } }));
    }
  });

  afterAll(async () => {
    for (const child of processes) child.kill("SIGTERM");
    await Promise.all(processes.map((child) => (child.exitCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined)));
    rmSync(dir, { recursive: true, force: true });
  });

  it("forms a healthy cluster that requires client certificates", async () => {
    let health = { status: null as number | null, output: "" };
    for (let attempt = 0; attempt < 60; attempt++) {
      health = run("etcdctl", client("endpoint", "health"));
      if (health.status === 0) break;
      await sleep(500);
    }
    const logs = peers.map((peer) => readFileSync(path.join(dir, `${peer.name}.log`), "utf8").slice(-2000)).join("\n");
    expect(health.status, `${health.output}\n${logs}`).toBe(0);
    expect(health.output.match(/is healthy/g)).toHaveLength(3);

    const members = run("etcdctl", client("member", "list"));
    expect(members.status).toBe(0);
    for (const peer of peers) expect(members.output).toContain(`${peer.name}, https://127.0.0.1:${peer.peerPort}`);

    expect(run("etcdctl", client("put", "swarm/test", "ok")).status).toBe(0);
    expect(run("etcdctl", client("get", "--print-value-only", "swarm/test")).output.trim()).toBe("ok");

    // client-cert-auth: the CA alone is not enough to talk to the cluster.
    const anonymous = run("etcdctl", [`--endpoints=${endpoints()}`, `--cacert=${path.join(dir, "ca.pem")}`, "--dial-timeout=2s", "--command-timeout=3s", "endpoint", "health"]);
    expect(anonymous.status).not.toBe(0);
  });
});
