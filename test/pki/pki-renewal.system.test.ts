import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import { pkiGenerator } from "../../generators/pki/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { Cluster, ClusterPki, Node, Testing } from "../../src/index.js";
import { pkiNow } from "../../src/pki/clock.js";
import { rotateCa } from "../../src/pki/rotation.js";
import { compareWithRequest, parseCertificate, RENEW_WITHIN_DAYS, type CertificateRequest } from "../../src/pki/compare.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-renewal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.unstubAllEnvs());

const DAY = 86_400_000;
/** 2030-01-01T00:00:00Z: a date no test run happens on, so nothing below depends on the real one. */
const START = new Date("2030-01-01T00:00:00Z");

/** Sets the PKI's clock, as a reproducible build does, to `days` after `from`. */
function setClock(from: Date, days = 0): void {
  vi.stubEnv("SOURCE_DATE_EPOCH", String((from.getTime() + days * DAY) / 1000));
}

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA and a node certificate valid for `days`, as openssl makes them. */
function issue(days: number): { ca: string; cert: string } {
  openssl(
    "req",
    "-x509",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "ca.key",
    "-out",
    "ca.crt",
    "-days",
    "400",
    "-subj",
    "/CN=test CA",
  );
  writeFileSync(path.join(dir, "ext"), "subjectAltName=DNS:sw-node-1,IP:10.10.1.21\nextendedKeyUsage=serverAuth,clientAuth\n");
  openssl(
    "req",
    "-new",
    "-newkey",
    "ec",
    "-pkeyopt",
    "ec_paramgen_curve:prime256v1",
    "-nodes",
    "-keyout",
    "n.key",
    "-out",
    "n.csr",
    "-subj",
    "/CN=sw-node-1",
  );
  openssl(
    "x509",
    "-req",
    "-in",
    "n.csr",
    "-CA",
    "ca.crt",
    "-CAkey",
    "ca.key",
    "-CAcreateserial",
    "-days",
    String(days),
    "-out",
    "n.crt",
    "-extfile",
    "ext",
  );
  return { ca: readFileSync(path.join(dir, "ca.crt"), "utf8"), cert: readFileSync(path.join(dir, "n.crt"), "utf8") };
}

const request: CertificateRequest = {
  name: "sw-node-1",
  commonName: "sw-node-1",
  dnsNames: ["sw-node-1"],
  ipAddresses: ["10.10.1.21"],
  usages: ["server", "client"],
};

describe("certificate renewal", () => {
  // openssl dates what it signs by the real clock; the PKI's clock is set relative to each certificate instead.
  it(`re-issues a certificate that expires within ${RENEW_WITHIN_DAYS} days`, () => {
    const { ca, cert } = issue(RENEW_WITHIN_DAYS - 5);
    const parsed = parseCertificate(cert)!;
    setClock(new Date(parsed.validFrom));
    const changes = compareWithRequest(request, parsed, parseCertificate(ca));
    const expires = new Date(parsed.validTo).toISOString().slice(0, 10);
    expect(changes.map((change) => change.text)).toEqual([`expires on ${expires}, within 30 days: renew it`]);
  });

  it("keeps a certificate with more time left, and renews it once the window is reached", () => {
    const { ca, cert } = issue(RENEW_WITHIN_DAYS + 30);
    const parsed = parseCertificate(cert)!;
    const authority = parseCertificate(ca);
    setClock(new Date(parsed.validFrom));
    expect(compareWithRequest(request, parsed, authority)).toEqual([]);
    setClock(new Date(parsed.validFrom), 29);
    expect(compareWithRequest(request, parsed, authority)).toEqual([]);
    setClock(new Date(parsed.validFrom), 31);
    expect(compareWithRequest(request, parsed, authority).map((change) => change.text)).toEqual([
      expect.stringMatching(/^expires on .*: renew it$/),
    ]);
  });
});

describe("certificate validity", () => {
  it("starts at the build's clock and never outlives the CA that signed it", async () => {
    setClock(START);
    const cluster = new Cluster({
      name: "short",
      privateNetwork: "10.10.1.0/24",
      domain: "swarm.internal",
      sshAuthorizedKeys: [TEST_SSH_KEY],
    });
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
    new ClusterPki(cluster, "pki", { validityDays: 60, certificateValidityDays: 825 });
    const files = await Testing.synth(cluster, { generators: [pkiGenerator] });
    const ca = parseCertificate(files.get("pki/docker-api/ca.crt") ?? "")!;
    const node = parseCertificate(files.get("pki/docker-api/certs/sw-node-1.crt") ?? "")!;
    for (const certificate of [ca, node]) expect(new Date(certificate.validFrom)).toEqual(START);
    expect(new Date(ca.validTo)).toEqual(new Date(START.getTime() + 60 * DAY));
    expect(new Date(node.validTo)).toEqual(new Date(ca.validTo));
  }, 30_000);
});

describe("a CA near its own expiry", () => {
  it("stops the build with a roll-over hint once the CA enters the renewal window, instead of re-issuing certificates that would die with it", async () => {
    const project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-ca-expiry-"));
    const make = () => {
      const cluster = new Cluster({
        name: "short",
        privateNetwork: "10.10.1.0/24",
        domain: "swarm.internal",
        sshAuthorizedKeys: [TEST_SSH_KEY],
      });
      new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
      new ClusterPki(cluster, "pki", { validityDays: 100 });
      return cluster;
    };
    try {
      setClock(START);
      const first = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] });
      writeStateFiles(first.stateWrites);

      // 40 days left: the CA and its certificate still stand, nothing to issue.
      setClock(START, 60);
      const later = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] });
      expect(later.stateWrites).toEqual([]);

      setClock(START, 100 - RENEW_WITHIN_DAYS + 1);
      const failure = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).problems.map((p) => p.code)).toEqual(["pki/ca-expiring"]);
      expect((failure as ConfigError).problems[0]?.message).toContain("expires on 2030-04-11");
      // The way out is a rotation with an overlap, not a new CA the nodes learn of all at once.
      expect((failure as ConfigError).problems[0]?.hint).toContain("swarm-cluster rotate-ca docker-api start");

      // The way out works inside the window: once each domain's rotation has started, the build goes on and
      // every node learns the new CA beside the old one.
      const pki = { stateDir: path.join(project, "pki"), secretsDir: path.join(project, "secrets", "pki") };
      for (const domain of ["docker-api", "etcd-client", "etcd-peer"]) await rotateCa(pki, domain, "start", pkiNow());
      const rotating = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] });
      expect(
        (rotating.files.find((file) => file.path === "pki/docker-api/ca.crt")?.content ?? "").match(/BEGIN CERTIFICATE/g),
      ).toHaveLength(2);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 30_000);
});

describe("the PKI clock", () => {
  it("is SOURCE_DATE_EPOCH when set, in seconds since the epoch, and the system clock otherwise", () => {
    expect(pkiNow({ SOURCE_DATE_EPOCH: "1893456000" })).toEqual(START);
    expect(pkiNow({ SOURCE_DATE_EPOCH: "0" })).toEqual(new Date(0));
    const before = Date.now();
    const now = pkiNow({ SOURCE_DATE_EPOCH: "" }).getTime();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
  });

  it.each(["2030-01-01", "1893456000.5", "-1", "1893456000000000", " 1893456000"])("refuses SOURCE_DATE_EPOCH=%j", (value) => {
    expect(() => pkiNow({ SOURCE_DATE_EPOCH: value })).toThrow(/SOURCE_DATE_EPOCH=.* is not a whole number of seconds/);
  });

  it("stops a build with a malformed SOURCE_DATE_EPOCH, naming the variable, before anything is issued", async () => {
    vi.stubEnv("SOURCE_DATE_EPOCH", "yesterday");
    const cluster = new Cluster({
      name: "short",
      privateNetwork: "10.10.1.0/24",
      domain: "swarm.internal",
      sshAuthorizedKeys: [TEST_SSH_KEY],
    });
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
    new ClusterPki(cluster, "pki");
    const failure = await Testing.synthResult(cluster, { generators: [pkiGenerator] }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems).toMatchObject([
      { code: "pki/invalid-clock", construct: "cluster/pki/etcd-peer", message: expect.stringContaining('SOURCE_DATE_EPOCH="yesterday"') },
    ]);
  });
});
