import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { mintOperatorCertificate, OPERATOR_TTL_MAX_MS, parseTtl } from "../../src/pki/operator-cert.js";
import { rotateCa } from "../../src/pki/rotation.js";

// Unit checks of the operator-cert and rotate-ca refusals; the real programs' side is in the *.system tests here.
const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-operator-cert-"));
const pki = { stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki") };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("parseTtl", () => {
  it.each([
    ["90m", 90 * 60_000],
    ["24h", 24 * 3_600_000],
    ["2d", 2 * 86_400_000],
    ["7d", OPERATOR_TTL_MAX_MS],
    ["168h", OPERATOR_TTL_MAX_MS],
  ])("reads %s", (text, ms) => {
    expect(parseTtl(text)).toBe(ms);
  });

  it.each([
    ["8d", /longer than the 7 days/],
    ["169h", /longer than the 7 days/],
    ["1m", /shorter than 5 minutes/],
    ["24", /not a duration/],
    ["1.5h", /not a duration/],
    ["0h", /not a duration/],
    ["24 hours", /not a duration/],
  ])("refuses %s", (text, reason) => {
    expect(() => parseTtl(text)).toThrow(reason);
  });
});

describe("mintOperatorCertificate", () => {
  it("refuses a domain whose daemons verify no operator, a name that cannot be a common name, and a missing CA", async () => {
    await expect(mintOperatorCertificate(pki, { domain: "etcd-peer" as never, name: "operator", ttlMs: 3_600_000 })).rejects.toThrow(
      /operator certificates are for docker-api or etcd-client/,
    );
    await expect(mintOperatorCertificate(pki, { domain: "docker-api", name: "a b", ttlMs: 3_600_000 })).rejects.toThrow(/--name "a b"/);
    await expect(mintOperatorCertificate(pki, { domain: "docker-api", name: "operator", ttlMs: 3_600_000 })).rejects.toThrow(
      "pki/docker-api/ca.crt is missing: the docker-api CA does not exist yet",
    );
  });
});

describe("rotateCa", () => {
  it("refuses a domain name that is no folder name, and a domain without a CA", async () => {
    await expect(rotateCa(pki, "../etc", "start")).rejects.toThrow(/is no trust domain/);
    await expect(rotateCa(pki, "docker-api", "start")).rejects.toThrow(
      "pki/docker-api/ca.crt is missing: there is no docker-api CA to rotate",
    );
  });
});
