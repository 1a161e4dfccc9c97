import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readCrl } from "../../src/pki/crl.js";
import { type CliResult, runCli } from "../helpers/cli.js";
import { copyOf } from "../helpers/host-families.fixture.js";
import { readTree } from "../helpers/project.js";
import { type ClientFiles, type DomainFiles, EtcdMember, run } from "./daemons.fixture.js";

/**
 * Revocation, driven through the CLI as an operator drives it (`build`, `operator-cert`, `pki revoke`, `pki crl`):
 * - a real validator: each CRL the project signs is checked by OpenSSL (`openssl crl -verify` against the
 *   domain's CA, and `openssl verify -crl_check` of the certificates it does or does not list);
 * - a real program run for real: Debian's etcd, on loopback, with the flags the etcd-member unit renders
 *   (`--client-crl-file`, `--peer-crl-file`) and the files a build gives sw-node-1, refuses a revoked operator
 *   certificate once the new list is on the host, without a restart, and still serves an unrevoked one.
 */
const CONFIG = `import { Cluster, ClusterPki, EtcdCluster, Node, defineCluster } from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "rev",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],
  });
  const member = new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  new Node(cluster, "sw-node-2", { tier: "app", privateIp: "10.10.1.22", swarmRole: "worker" });
  new EtcdCluster(cluster, "etcd", { members: [member] });
  new ClusterPki(cluster, "pki");
  return cluster;
});
`;

const DOMAINS = ["docker-api", "etcd-client", "etcd-peer"] as const;
const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-revocation-"));
const project = path.join(dir, "project");
const config = path.join(project, "cluster.config.ts");
const cli = (args: readonly string[], env?: Record<string, string>): CliResult => runCli([...args, "--config", config], env ? { env } : {});
const file = (relative: string): string => path.join(project, relative);
/**
 * The PKI's clock for each step (SOURCE_DATE_EPOCH), days after the test's start, so dates can be checked
 * exactly. It starts at the real time: etcd checks the certificates issued on day 0 against its own clock.
 */
const CLOCK = Math.floor(Date.now() / 1000);
const at = (days: number): Record<string, string> => ({ SOURCE_DATE_EPOCH: String(CLOCK + days * 86_400) });

function build(env?: Record<string, string>): Map<string, string> {
  const result = cli(["build"], env);
  expect(result.status, result.stderr).toBe(0);
  return readTree(path.join(project, "out"));
}

/** `openssl crl -verify`: the list parses and the domain's CA signed it. */
function crlVerifies(domain: string): string {
  const result = run("openssl", [
    "crl",
    "-in",
    file(`pki/${domain}/crl.pem`),
    "-CAfile",
    file(`pki/${domain}/ca.crt`),
    "-verify",
    "-noout",
  ]);
  expect(result.status, result.output).toBe(0);
  return result.output;
}

/** `openssl verify -crl_check`: the certificate against its CA and the domain's list, on the PKI clock's day `days`. */
function verifyWithCrl(domain: string, certificate: string, days = 0): { status: number | null; output: string } {
  return run("openssl", [
    "verify",
    "-attime",
    String(CLOCK + days * 86_400 + 60),
    "-crl_check",
    "-CAfile",
    file(`pki/${domain}/ca.crt`),
    "-CRLfile",
    file(`pki/${domain}/crl.pem`),
    certificate,
  ]);
}

beforeAll(() => {
  mkdirSync(project);
  writeFileSync(config, CONFIG);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("each trust domain's CRL", () => {
  it("is signed empty with its CA, committed in pki/<domain>/crl.pem, copied by the build into out/ and onto the domain's hosts", () => {
    const out = build(at(0));
    for (const domain of DOMAINS) {
      expect(crlVerifies(domain)).toContain("verify OK");
      const committed = readFileSync(file(`pki/${domain}/crl.pem`), "utf8");
      expect(out.get(`pki/${domain}/crl.pem`)).toBe(committed);
      const facts = readCrl(committed);
      expect(facts?.entries).toEqual([]);
      expect(facts?.number).toBe(1n);
      expect(facts?.thisUpdate.getTime()).toBe(CLOCK * 1000);
      expect(facts?.nextUpdate?.getTime()).toBe((CLOCK + 365 * 86_400) * 1000);
      expect(copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/crl.pem`)).toBe(committed);
    }
    // Only etcd members hold the etcd domains' folders; every node holds docker-api's.
    expect(copyOf(out, "sw-node-2", "files/etc/ssl/swarm/docker-api/crl.pem")).toBe(out.get("pki/docker-api/crl.pem"));
    expect(copyOf(out, "sw-node-2", "files/etc/ssl/swarm/etcd-client/crl.pem")).toBeUndefined();
  });

  it("is named by every certificate's CRL Distribution Points extension, as the file its hosts hold", () => {
    for (const domain of DOMAINS) {
      const text = run("openssl", ["x509", "-in", file(`pki/${domain}/certs/sw-node-1.crt`), "-noout", "-ext", "crlDistributionPoints"]);
      expect(text.output).toContain(`URI:file:///etc/ssl/swarm/${domain}/crl.pem`);
      expect(verifyWithCrl(domain, file(`pki/${domain}/certs/sw-node-1.crt`)).output).toContain(": OK");
    }
  });

  it("keeps its dates from the action that signed it: a later build copies it byte for byte", () => {
    const before = readFileSync(file("pki/etcd-client/crl.pem"), "utf8");
    const later = build(at(40));
    expect(readFileSync(file("pki/etcd-client/crl.pem"), "utf8")).toBe(before);
    expect(later.get("pki/etcd-client/crl.pem")).toBe(before);
    expect(cli(["build", "--check"], at(41)).status).toBe(0);
  });
});

describe("pki revoke and pki crl", () => {
  it("revokes a node certificate by name: the list names its serial, OpenSSL refuses it, and the next build re-issues it", () => {
    const certificate = file("pki/docker-api/certs/sw-node-2.crt");
    const revokedPem = readFileSync(certificate, "utf8");
    copyFileSync(certificate, path.join(dir, "revoked.crt"));
    const result = cli(["pki", "revoke", "docker-api", "sw-node-2"], at(50));
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^revoked pki\/docker-api\/certs\/sw-node-2\.crt \(serial [0-9a-f]+\) \(keyCompromise\)/);
    expect(crlVerifies("docker-api")).toContain("verify OK");
    const facts = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"));
    expect(facts?.number).toBe(2n);
    expect(facts?.thisUpdate.getTime()).toBe((CLOCK + 50 * 86_400) * 1000);
    expect(facts?.entries.map((entry) => [entry.revokedAt.getTime(), entry.reason])).toEqual([[(CLOCK + 50 * 86_400) * 1000, 1]]);
    const refused = verifyWithCrl("docker-api", path.join(dir, "revoked.crt"), 50);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain("certificate revoked");

    // `build --check` names the re-issue it cannot make; the build makes it, with a new key.
    const check = cli(["build", "--check"], at(51));
    expect(check.status).toBe(1);
    expect(`${check.stdout}${check.stderr}`).toContain("pki/docker-api/certs/sw-node-2.crt: revoked in pki/docker-api/crl.pem");
    const out = build(at(51));
    const reissued = readFileSync(certificate, "utf8");
    expect(reissued).not.toBe(revokedPem);
    expect(copyOf(out, "sw-node-2", "files/etc/ssl/swarm/docker-api/cert.pem")).toBe(reissued);
    expect(verifyWithCrl("docker-api", certificate, 51).output).toContain(": OK");
    const inventory = JSON.parse(out.get("pki/inventory.json") ?? "{}") as {
      domains: { domain: string; revocationList: { number: string; revoked: string[] } }[];
    };
    expect(inventory.domains.find((entry) => entry.domain === "docker-api")?.revocationList).toEqual({
      number: "2",
      nextUpdate: new Date((CLOCK + (50 + 365) * 86_400) * 1000).toISOString(),
      revoked: [facts?.entries[0]?.serial],
    });
  });

  it("refuses what it cannot revoke: an unknown name, a serial already listed, a domain without its CA key", () => {
    const unknown = cli(["pki", "revoke", "docker-api", "sw-node-9"]);
    expect(unknown.status).toBe(1);
    expect(unknown.stderr).toContain('"sw-node-9" is neither a certificate of docker-api (sw-node-1, sw-node-2) nor a serial');
    const serial = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"))?.entries[0]?.serial ?? "";
    const again = cli(["pki", "revoke", "docker-api", serial]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain("is already revoked in pki/docker-api/crl.pem");
    const key = file("secrets/pki/etcd-peer/ca.key");
    const saved = readFileSync(key);
    rmSync(key);
    try {
      const missing = cli(["pki", "crl", "etcd-peer"]);
      expect(missing.status).toBe(1);
      expect(missing.stderr).toContain("the etcd-peer CA key secrets/pki/etcd-peer/ca.key is missing");
    } finally {
      writeFileSync(key, saved, { mode: 0o600 });
    }
  });

  it("re-signs an unchanged list with `pki crl`, and a build stops 30 days before the list's next update until it is", () => {
    const due = cli(["build"], at(50 + 365 - 29));
    expect(due.status).toBe(1);
    expect(due.stderr).toContain("pki/crl-due");
    expect(due.stderr).toContain("swarm-cluster pki crl docker-api");
    const check = cli(["build", "--check"], at(50 + 365 - 29));
    expect(`${check.stdout}${check.stderr}`).toContain("pki/docker-api/crl.pem: its next update is on");

    const before = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"));
    const resigned = cli(["pki", "crl", "docker-api"], at(380));
    expect(resigned.status, resigned.stderr).toBe(0);
    expect(crlVerifies("docker-api")).toContain("verify OK");
    const after = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"));
    expect(after?.entries).toEqual(before?.entries);
    expect(after?.number).toBe((before?.number ?? 0n) + 1n);
    expect(after?.thisUpdate.getTime()).toBe((CLOCK + 380 * 86_400) * 1000);
    // The other domains' lists are due too (signed at day 0): re-signed, the build goes on.
    for (const domain of ["etcd-client", "etcd-peer"]) expect(cli(["pki", "crl", domain], at(380)).status).toBe(0);
    build(at(380));
  });
});

describe("a CA rotation", () => {
  it("has the new CA sign the list at `switch`, keeping what the old CA revoked", () => {
    const before = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"));
    expect(before?.entries).toHaveLength(1);
    expect(cli(["rotate-ca", "docker-api", "start"], at(381)).status).toBe(0);
    const switched = cli(["rotate-ca", "docker-api", "switch"], at(382));
    expect(switched.status, switched.stderr).toBe(0);
    expect(switched.stdout).toContain("the new docker-api CA signed pki/docker-api/crl.pem, keeping its 1 revoked certificate(s)");
    // Verified against the new issuing CA (now pki/docker-api/ca.crt), not the old one.
    expect(crlVerifies("docker-api")).toContain("verify OK");
    const old = run("openssl", [
      "crl",
      "-in",
      file("pki/docker-api/crl.pem"),
      "-CAfile",
      file("pki/docker-api/ca.previous.crt"),
      "-verify",
      "-noout",
    ]);
    expect(old.output).not.toContain("verify OK");
    const after = readCrl(readFileSync(file("pki/docker-api/crl.pem"), "utf8"));
    expect(after?.entries).toEqual(before?.entries);
    expect(after?.number).toBe((before?.number ?? 0n) + 1n);
    expect(cli(["rotate-ca", "docker-api", "finish"], at(383)).status).toBe(0);
    build(at(383));
  });
});

describe("etcd with the generated --client-crl-file", () => {
  let etcd: EtcdMember | undefined;
  afterAll(async () => etcd?.stop());

  it("refuses a revoked client certificate once the new list reaches the host, without a restart, and serves an unrevoked one", async () => {
    const out = build(at(380));
    const host = path.join(dir, "host");
    const files = (domain: string): DomainFiles => {
      const folder = path.join(host, domain);
      mkdirSync(folder, { recursive: true });
      const target = {
        ca: path.join(folder, "ca.pem"),
        cert: path.join(folder, "cert.pem"),
        key: path.join(folder, "key.pem"),
        crl: path.join(folder, "crl.pem"),
      };
      writeFileSync(target.ca, copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/ca.pem`) ?? "");
      writeFileSync(target.cert, copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/cert.pem`) ?? "");
      writeFileSync(target.crl, copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/crl.pem`) ?? "");
      writeFileSync(target.key, readFileSync(file(`secrets/pki/${domain}/sw-node-1.key`)), { mode: 0o600 });
      return target;
    };
    const tls = { client: files("etcd-client"), peer: files("etcd-peer") };
    // The clock of the mints is the real one: etcd checks their validity against its own.
    const mint = (name: string): { client: ClientFiles; serial: string } => {
      const folder = path.join(dir, name);
      const result = cli(["operator-cert", "--domain", "etcd-client", "--ttl", "1h", "--name", name, "--out", folder]);
      expect(result.status, result.stderr).toBe(0);
      const serial = /pki revoke etcd-client ([0-9a-f]+)/.exec(result.stdout)?.[1] ?? "";
      expect(serial).not.toBe("");
      return { client: { dir: folder, ca: tls.client.ca, cert: path.join(folder, "cert.pem"), key: path.join(folder, "key.pem") }, serial };
    };
    const alice = mint("alice");
    const bob = mint("bob");

    etcd = await EtcdMember.create(path.join(dir, "etcd"));
    mkdirSync(path.join(dir, "etcd"), { recursive: true });
    await etcd.start(tls, bob.client);
    expect(etcd.put(alice.client, "revocation/alice", "before").status).toBe(0);

    const revoked = cli(["pki", "revoke", "etcd-client", alice.serial, "--reason", "superseded"]);
    expect(revoked.status, revoked.stderr).toBe(0);
    const after = build();
    // As apply.sh writes it onto the node: the file etcd's --client-crl-file names.
    writeFileSync(tls.client.crl ?? "", copyOf(after, "sw-node-1", "files/etc/ssl/swarm/etcd-client/crl.pem") ?? "");
    expect(readCrl(readFileSync(tls.client.crl ?? "", "utf8"))?.entries.map((entry) => entry.serial)).toContain(alice.serial);

    const mark = etcd.logMark();
    const refused = etcd.get(alice.client, "revocation/alice");
    expect(refused.status, refused.output).not.toBe(0);
    expect(etcd.logSince(mark)).toMatch(/rejected connection[^\n]*revoked/);
    const served = etcd.get(bob.client, "revocation/alice");
    expect(served.status, served.output).toBe(0);
    expect(served.output).toContain("before");
  }, 120_000);

  it("refuses a revoked member certificate on the peer port (--peer-crl-file), and takes the one the build re-issues", () => {
    if (!etcd) throw new Error("no etcd");
    const host = path.join(dir, "host", "etcd-peer");
    // The member's peer certificate and key as they were, before the revocation re-issues them.
    const revoked = { cert: path.join(dir, "revoked-peer.crt"), key: path.join(dir, "revoked-peer.key") };
    copyFileSync(file("pki/etcd-peer/certs/sw-node-1.crt"), revoked.cert);
    copyFileSync(file("secrets/pki/etcd-peer/sw-node-1.key"), revoked.key);
    const result = cli(["pki", "revoke", "etcd-peer", "sw-node-1"]);
    expect(result.status, result.stderr).toBe(0);
    const out = build();
    writeFileSync(path.join(host, "crl.pem"), copyOf(out, "sw-node-1", "files/etc/ssl/swarm/etcd-peer/crl.pem") ?? "");
    // What a member dialling this one presents: its peer certificate (client auth), checked against the list.
    const dial = (cert: string, key: string) =>
      run("curl", [
        "--silent",
        "--show-error",
        "--http1.1",
        "--max-time",
        "5",
        "--cacert",
        path.join(host, "ca.pem"),
        "--cert",
        cert,
        "--key",
        key,
        "--resolve",
        `sw-node-1:${etcd?.peerPort}:127.0.0.1`,
        `https://sw-node-1:${etcd?.peerPort}/version`,
      ]);
    const mark = etcd.logMark();
    expect(dial(revoked.cert, revoked.key).status).not.toBe(0);
    expect(etcd.logSince(mark)).toMatch(/rejected connection[^\n]*revoked/);
    const reissued = dial(file("pki/etcd-peer/certs/sw-node-1.crt"), file("secrets/pki/etcd-peer/sw-node-1.key"));
    expect(reissued.status, reissued.output).toBe(0);
    expect(reissued.output).toContain("etcdserver");
  }, 60_000);
});
