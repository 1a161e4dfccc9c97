// Unit test: the backup's AWS credentials reach the nodes through `swarm-cluster provision` (the overlay, beside the
// node's keys), read from git-ignored secrets/, never through out/.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { ClusterPki, Testing } from "../../src/index.js";
import { PkiState } from "../../src/pki/state.js";
import { planOverlays } from "../../src/provision/plan.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { backupCluster } from "./backup.fixture.js";

const dir = mkdtempSync(path.join(tmpdir(), "backup-provision-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stateOf = (domain: string) => new PkiState({ stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki") }, domain);
const CREDENTIALS = "[default]\naws_access_key_id = AKIAEXAMPLEKEY\naws_secret_access_key = very/secret+value\n";

describe("the backup's credentials", async () => {
  const { cluster } = backupCluster();
  if (!cluster.node.children.some((child) => child instanceof ClusterPki)) new ClusterPki(cluster, "pki");
  const result = await Testing.synthResult(cluster, { projectDir: dir });
  writeStateFiles(result.stateWrites);

  it("are named in out/ (which node, which file of secrets/), never their value", () => {
    expect(JSON.parse(result.files.find((file) => file.path === "backup/backups/host-secrets.json")?.content ?? "[]")).toEqual(
      ["sw-node-1", "sw-node-2", "sw-node-3", "sw-db-2"].map((node) => ({
        node,
        path: "/etc/swarm-cluster/backup/aws-credentials",
        secret: "backup/backups/aws-credentials",
        description: expect.stringContaining("AWS CLI credentials file"),
      })),
    );
    expect(result.files.filter((file) => file.content.includes("AKIAEXAMPLEKEY"))).toEqual([]);
  });

  it("are refused, naming the file to write, when secrets/ lacks them", () => {
    const plan = planOverlays(result, stateOf, ["sw-node-1", "sw-node-2"]);
    expect(plan.overlays).toEqual([]);
    expect(plan.problems.map((problem) => [problem.hostname, problem.message])).toEqual([
      [
        "sw-node-1",
        "secrets/backup/backups/aws-credentials is missing, so the overlay cannot install /etc/swarm-cluster/backup/aws-credentials",
      ],
      [
        "sw-node-2",
        "secrets/backup/backups/aws-credentials is missing, so the overlay cannot install /etc/swarm-cluster/backup/aws-credentials",
      ],
    ]);
  });

  it("are installed root's alone (0600) by the overlays of the nodes that back up, and only those", () => {
    const read = (relative: string) => (relative === "backup/backups/aws-credentials" ? CREDENTIALS : undefined);
    const plan = planOverlays(result, stateOf, [], read);
    expect(plan.problems).toEqual([]);
    const holders = plan.overlays.flatMap((overlay) => {
      const config = JSON.parse(overlay.content) as IgnitionConfig;
      const file = config.storage?.files?.find((entry) => entry.path === "/etc/swarm-cluster/backup/aws-credentials");
      if (!file) return [];
      expect(file.mode).toBe(0o600);
      expect(file.user?.name).toBe("root");
      expect(Buffer.from(String(file.contents?.source).replace(/^data:;base64,/, ""), "base64").toString("utf8")).toBe(CREDENTIALS);
      return [overlay.hostname];
    });
    expect(holders).toEqual(["sw-db-2", "sw-node-1", "sw-node-2", "sw-node-3"]);
  });
});
