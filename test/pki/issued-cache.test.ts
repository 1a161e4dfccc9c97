// Unit test of the remembered signature checks, on the reference PKI's committed certificates (real
// certificates, checked with node:crypto): a success is recorded by fingerprint and trusted in the next
// process; a failure is never recorded.
import { X509Certificate } from "node:crypto";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { temporaryCacheDir } from "../helpers/cache-dir.js";

const read = (file: string) => new X509Certificate(readFileSync(path.join(repoRoot, "pki", file), "utf8"));
const peerCa = read("etcd-peer/ca.crt");
const clientCa = read("etcd-client/ca.crt");
const peer = read(`etcd-peer/certs/${readdirSync(path.join(repoRoot, "pki", "etcd-peer", "certs")).find((name) => name.endsWith(".crt"))}`);

/** The module afresh, as a new build process loads it (its memory of this process gone). */
async function freshModule() {
  vi.resetModules();
  return import("../../src/pki/issued-cache.js");
}

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

describe("the remembered signature checks", () => {
  const cacheDir = temporaryCacheDir("issued-cache", "each");

  it("checks, records the success under the CA's fingerprint, and never records a failure", async () => {
    const { issuedBy } = await freshModule();
    expect(issuedBy(peer, peerCa)).toBe(true);
    expect(issuedBy(peer, clientCa)).toBe(false);
    await nextTurn();
    const files = readdirSync(path.join(cacheDir(), "issued-by"));
    expect(files).toEqual([`${peerCa.fingerprint256.replace(/:/g, "").toLowerCase()}.json`]);
    expect(JSON.parse(readFileSync(path.join(cacheDir(), "issued-by", files[0] ?? ""), "utf8"))).toEqual([peer.fingerprint256]);
  });

  it("trusts a recorded success in a later process, and only for that CA and certificate", async () => {
    const first = await freshModule();
    expect(first.issuedBy(peer, peerCa)).toBe(true);
    await nextTurn();
    // A record is believed without checking again (that is the time it saves): one written here for the
    // client CA makes the peer certificate count as issued by it.
    const clientFile = path.join(cacheDir(), "issued-by", `${clientCa.fingerprint256.replace(/:/g, "").toLowerCase()}.json`);
    writeFileSync(clientFile, JSON.stringify([peer.fingerprint256]));
    const later = await freshModule();
    expect(later.issuedBy(peer, clientCa)).toBe(true);
    expect(later.issuedBy(peer, peerCa)).toBe(true);
    expect(later.issuedBy(peerCa, clientCa)).toBe(false);
  });

  it("checks every certificate when the record cannot be read", async () => {
    const { issuedBy } = await freshModule();
    writeFileSync(path.join(cacheDir(), "issued-by"), "not a folder");
    expect(issuedBy(peer, peerCa)).toBe(true);
    expect(issuedBy(peer, clientCa)).toBe(false);
    await nextTurn();
  });
});
