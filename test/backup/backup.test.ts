// Unit tests of the Backups model: its located errors (through the CLI, at the config's line) and what it selects.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { type Backups, declaredVolumes } from "../../generators/backup/index.js";
import { Testing } from "../../src/index.js";
import { repoRoot, runCli } from "../helpers/cli.js";
import { backupCluster } from "./backup.fixture.js";

const FIXTURE = "test/backup/fixtures/backup-bad.config.ts";

function lineOf(text: string): number {
  const lines = readFileSync(path.join(repoRoot, FIXTURE), "utf8").split("\n");
  return lines.findIndex((line) => line.includes(text)) + 1;
}

interface Finding {
  readonly code: string;
  readonly construct: string;
  readonly field: string;
  readonly message: string;
  readonly location: { file: string; line: number } | null;
}

describe("a bad backup config", () => {
  it("reports the lifecycle's expiry before its transition and the filter that matches no volume, at the Backups line", () => {
    const result = runCli(["build", "--config", FIXTURE, "--check", "--json"]);
    expect(result.status, result.stderr).toBe(1);
    const findings = (JSON.parse(result.stdout) as { findings: Finding[] }).findings.filter((finding) =>
      finding.code.startsWith("backup/"),
    );
    const line = lineOf('new Backups(cluster, "backups"');
    expect(findings.map(({ code, construct, field, location }) => ({ code, construct, field, line: location?.line }))).toEqual([
      { code: "backup/expiry-before-transition", construct: "cluster/backups", field: "lifecycle.expirationDays", line },
      { code: "backup/filter-matches-no-volume", construct: "cluster/backups", field: "volumes", line },
    ]);
    expect(findings[0]?.message).toContain("expires backups after 60 days, not after their move to GLACIER at 90 days");
    expect(findings[1]?.message).toContain("matches none of the volumes the stacks declare (mng_portainer-data)");
    // As a person reads it: the file and line, then the code.
    const text = runCli(["build", "--config", FIXTURE, "--check"]);
    expect(text.stderr).toMatch(new RegExp(`backup-bad\\.config\\.ts:${line}:\\d+: error backup/expiry-before-transition`));
  });
});

const problemsOf = (backups: Backups) => backups.validateConstruct().map((problem) => `${problem.code} ${problem.field}`);

describe("Backups", () => {
  it.each([
    [{ lifecycle: { transitionDays: 30, expirationDays: 30 } }, ["backup/expiry-before-transition lifecycle.expirationDays"]],
    [{ lifecycle: { transitionDays: 0 } }, ["backup/bad-days lifecycle.transitionDays"]],
    [{ lifecycle: { transitionDays: 30, expirationDays: 60 } }, ["backup/archive-minimum-days lifecycle.expirationDays"]],
    [
      { lifecycle: { transitionClass: "DEEP_ARCHIVE" as const, expirationDays: 120 } },
      ["backup/archive-minimum-days lifecycle.expirationDays"],
    ],
    [{ volumes: "^db_" }, ["backup/live-database-volume volumes"]],
    [{ volumes: "(" }, ["backup/bad-filter volumes"]],
    [{ bucket: "Example_Bucket" }, ["backup/bad-bucket bucket"]],
    [{ prefix: "a/b" }, ["backup/bad-prefix prefix"]],
    [{ storageClass: "COLD" as never }, ["backup/bad-storage-class storageClass"]],
    [{ volumes: undefined, database: undefined }, ["backup/nothing-to-back-up volumes"]],
    [{}, []],
  ])("%j → %j", (props, expected) => {
    expect(problemsOf(backupCluster(props).backups)).toEqual(expected);
  });

  it("lists the stacks' volumes by Docker name, with the nodes they may be on", () => {
    const { cluster } = backupCluster();
    expect(declaredVolumes(cluster).map((volume) => [volume.name, volume.nodes.map((node) => node.hostname)])).toEqual([
      ["db_xtradb-data", ["sw-db-1", "sw-db-2"]],
      ["mng_portainer-data", ["sw-node-1"]],
      ["stats_grafana-data", ["sw-node-1", "sw-node-2", "sw-node-3"]],
    ]);
  });

  it("runs the timer where a selected volume may be and on the database's node, and writes no credential to out/", async () => {
    const { cluster, backups } = backupCluster();
    expect(backups.plan.map((entry) => [entry.node.hostname, entry.volumes, entry.databaseService])).toEqual([
      ["sw-node-1", ["mng_portainer-data", "stats_grafana-data"], undefined],
      ["sw-node-2", ["stats_grafana-data"], undefined],
      ["sw-node-3", ["stats_grafana-data"], undefined],
      ["sw-db-2", [], "db_pxc-2"],
    ]);
    const files = await Testing.synth(cluster);
    expect([...files.keys()].filter((file) => file.includes("aws-credentials"))).toEqual([]);
    const service = files.get("nodes/sw-db-2/systemd/swarm-cluster-backup.service") ?? "";
    expect(service).toContain("/etc/swarm-cluster/backup/backup-database.sh \\\n    db_pxc-2");
  });
});
