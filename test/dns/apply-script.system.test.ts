// A real program run for real: shellcheck lints dns/apply.sh, and bash runs it against a stand-in `aws`
// (a script first on PATH that records each call and answers as the AWS CLI would), so what the script
// sends to Route53 is checked without any network or credentials.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { dnsGenerator } from "../../generators/dns/index.js";
import { Testing } from "../../src/index.js";
import { dnsCluster } from "./dns.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-dns-apply-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Answers create-health-check with an id derived from the reference, the zone lookup with a fixed id; logs every call. */
const FAKE_AWS = `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> "$FAKE_AWS_LOG"
case "$2" in
  create-health-check) echo "hc-$4" ;;
  list-hosted-zones-by-name) echo "/hostedzone/ZLOOKEDUP" ;;
  change-resource-record-sets) for arg in "$@"; do case "$arg" in file://*) cp "\${arg#file://}" "$FAKE_AWS_BATCH" ;; esac; done ;;
esac
`;

async function runApply(name: string, options: Parameters<typeof dnsCluster>[0]) {
  const files = await Testing.synth(dnsCluster(options).cluster, { generators: [dnsGenerator] });
  const dir = path.join(work, name);
  const bin = path.join(dir, "bin");
  mkdirSync(path.join(dir, "dns"), { recursive: true });
  mkdirSync(bin, { recursive: true });
  for (const [file, content] of files) if (file.startsWith("dns/")) writeFileSync(path.join(dir, file), content);
  writeFileSync(path.join(bin, "aws"), FAKE_AWS);
  chmodSync(path.join(bin, "aws"), 0o755);
  const log = path.join(dir, "aws.log");
  const sent = path.join(dir, "sent.json");
  const run = spawnSync("bash", [path.join(dir, "dns/apply.sh")], {
    encoding: "utf8",
    env: { PATH: `${bin}:/usr/bin:/bin`, FAKE_AWS_LOG: log, FAKE_AWS_BATCH: sent },
  });
  if (run.error) throw run.error;
  return {
    run,
    script: path.join(dir, "dns/apply.sh"),
    calls: readFileSync(log, "utf8").trim().split("\n"),
    sent: () => readFileSync(sent, "utf8"),
  };
}

describe("dns/apply.sh", () => {
  it("passes shellcheck", async () => {
    const { script } = await runApply("lint", { zone: { routing: "multivalue" } });
    const lint = spawnSync("shellcheck", [script], { encoding: "utf8" });
    if (lint.error) throw lint.error;
    expect(lint.status, lint.stdout).toBe(0);
  });

  it("creates each front's health check, then sends the batch with the ids Route53 returned in place of the references", async () => {
    const { run, calls, sent } = await runApply("multivalue", { zone: { routing: "multivalue", zoneId: "Z0123456789ABCDEFGHIJ" } });
    expect(run.status, run.stderr).toBe(0);
    expect(calls.map((call) => call.split(" ").slice(0, 2).join(" "))).toEqual([
      "route53 create-health-check",
      "route53 create-health-check",
      "route53 change-resource-record-sets",
    ]);
    expect(calls[2]).toContain("--hosted-zone-id Z0123456789ABCDEFGHIJ");
    const batch = JSON.parse(sent()) as { Changes: { ResourceRecordSet: { SetIdentifier: string; HealthCheckId: string } }[] };
    for (const { ResourceRecordSet: set } of batch.Changes)
      expect(set.HealthCheckId).toMatch(new RegExp(`^hc-${set.SetIdentifier}-[0-9a-f]{16}$`));
    expect(run.stdout).toContain("zone example.org: 4 record set(s) upserted");
  });

  it("looks a zone without an id up by name, and sends the simple batch as written", async () => {
    const { run, calls, sent } = await runApply("simple", {});
    expect(run.status, run.stderr).toBe(0);
    expect(calls[0]).toContain("route53 list-hosted-zones-by-name --dns-name example.org");
    expect(calls[1]).toContain("--hosted-zone-id /hostedzone/ZLOOKEDUP");
    const files = await Testing.synth(dnsCluster({}).cluster, { generators: [dnsGenerator] });
    expect(sent()).toBe(files.get("dns/example.org.json"));
  });
});
