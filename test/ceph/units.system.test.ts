/**
 * Real validators: `systemd-analyze verify` on every Ceph unit of a node (under a throwaway root with Flatcar's
 * docker units stood in, as test/systemd does), and shellcheck on the node script and out/ceph/bootstrap.sh, for a
 * model with every daemon kind, both volume kinds and a disaster-recovery site (rbd-mirror).
 */
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { CephCluster, cephGenerator } from "../../generators/ceph/index.js";
import { Testing } from "../../src/testing.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";

const work = mkdtempSync(path.join(tmpdir(), "ceph-units-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function build() {
  const cluster = Testing.cluster({ nodes: { front: 1, app: 3, proxy: 1, db: 2 } });
  const db = cluster.nodesInTier("db");
  const proxy = cluster.nodesInTier("proxy");
  new CephCluster(cluster, "ceph", {
    fsid: "0f3b9a4e-6a1c-4a53-9d5e-2c7f1b8e4d21",
    monitors: [...db, ...proxy],
    osds: [...db, ...proxy],
    gateways: proxy,
    pools: [
      { name: "xtradb", application: "rbd" },
      { name: "logs", application: "rbd" },
      { name: "configs", application: "cephfs" },
    ],
    fileSystem: { dataPool: "configs" },
    volumes: [
      { name: "www", kind: "cephfs", nodes: cluster.nodesInTier("app"), holds: "the site's files" },
      { name: "letsencrypt", kind: "cephfs", nodes: cluster.nodesInTier("front"), holds: "certificates" },
      { name: "database", kind: "rbd", pool: "xtradb", nodes: db, size: "20G", holds: "the datadir" },
    ],
    disasterRecovery: { site: "drp", interval: "30m" },
  });
  const files = await Testing.synth(cluster, { generators: [cephGenerator] });
  return { cluster, files };
}

describe("Ceph units and scripts", async () => {
  const { cluster, files } = await build();

  it("passes systemd-analyze verify on every node's Ceph units", () => {
    for (const node of cluster.nodes) {
      const units = node.units.filter((unit) => unit.unitName.startsWith("ceph-"));
      if (units.length === 0) continue;
      const host: Record<string, string> = {};
      for (const unit of units) host[`etc/systemd/system/${unit.unitName}`] = unit.contents;
      const root = hostRoot(work, host);
      // The volume units run the node script with the host's bash.
      const bash = path.join(root, "usr/bin/bash");
      mkdirSync(path.dirname(bash), { recursive: true });
      writeFileSync(bash, "#!/bin/sh\nexit 0\n");
      chmodSync(bash, 0o755);
      expect(
        verifyUnits(
          root,
          units.map((unit) => unit.unitName),
        ),
        node.hostname,
      ).toEqual({ status: 0, output: "" });
    }
    const [first] = cluster.nodesInTier("db");
    // The first manager runs rbd-mirror, for the disaster-recovery site.
    expect(first?.units.map((unit) => unit.unitName)).toContain("ceph-rbd-mirror.service");
  });

  it("passes shellcheck: the node script and out/ceph/bootstrap.sh", () => {
    const [first] = cluster.nodesInTier("db");
    const script = first?.files.find((file) => file.filePath === "/opt/ceph/bin/ceph-node.sh")?.contents ?? "";
    expect(script).toContain('rbd_admin mirror pool enable "$pool" image');
    expect(script).toContain('rbd_admin mirror snapshot schedule add --pool "$pool" 30m');
    const bootstrap = files.get("ceph/bootstrap.sh") ?? "";
    expect(bootstrap).toMatch(/systemctl start [^\n]*ceph-rbd-mirror\.service/);
    for (const [name, text] of [
      ["ceph-node.sh", script],
      ["bootstrap.sh", bootstrap],
    ] as const) {
      const file = path.join(work, name);
      writeFileSync(file, text);
      const run = spawnSync("shellcheck", ["--shell=bash", "--severity=style", file], { encoding: "utf8" });
      if (run.error) throw run.error;
      expect(`${run.stdout}${run.stderr}`, name).toBe("");
      expect(run.status, name).toBe(0);
    }
  });
});
