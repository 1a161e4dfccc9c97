import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ETCD_QUOTA_BACKEND_BYTES, etcdFlags, type EtcdPeer } from "../../generators/etcd/etcd-flags.js";
import { pkiGenerator } from "../../generators/pki/index.js";
import { Simulator } from "../../src/analysis/simulate.js";
import { analyseFailures } from "../../src/analysis/failures.js";
import { ClusterPki, Testing } from "../../src/index.js";
import { mintOperatorCertificate } from "../../src/pki/operator-cert.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { hostCluster, type HostCluster } from "../helpers/host-families.fixture.js";

/**
 * A real 3-member etcd cluster on 127.0.0.1, formed with the certificates the project's PKI issues (the
 * etcd-peer and etcd-client CAs and the members' certificates in each, what ClusterPki declares; an operator's
 * etcd-client certificate minted as `swarm-cluster operator-cert` mints it) and the
 * flags the etcd-member unit renders (the same builder), only addresses, ports and file paths substituted.
 * If the generated certificates or flags cannot form a TLS cluster with client-certificate auth, this fails.
 * The node certificates carry 127.0.0.1 among their IP SANs, so the members verify each other on loopback.
 */
const dir = mkdtempSync(path.join(tmpdir(), "etcd-real-test-"));
const processes: ChildProcess[] = [];

function run(program: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(program, args, { cwd: dir, encoding: "utf8", env: { PATH: process.env.PATH ?? "", ETCDCTL_API: "3" } });
  if (result.error) throw result.error; // a missing tool fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Issues the model's certificates into dir/pki (public) and dir/secrets/pki (keys), as a build would. */
async function issueCertificates(model: HostCluster): Promise<void> {
  new ClusterPki(model.cluster, "pki");
  const result = await Testing.synthResult(model.cluster, { projectDir: dir, generators: [pkiGenerator] });
  writeStateFiles(result.stateWrites);
  const pki = { stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki") };
  const minted = await mintOperatorCertificate(pki, { domain: "etcd-client", name: "operator", ttlMs: 3_600_000 });
  mkdirSync(path.join(dir, "operator"));
  writeFileSync(cert("operator"), minted.certificatePem);
  writeFileSync(key("operator"), minted.privateKeyPem, { mode: 0o600 });
}

type Domain = "etcd-peer" | "etcd-client";
const ca = (domain: Domain = "etcd-client"): string => path.join(dir, "pki", domain, "ca.crt");
const cert = (name: string, domain: Domain = "etcd-client"): string =>
  name === "operator" ? path.join(dir, "operator", "cert.pem") : path.join(dir, "pki", domain, "certs", `${name}.crt`);
const key = (name: string, domain: Domain = "etcd-client"): string =>
  name === "operator" ? path.join(dir, "operator", "key.pem") : path.join(dir, "secrets", "pki", domain, `${name}.key`);

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

/** GET over TLS with the operator's client certificate (client-cert-auth covers /metrics too). */
function getWithClientCertificate(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const options = { ca: readFileSync(ca()), cert: readFileSync(cert("operator")), key: readFileSync(key("operator")) };
    const call = request(url, options, (response) => {
      let body = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (body += chunk));
      response.on("end", () => resolve(body));
    });
    call.on("error", reject);
    call.end();
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("a real etcd cluster from the generated certificates and flags", () => {
  const model = hostCluster();
  let peers: EtcdPeer[] = [];
  const endpoints = (): string => peers.map((peer) => `https://127.0.0.1:${peer.clientPort}`).join(",");
  const client = (...args: string[]): string[] => [
    `--endpoints=${endpoints()}`,
    `--cacert=${ca()}`,
    `--cert=${cert("operator")}`,
    `--key=${key("operator")}`,
    "--dial-timeout=2s",
    "--command-timeout=3s",
    ...args,
  ];

  beforeAll(async () => {
    await issueCertificates(model);

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
        tls: {
          client: { ca: ca("etcd-client"), cert: cert(self.name, "etcd-client"), key: key(self.name, "etcd-client") },
          peer: { ca: ca("etcd-peer"), cert: cert(self.name, "etcd-peer"), key: key(self.name, "etcd-peer") },
        },
      });
      const log = openSync(path.join(dir, `${self.name}.log`), "w");
      processes.push(spawn("etcd", flags, { cwd: dir, stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "" } }));
    }
  });

  afterAll(async () => {
    for (const child of processes) child.kill("SIGTERM");
    await Promise.all(
      // A member stopped by a test has exited already (by its signal: exitCode stays null, signalCode is set).
      processes.map((child) =>
        child.exitCode === null && child.signalCode === null ? new Promise((resolve) => child.once("exit", resolve)) : undefined,
      ),
    );
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
    const anonymous = run("etcdctl", [
      `--endpoints=${endpoints()}`,
      `--cacert=${ca()}`,
      "--dial-timeout=2s",
      "--command-timeout=3s",
      "endpoint",
      "health",
    ]);
    expect(anonymous.status).not.toBe(0);
  });

  it("runs with the generated backend quota (and accepts the compaction flags: etcd refuses unknown values)", async () => {
    const metrics = await getWithClientCertificate(`https://127.0.0.1:${peers[0]?.clientPort}/metrics`);
    const quota = /^etcd_server_quota_backend_bytes (\S+)$/m.exec(metrics)?.[1];
    expect(Number(quota)).toBe(ETCD_QUOTA_BACKEND_BYTES);
    expect(ETCD_QUOTA_BACKEND_BYTES).toBeGreaterThan(2 * 1024 ** 3); // more than etcd's 2 GiB default
  });

  it("keeps or loses writes as members stop, as the failure simulation says", async () => {
    // The expectation comes from the analysis: for each count of members lost (the last ones first), does
    // the etcd group keep its majority?
    const { model: failureModel } = analyseFailures(model.cluster);
    const etcd = failureModel.groups.findIndex((entry) => entry.at.path === model.etcd.path);
    expect(etcd).toBeGreaterThanOrEqual(0);
    const simulator = new Simulator(failureModel);
    const voters = [...(failureModel.groups[etcd]?.voters ?? [])].reverse();
    const keeps = voters.map((_, index) => !simulator.evaluate(voters.slice(0, index + 1)).quorumLost.includes(etcd));
    // 3 members: losing one keeps the majority, losing two does not; both outcomes get exercised below.
    expect(keeps).toContain(true);
    expect(keeps).toContain(false);

    for (const [index, kept] of keeps.entries()) {
      if (index === keeps.length - 1) break; // with every member stopped there is nothing to write to
      const member = processes[processes.length - 1 - index];
      member?.kill("SIGTERM");
      if (member && member.exitCode === null) await new Promise((resolve) => member.once("exit", resolve));
      let put = run("etcdctl", client("put", `swarm/lost-${index + 1}`, "ok"));
      // A leader election may follow the stop: give a cluster that keeps its majority a few tries.
      for (let attempt = 0; kept && put.status !== 0 && attempt < 10; attempt++) {
        await sleep(500);
        put = run("etcdctl", client("put", `swarm/lost-${index + 1}`, "ok"));
      }
      expect(put.status === 0, `${index + 1} member(s) stopped: ${put.output}`).toBe(kept);
    }
  });
});
