import { cpSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, repoRoot } from "./helpers/cli.js";
import { readTree } from "./helpers/project.js";

// Whole-tree snapshots of the two configs the project ships. A reviewer reads a change to snapshots/ as
// the change the code makes to generated output. Refresh deliberately: `npm run snapshots:update`.
const CONFIGS = [
  { name: "reference", config: "cluster.config.ts" },
  { name: "seed-literal", config: "examples/seed-literal.config.ts" },
];

describe.each(CONFIGS)("snapshot $name", ({ name, config }) => {
  it(`builds ${config} into exactly snapshots/${name}/`, () => {
    const work = mkdtempSync(path.join(tmpdir(), `swarm-cluster-snapshot-${name}-`));
    try {
      const out = path.join(work, "out");
      const result = runCli(["build", "--config", path.join(repoRoot, config), "--out", out]);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      const snapshot = path.join(repoRoot, "snapshots", name);
      if (process.env.UPDATE_SNAPSHOTS === "1") {
        rmSync(snapshot, { recursive: true, force: true });
        cpSync(out, snapshot, { recursive: true });
      }
      const built = readTree(out);
      const expected = readTree(snapshot);
      expect([...built.keys()]).toEqual([...expected.keys()]);
      for (const [file, content] of built) expect(content, `snapshots/${name}/${file}`).toBe(expected.get(file));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
