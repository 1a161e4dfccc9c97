import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { pkiGenerator } from "../generators/pki/index.js";
import { ConfigError } from "../src/core/problems.js";
import { writeStateFiles } from "../src/synth/write-out.js";
import { Cluster, ClusterPki, Node, Testing } from "../src/index.js";
import { compareWithRequest, parseCertificate, RENEW_WITHIN_DAYS, type CertificateRequest } from "../src/pki/compare.js";

const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-renewal-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function openssl(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A CA and a node certificate valid for `days`, as openssl makes them. */
function issue(days: number): { ca: string; cert: string } {
  openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-days", "400", "-subj", "/CN=test CA");
  writeFileSync(path.join(dir, "ext"), "subjectAltName=DNS:sw-node-1,IP:10.10.1.21\nextendedKeyUsage=serverAuth,clientAuth\n");
  openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "n.key", "-out", "n.csr", "-subj", "/CN=sw-node-1");
  openssl("x509", "-req", "-in", "n.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-days", String(days), "-out", "n.crt", "-extfile", "ext");
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
  it(`re-issues a certificate that expires within ${RENEW_WITHIN_DAYS} days`, () => {
    const { ca, cert } = issue(RENEW_WITHIN_DAYS - 5);
    const changes = compareWithRequest(request, parseCertificate(cert)!, parseCertificate(ca));
    expect(changes.map((change) => change.text)).toEqual([expect.stringMatching(/^expires on \d{4}-\d\d-\d\d, within 30 days: renew it$/)]);
  });

  it("keeps a certificate with more time left, and renews it once the window is reached", () => {
    const { ca, cert } = issue(RENEW_WITHIN_DAYS + 30);
    const parsed = parseCertificate(cert)!;
    expect(compareWithRequest(request, parsed, parseCertificate(ca))).toEqual([]);
    const later = new Date(Date.now() + 40 * 86_400_000);
    expect(compareWithRequest(request, parsed, parseCertificate(ca), later)).toHaveLength(1);
  });
});

describe("certificate validity", () => {
  it("never outlives the CA that signed it", async () => {
    const cluster = new Cluster({ name: "short", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [] });
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
    new ClusterPki(cluster, "pki", { validityDays: 60, certificateValidityDays: 825 });
    const files = await Testing.synth(cluster, { generators: [pkiGenerator] });
    const ca = parseCertificate(files.get("pki/ca.crt") ?? "")!;
    const node = parseCertificate(files.get("pki/certs/sw-node-1.crt") ?? "")!;
    expect(new Date(node.validTo).getTime()).toBeLessThanOrEqual(new Date(ca.validTo).getTime());
    expect(new Date(node.validTo).getTime()).toBeGreaterThan(Date.now() + 50 * 86_400_000);
  }, 30_000);
});

describe("a CA near its own expiry", () => {
  it("stops the build with a roll-over hint instead of re-issuing certificates that would die with it", async () => {
    const project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-ca-expiry-"));
    const make = () => {
      const cluster = new Cluster({ name: "short", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [] });
      new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
      new ClusterPki(cluster, "pki", { validityDays: RENEW_WITHIN_DAYS - 10 });
      return cluster;
    };
    try {
      const first = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] });
      writeStateFiles(first.stateWrites);
      const failure = await Testing.synthResult(make(), { projectDir: project, generators: [pkiGenerator] }).catch((e: unknown) => e);
      expect(failure).toBeInstanceOf(ConfigError);
      expect((failure as ConfigError).problems.map((p) => p.code)).toEqual(["pki/ca-expiring"]);
      expect((failure as ConfigError).problems[0]?.hint).toContain("re-provisioned");
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  }, 30_000);
});
