import { operatorClient } from "../pki/daemons.fixture.js";
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ETCD_CIPHER_SUITES, etcdFlags, type EtcdPeer } from "../../generators/etcd/etcd-flags.js";
import { pkiGenerator } from "../../generators/pki/index.js";
import { ClusterPki, Testing } from "../../src/index.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { freePort } from "../nginx/nginx-server.js";
import { hostCluster } from "../helpers/host-families.fixture.js";
import { revocationFindings, sslscan, testssl, type SslscanRun, type TestsslRun } from "./tls-scanners.js";

/**
 * A real program run for real, graded by real scanners: Debian's etcd started on 127.0.0.1 with the flags the
 * etcd-member unit renders (the same builder; addresses, ports and file paths substituted) and the
 * certificates the project's PKI issues, its client port scanned by testssl.sh and sslscan. The test fails on
 * any testssl finding of severity MEDIUM or above and on any weakness sslscan reports. etcd asks every client
 * for a certificate (client-cert-auth) and speaks gRPC and JSON, not pages: the scanners grade the handshake
 * (protocols, ciphers, forward secrecy, certificate, TLS vulnerabilities), not HTTP headers.
 */

const dir = mkdtempSync(path.join(tmpdir(), "tls-scan-etcd-"));
let etcd: ChildProcess | undefined;
afterAll(async () => {
  if (etcd && etcd.exitCode === null && etcd.signalCode === null) {
    etcd.kill("SIGTERM");
    await new Promise((resolve) => etcd?.once("exit", resolve));
  }
  rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe("etcd's client port with the generated TLS flags, graded by testssl.sh and sslscan", () => {
  const model = hostCluster();
  const member = model.managers[0]?.hostname ?? "";
  let peer: EtcdPeer | undefined;
  let graded: TestsslRun | undefined;
  let scanned: SslscanRun | undefined;
  let flags: string[] = [];

  beforeAll(async () => {
    new ClusterPki(model.cluster, "pki");
    const result = await Testing.synthResult(model.cluster, { projectDir: dir, generators: [pkiGenerator] });
    writeStateFiles(result.stateWrites);
    // Each trust domain's CA, and the member's certificate and key in it: the client port is the etcd-client domain's.
    const ca = path.join(dir, "pki", "etcd-client", "ca.crt");
    const files = (domain: string) => ({
      ca: path.join(dir, "pki", domain, "ca.crt"),
      cert: path.join(dir, "pki", domain, "certs", `${member}.crt`),
      key: path.join(dir, "secrets", "pki", domain, `${member}.key`),
      crl: path.join(dir, "pki", domain, "crl.pem"),
    });
    // One member is enough to serve the client port; its flags are built as the unit's are.
    peer = { name: member, host: "127.0.0.1", clientPort: await freePort(), peerPort: await freePort() };
    flags = etcdFlags({
      self: peer,
      peers: [peer],
      clusterToken: model.cluster.name,
      dataDir: path.join(dir, "member.etcd"),
      tls: { client: files("etcd-client"), peer: files("etcd-peer") },
    });
    const log = openSync(path.join(dir, "etcd.log"), "w");
    etcd = spawn("etcd", flags, { cwd: dir, stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "" } });
    for (
      let attempt = 0;
      attempt < 60 && !readFileSync(path.join(dir, "etcd.log"), "utf8").includes("ready to serve client requests");
      attempt++
    ) {
      if (etcd.exitCode !== null) break;
      await sleep(250);
    }
    expect(readFileSync(path.join(dir, "etcd.log"), "utf8")).toContain("ready to serve client requests");

    // The node certificate names the member's hostname; testssl connects to 127.0.0.1 with that name.
    graded = testssl({ workDir: dir, name: member, port: peer.clientPort, checks: ["-p", "-s", "-f", "-S", "-U"], trust: ca });
    // sslscan completes each handshake, so it needs a client certificate: the operator's.
    // An operator's client certificate of the domain, minted as `swarm-cluster operator-cert` mints it.
    const operator = await operatorClient(dir, "etcd-client", path.join(dir, "operator"));
    scanned = sslscan({ port: peer.clientPort, servername: member, clientCertificate: { cert: operator.cert, key: operator.key } });
  }, 600_000);

  it("runs with the generated cipher suites and each listener's revocation list", () => {
    expect(flags).toContain(`--cipher-suites=${ETCD_CIPHER_SUITES.join(",")}`);
    expect(flags).toContain(`--client-crl-file=${path.join(dir, "pki", "etcd-client", "crl.pem")}`);
    expect(flags).toContain(`--peer-crl-file=${path.join(dir, "pki", "etcd-peer", "crl.pem")}`);
  });

  it("testssl.sh reads the CRL distribution point of the domain's certificate, and flags no missing revocation", () => {
    if (!graded) throw new Error("no scan");
    // The certificate names the file its hosts hold (ClusterPki's crlDistributionPoint); testssl grades the
    // extension's presence, and fetches nothing without --phone-out.
    const { distributionPoint, revocation } = revocationFindings(graded);
    expect(distributionPoint).toBe("file:///etc/ssl/swarm/etcd-client/crl.pem");
    expect(revocation).toEqual([]);
  });

  it("testssl.sh finds nothing of severity MEDIUM or above", () => {
    if (!graded) throw new Error("no scan");
    expect(graded.failing, graded.output).toEqual([]);
    const ids = new Set(graded?.findings.map((finding) => finding.id));
    for (const id of ["TLS1_2", "TLS1_3", "TLS1", "TLS1_1", "heartbleed", "cert_chain_of_trust", "PFS"]) {
      expect(ids.has(id), `testssl reported no ${id}`).toBe(true);
    }
  });

  it("grades nothing LOW either, and leaves undone only what this machine's openssl prevents", () => {
    expect(graded?.findings.filter((finding) => finding.severity === "LOW").map((finding) => finding.id)).toEqual([]);
    // engine_problem: Debian's openssl has no GOST engine; sslscan, given a client certificate, checks renegotiation.
    const warnings = graded?.findings
      .filter((finding) => finding.severity === "WARN")
      .map((finding) => `${finding.id}: ${finding.finding}`);
    expect(
      warnings?.filter((warning) => !["engine_problem", "secure_client_renego", "BREACH"].includes(warning.split(":")[0] ?? "")),
    ).toEqual([]);
    expect(scanned?.xml).toMatch(/<renegotiation supported="0"/);
  });

  it("offers TLS 1.2 and 1.3 only", () => {
    const finding = (id: string) => graded?.findings.find((entry) => entry.id === id)?.finding;
    expect(finding("TLS1_3")).toMatch(/^offered/);
    expect(finding("TLS1_2")).toMatch(/^offered/);
    for (const old of ["SSLv2", "SSLv3", "TLS1", "TLS1_1"]) expect(finding(old), old).toMatch(/^not offered/);
  });

  it("sslscan sees TLS 1.2 and 1.3 only, strong ciphers only, no compression and no insecure renegotiation", () => {
    expect(scanned?.weaknesses, scanned?.xml).toEqual([]);
    expect([...(scanned?.protocols ?? [])].sort()).toEqual(["TLSv1.2", "TLSv1.3"]);
    expect(scanned?.ciphers.length).toBeGreaterThan(3);
  });
});
