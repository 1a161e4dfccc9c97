import { cpSync, rmSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, repoRoot } from "./helpers/cli.js";
import { copyProjectAsClone, readTree } from "./helpers/project.js";

// Whole-tree snapshots of the two configs the project ships. A reviewer reads a change to snapshots/ as
// the change the code makes to generated output. Refresh deliberately: `npm run snapshots:update`.
// Builds run in a copy of the project as a clone has it, so a test never issues certificates into the
// repository's pki/ or secrets/.
const CONFIGS = [
  { name: "reference", config: "cluster.config.ts" },
  { name: "seed-literal", config: "examples/seed-literal.config.ts" },
];

describe.each(CONFIGS)("snapshot $name", ({ name, config }) => {
  it(`builds ${config} into exactly snapshots/${name}/`, () => {
    const work = copyProjectAsClone();
    try {
      const out = path.join(work, "snapshot-out");
      const result = runCli(["build", "--config", path.join(work, config), "--out", out]);
      expect(result.status, result.stderr).toBe(0);
      // Only the availability findings a build reports (the seed taken literally has errors): nothing else.
      const other = result.stderr.split("\n").filter((line) => line && !/^(error|warning) [a-z-]+\/[a-z-]+: cluster\b|^\d+ high-availability error/.test(line));
      expect(other).toEqual([]);
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
