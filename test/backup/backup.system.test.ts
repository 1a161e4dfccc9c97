// Real validators, run for real: botocore's request validator (ParamValidator) on the S3 and IAM API models that
// Debian's python3-botocore ships (the models the AWS CLI checks requests against before sending them), offline;
// shellcheck on the generated scripts; systemd-analyze verify on the units (under a throwaway root,
// test/systemd/systemd-root.ts); ignition-validate is run on every node's config by the Ignition tests.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { Testing } from "../../src/index.js";
import { copiesOf } from "../helpers/host-families.fixture.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";
import { backupCluster } from "./backup.fixture.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "aws-validate.py");
const work = mkdtempSync(path.join(tmpdir(), "backup-validators-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Request {
  readonly service: "s3" | "iam";
  readonly operation: string;
  readonly params: unknown;
}

function validate(requests: readonly Request[]) {
  const run = spawnSync("/usr/bin/python3", [SCRIPT], {
    input: JSON.stringify(requests),
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin" },
  });
  if (run.error) throw run.error;
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { apiVersions: Record<string, string>; operations: Record<string, string[]>; reports: string[] };
  return result;
}

/**
 * What each IAM action of the policies allows, as S3 operations (the S3 documentation's "permissions required" of
 * each operation): every one must be an operation of botocore's S3 model, so an action is never a misspelling.
 */
const ACTION_OPERATIONS: Record<string, readonly string[]> = {
  "s3:PutObject": ["PutObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"],
  "s3:ListBucket": ["ListObjectsV2", "ListObjects"],
  "s3:GetObject": ["GetObject", "HeadObject"],
  "s3:RestoreObject": ["RestoreObject"],
};

async function model(props: Parameters<typeof backupCluster>[0] = {}) {
  const built = backupCluster(props);
  const files = await Testing.synth(built.cluster);
  const json = (name: string) => {
    const text = files.get(`backup/backups/${name}`);
    if (text === undefined) throw new Error(`no backup/backups/${name}`);
    return JSON.parse(text) as unknown;
  };
  return { ...built, files, json };
}

describe("the bucket's lifecycle and the IAM policies, checked by botocore's validator", async () => {
  const { json } = await model();
  const lifecycle = json("lifecycle.json");
  const policies = { backup: json("backup-policy.json"), restore: json("restore-policy.json") };

  it("accepts the lifecycle as PutBucketLifecycleConfiguration's LifecycleConfiguration, and each policy as CreatePolicy's document", () => {
    const result = validate([
      {
        service: "s3",
        operation: "PutBucketLifecycleConfiguration",
        params: { Bucket: "example-org-backups", LifecycleConfiguration: lifecycle },
      },
      ...Object.entries(policies).map(([name, document]) => ({
        service: "iam" as const,
        operation: "CreatePolicy",
        params: { PolicyName: `swarm-${name}`, PolicyDocument: JSON.stringify(document) },
      })),
    ]);
    expect(result.apiVersions).toEqual({ s3: "2006-03-01", iam: "2010-05-08" });
    expect(result.reports).toEqual(["", "", ""]);
  });

  it("moves to Glacier after 30 days and expires after 365, under the prefix only", () => {
    expect(lifecycle).toEqual({
      Rules: [
        {
          ID: "test-backups",
          Status: "Enabled",
          Filter: { Prefix: "test/" },
          Transitions: [{ Days: 30, StorageClass: "GLACIER" }],
          Expiration: { Days: 365 },
          AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
        },
      ],
    });
  });

  it("grants the nodes PutObject under the prefix and a prefix-bound ListBucket, nothing else; the restore duty reads", () => {
    const statements = (document: unknown) =>
      (document as { Statement: { Action: string[]; Resource: string[]; Condition?: unknown }[] }).Statement;
    expect(statements(policies.backup).map((statement) => [statement.Action, statement.Resource, statement.Condition])).toEqual([
      [["s3:PutObject"], ["arn:aws:s3:::example-org-backups/test/*"], undefined],
      [["s3:ListBucket"], ["arn:aws:s3:::example-org-backups"], { StringLike: { "s3:prefix": ["test/*"] } }],
    ]);
    expect(statements(policies.restore).flatMap((statement) => statement.Action)).toEqual([
      "s3:GetObject",
      "s3:RestoreObject",
      "s3:ListBucket",
    ]);
    const actions = Object.values(policies).flatMap((document) => statements(document).flatMap((statement) => statement.Action));
    const s3Operations = new Set(
      validate([{ service: "s3", operation: "ListObjectsV2", params: { Bucket: "example-org-backups" } }]).operations.s3,
    );
    for (const action of actions) {
      const allowed = ACTION_OPERATIONS[action];
      expect(allowed, action).toBeDefined();
      for (const operation of allowed ?? []) expect(s3Operations.has(operation), `${action} → ${operation}`).toBe(true);
    }
  });

  it("refuses a planted bad lifecycle (days as a string, an unknown storage class field): the check can fail", () => {
    const bad = structuredClone(lifecycle) as { Rules: Record<string, unknown>[] };
    const [rule] = bad.Rules;
    if (!rule) throw new Error("no rule");
    rule.Expiration = { Days: "365" };
    rule.Transition = rule.Transitions;
    const [report] = validate([
      {
        service: "s3",
        operation: "PutBucketLifecycleConfiguration",
        params: { Bucket: "example-org-backups", LifecycleConfiguration: bad },
      },
    ]).reports;
    expect(report).toContain("Invalid type for parameter LifecycleConfiguration.Rules[0].Expiration.Days");
    expect(report).toContain('Unknown parameter in LifecycleConfiguration.Rules[0]: "Transition"');
  });
});

describe("the nodes' backup files on real validators", async () => {
  const { files, cluster } = await model();

  it("the scripts pass shellcheck, for either engine (mariabackup or xtrabackup)", async () => {
    const pxc = await Testing.synth(backupCluster({}, "percona-xtradb-cluster").cluster);
    expect(pxc.get("nodes/sw-db-2/files/etc/swarm-cluster/backup/backup-database.sh")).toContain(" xtrabackup ");
    for (const [host, built] of [
      ["sw-node-1", files],
      ["sw-db-2", files],
      ["sw-db-2", pxc],
    ] as const) {
      for (const [file, text] of copiesOf(built, host)) {
        if (!file.startsWith("files/etc/swarm-cluster/backup/")) continue;
        const written = path.join(work, `${host}-${built === pxc ? "pxc-" : ""}${path.basename(file)}`);
        writeFileSync(written, text);
        const run = spawnSync("shellcheck", ["--shell=bash", written], { encoding: "utf8" });
        if (run.error) throw run.error;
        expect({ status: run.status, output: run.stdout + run.stderr }, `${host} ${file}`).toEqual({ status: 0, output: "" });
      }
    }
  });

  it("the service and timer pass systemd-analyze verify on every node that has them, at Sunday 04:00, catching up when missed", () => {
    const nodes = cluster.nodes.filter((node) => node.units.some((unit) => unit.unitName === "swarm-cluster-backup.timer"));
    expect(nodes.map((node) => node.hostname)).toEqual(["sw-node-1", "sw-node-2", "sw-node-3", "sw-db-2"]);
    for (const node of nodes) {
      const host: Record<string, string> = {};
      for (const [file, text] of copiesOf(files, node.hostname)) {
        if (file.startsWith("systemd/")) host[`etc/systemd/system/${file.slice("systemd/".length)}`] = text;
        else if (file.startsWith("files/")) host[file.slice("files/".length)] = text;
      }
      const root = hostRoot(work, { ...host, "bin/bash": "#!/bin/sh\nexit 0\n" });
      chmodSync(path.join(root, "bin/bash"), 0o755);
      expect(verifyUnits(root, ["swarm-cluster-backup.timer", "swarm-cluster-backup.service"]), node.hostname).toEqual({
        status: 0,
        output: "",
      });
      const timer = host["etc/systemd/system/swarm-cluster-backup.timer"] ?? "";
      expect(timer).toContain("OnCalendar=Sun *-*-* 04:00:00\n");
      expect(timer).toContain("Persistent=true\n");
    }
    // systemd's own reading of the schedule: the next run after a Monday is the next Sunday at 04:00.
    const next = spawnSync("systemd-analyze", ["calendar", "--base-time=2026-11-30 12:00:00 UTC", "Sun *-*-* 04:00:00 UTC"], {
      encoding: "utf8",
    });
    if (next.error) throw next.error;
    expect(next.stdout).toMatch(/Next elapse: Sun 2026-12-06 04:00:00 UTC/);
  });
});
