import { spawnSync } from "node:child_process";
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";

/**
 * A real program run for real: scripts/secret-scan.mjs (secretlint with its recommended rules), the step
 * `npm test` runs over the tracked tree and out/. The planted secrets are made at run time in a temporary
 * folder: none is ever written in the repository, not even in this file (the scan reads this file too).
 */

const SCAN = path.join(repoRoot, "scripts/secret-scan.mjs");

function scan(args: readonly string[] = []): { status: number | null; output: string } {
  const run = spawnSync(process.execPath, [SCAN, ...args], { cwd: repoRoot, encoding: "utf8", timeout: 120_000 });
  if (run.error) throw run.error;
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

const planted = mkdtempSync(path.join(tmpdir(), "secret-scan-test-"));
afterAll(() => rmSync(planted, { recursive: true, force: true }));

/** Token shapes built from parts, so no whole token appears in this source file. */
const fakeGithubToken = ["ghp", "_", "Zq3xV8kP2mN7rT4wY6bC1dF5gH9jK0lQ2sA8"].join("");
const fakeAwsSecret = ["wJalrXUtnFEMI", "/K7MDENG/", "bPxRfiCYzq9kLmN0pQ"].join("");

describe("the secret scan", () => {
  it("finds no secret in the tracked tree and out/, committed certificates included", () => {
    const result = scan();
    expect(result.output).toMatch(/^secret scan: no secret in \d+ files$/m);
    expect(result.status, result.output).toBe(0);
    const scanned = Number(/no secret in (\d+) files/.exec(result.output)?.[1]);
    const certificates = readdirSync(path.join(repoRoot, "pki", "docker-api", "certs")).length;
    // The public material it must not flag is among what it read: the PKI state and out/.
    expect(certificates).toBeGreaterThan(0);
    expect(scanned).toBeGreaterThan(certificates + readdirSync(path.join(repoRoot, "out")).length);
  });

  it("fails on a planted private key, cloud key and token, naming each file and masking the secret", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    writeFileSync(path.join(planted, "node-key.pem"), pem);
    writeFileSync(path.join(planted, "deploy.env"), `GITHUB_TOKEN=${fakeGithubToken}\nAWS_SECRET_ACCESS_KEY=${fakeAwsSecret}\n`);
    writeFileSync(path.join(planted, "ca.crt"), readCommittedCa());

    const result = scan(["--dir", planted]);
    expect(result.status, result.output).toBe(1);
    expect(result.output).toContain("[PrivateKey]");
    expect(result.output).toContain("[GITHUB_TOKEN]");
    expect(result.output).toContain("[AWSSecretAccessKey]");
    expect(result.output).toContain(path.join(planted, "node-key.pem"));
    expect(result.output).toContain(path.join(planted, "deploy.env"));
    // A public certificate beside them is not a finding.
    expect(result.output).not.toContain(path.join(planted, "ca.crt"));
    // The report never repeats what it found.
    expect(result.output).not.toContain(fakeGithubToken);
    expect(result.output).not.toContain(fakeAwsSecret);
    expect(result.output).not.toContain(pem.split("\n")[1]);
  });

  it("passes a folder holding only the committed public certificate", () => {
    const clean = mkdtempSync(path.join(tmpdir(), "secret-scan-clean-"));
    try {
      writeFileSync(path.join(clean, "ca.crt"), readCommittedCa());
      expect(scan(["--dir", clean])).toEqual({ status: 0, output: "secret scan: no secret in 1 files\n" });
    } finally {
      rmSync(clean, { recursive: true, force: true });
    }
  });
});

function readCommittedCa(): string {
  const run = spawnSync("git", ["show", "HEAD:pki/docker-api/ca.crt"], { cwd: repoRoot, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`git show HEAD:pki/docker-api/ca.crt: ${run.stderr}`);
  return run.stdout;
}
