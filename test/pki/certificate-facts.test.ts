// Unit test of src/pki/certificate-facts.ts: the facts of every committed certificate of the reference, read
// with OpenSSL (node:crypto) and then from the cache a later build reads, are those of Node's X509Certificate;
// a text that is not one canonical certificate is left to OpenSSL's own verdict.
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { certificateView, keepCertificateFacts } from "../../src/pki/certificate-facts.js";
import { repoRoot } from "../helpers/cli.js";

const FIELDS = ["subject", "subjectAltName", "keyUsage", "validFrom", "validTo", "serialNumber", "fingerprint256"] as const;

function committedCertificates(): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".crt")) found.push(readFileSync(file, "utf8"));
    }
  };
  walk(path.join(repoRoot, "pki"));
  return found;
}

describe("certificate facts", () => {
  let cache: string;
  let before: string | undefined;
  const useCache = (folder: string) => {
    process.env.SWARM_CLUSTER_CACHE_DIR = folder;
  };
  beforeAll(() => {
    cache = mkdtempSync(path.join(tmpdir(), "swarm-cluster-certificate-facts-"));
    before = process.env.SWARM_CLUSTER_CACHE_DIR;
    useCache(cache);
  });
  afterAll(() => {
    if (before === undefined) delete process.env.SWARM_CLUSTER_CACHE_DIR;
    else process.env.SWARM_CLUSTER_CACHE_DIR = before;
    rmSync(cache, { recursive: true, force: true });
  });

  it("are X509Certificate's, parsed and then read back from the cache", () => {
    const pems = committedCertificates();
    expect(pems.length).toBeGreaterThan(5);
    const expected = pems.map((pem) => {
      const certificate = new X509Certificate(pem);
      return Object.fromEntries(FIELDS.map((field) => [field, certificate[field]]));
    });
    const pick = (pem: string) => {
      const view = certificateView(pem);
      return Object.fromEntries(FIELDS.map((field) => [field, view?.[field]]));
    };
    expect(pems.map(pick)).toEqual(expected);
    keepCertificateFacts();
    const kept = JSON.parse(readFileSync(path.join(cache, "certificates", `${process.version}.json`), "utf8")) as Record<string, unknown>;
    expect(Object.keys(kept)).toHaveLength(new Set(expected.map((facts) => facts.fingerprint256)).size);
    // A later build: another cache folder in between makes this process read the file again. A stand-in
    // subject tells the cached facts from a parse.
    const [first] = Object.keys(kept);
    writeFileSync(
      path.join(cache, "certificates", `${process.version}.json`),
      JSON.stringify({ ...kept, [first ?? ""]: { ...(kept[first ?? ""] as object), subject: "CN=from the cache" } }),
    );
    const other = mkdtempSync(path.join(tmpdir(), "swarm-cluster-certificate-facts-other-"));
    useCache(other);
    certificateView(pems[0] ?? "");
    rmSync(other, { recursive: true, force: true });
    useCache(cache);
    const views = pems.map((pem) => certificateView(pem));
    expect(views.filter((view) => view?.subject === "CN=from the cache")).not.toHaveLength(0);
    // What needs OpenSSL still has the certificate itself.
    const cached = views.find((view) => view?.subject === "CN=from the cache");
    expect(cached?.certificate().fingerprint256).toBe(cached?.fingerprint256);
  });

  it("leaves what is not one canonical certificate to OpenSSL", () => {
    const [pem = ""] = committedCertificates();
    expect(certificateView("not a certificate")).toBeUndefined();
    expect(certificateView(pem.replace("-----BEGIN CERTIFICATE-----\n", "-----BEGIN CERTIFICATE-----\n@"))).toBeUndefined();
    // Text before the block: OpenSSL reads past it; so does the view, by parsing.
    expect(certificateView(`a comment\n${pem}`)?.fingerprint256).toBe(new X509Certificate(pem).fingerprint256);
  });
});
