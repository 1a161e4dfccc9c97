/**
 * How secret values are planned and versioned, in the model alone (no program; the PKI copy reads files): what is made, kept,
 * left to the operator, and what a rotation takes with it. Kind of check: the model's own logic.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { readPkiMaterial } from "../../src/docker-secrets/pki-material.js";
import { planSecrets, randomPassword } from "../../src/docker-secrets/values.js";
import { Secret, Testing } from "../../src/index.js";
import { validateModel } from "../../src/validate/index.js";

function secrets() {
  const cluster = Testing.cluster({ nodes: { app: 3 } });
  // Declared before its source: the plan still makes the source first.
  const line = new Secret(cluster, "line", { description: "line" });
  const password = new Secret(cluster, "password", { description: "password", generate: "password" });
  line.generateAs({ kind: "derived", from: [password], format: ([value]) => `secret="${value}"\n` });
  const certificate = new Secret(cluster, "certificate", { description: "PEM" });
  return { cluster, line, password, certificate };
}

describe("planning secret values", () => {
  it("makes what it can, derived values from their sources, and leaves the rest to the operator", () => {
    const { line, password, certificate } = secrets();
    const plan = planSecrets([line, password, certificate], new Set(), () => undefined);
    const made = new Map(plan.map((entry) => [entry.secret, entry]));
    const passwordEntry = made.get(password);
    expect(passwordEntry?.action).toBe("create");
    const value = passwordEntry && "value" in passwordEntry ? passwordEntry.value : "";
    expect(made.get(line)).toMatchObject({ action: "create", value: `secret="${value}"\n` });
    expect(made.get(certificate)?.action).toBe("provide");
  });

  it("keeps what exists, and a rotation remakes the secret and what derives from it", () => {
    const { line, password, certificate } = secrets();
    const existing = new Map([
      [password, "old"],
      [line, 'secret="old"\n'],
      [certificate, "PEM"],
    ]);
    const read = (secret: Secret) => existing.get(secret);
    expect(planSecrets([line, password, certificate], new Set(), read).map((entry) => entry.action)).toEqual(["keep", "keep", "keep"]);
    const rotated = planSecrets([line, password, certificate], new Set([password]), read);
    expect(rotated.map((entry) => entry.action)).toEqual(["rotate", "rotate", "keep"]);
    const [lineEntry, passwordEntry] = rotated;
    const value = passwordEntry && "value" in passwordEntry ? passwordEntry.value : "";
    expect(value).not.toBe("old");
    expect(lineEntry && "value" in lineEntry ? lineEntry.value : "").toBe(`secret="${value}"\n`);
  });

  it("draws 32 letters and digits, different each time", () => {
    const drawn = Array.from({ length: 50 }, randomPassword);
    for (const password of drawn) expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it("names the Docker secret by its version, from the committed versions", () => {
    const { cluster, password } = secrets();
    expect(password.dockerName).toBe("password_v1");
    cluster.useSecretVersions({ password: 4 });
    expect(password.dockerName).toBe("password_v4");
    expect(password.mountPath).toBe("/run/secrets/password");
  });

  it("reports a way to make a secret it does not know", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Secret(cluster, "token", { description: "t", generate: "pasword" as "password" });
    const found = validateModel(cluster).filter((problem) => problem.code === "secret/generate-invalid");
    expect(found.map((problem) => [problem.construct, problem.field])).toEqual([["cluster/token", "generate"]]);
    expect(found[0]?.message).toContain('"pasword"');
  });
});

describe("secrets copied from the PKI", () => {
  function pkiProject(): { dir: string; options: { stateDir: string; secretsDir: string } } {
    const dir = mkdtempSync(path.join(tmpdir(), "pki-material-"));
    return { dir, options: { stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki") } };
  }

  it("reads a certificate, its key, and the trust bundle with a rotation's incoming CA", () => {
    const { dir, options } = pkiProject();
    try {
      const domain = "etcd-client";
      expect(readPkiMaterial(options, { kind: "pki", domain, part: "trust-bundle" })).toBeUndefined();
      mkdirSync(path.join(options.stateDir, domain, "certs"), { recursive: true });
      mkdirSync(path.join(options.secretsDir, domain), { recursive: true });
      writeFileSync(path.join(options.stateDir, domain, "ca.crt"), "CA\n");
      writeFileSync(path.join(options.stateDir, domain, "ca.next.crt"), "NEXT\n");
      writeFileSync(path.join(options.stateDir, domain, "certs", "scraper.crt"), "CERT\r\n");
      writeFileSync(path.join(options.secretsDir, domain, "scraper.key"), "KEY\n");
      expect(readPkiMaterial(options, { kind: "pki", domain, part: "trust-bundle" })).toBe("CA\nNEXT\n");
      expect(readPkiMaterial(options, { kind: "pki", domain, part: "certificate", certificate: "scraper" })).toBe("CERT\n");
      expect(readPkiMaterial(options, { kind: "pki", domain, part: "key", certificate: "scraper" })).toBe("KEY\n");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("leaves an unissued one to the operator, copies an issued one, and copies it again once re-issued", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    const certificate = new Secret(cluster, "scraper_cert", { description: "PEM" });
    certificate.generateAs({ kind: "pki", domain: "etcd-client", part: "certificate", certificate: "scraper" });
    const plan = (current: string | undefined, issued: string | undefined) =>
      planSecrets(
        [certificate],
        new Set(),
        () => current,
        () => issued,
      )[0];
    expect(plan(undefined, undefined)).toMatchObject({ action: "provide" });
    expect(plan(undefined, "PEM 1")).toMatchObject({ action: "create", value: "PEM 1" });
    expect(plan("PEM 1", "PEM 1")).toMatchObject({ action: "keep" });
    expect(plan("PEM 1", "PEM 2")).toMatchObject({ action: "rotate", value: "PEM 2" });
  });
});
