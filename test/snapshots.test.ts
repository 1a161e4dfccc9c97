import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { runCli, repoRoot } from "./helpers/cli.js";
import { maskFreshCa } from "./helpers/fresh-ca-mask.js";
import { copyProjectAsClone, readTree } from "./helpers/project.js";

// Whole-tree snapshots of builds that out/ does not cover (out/ itself is compared with a fresh build of
// cluster.config.ts in build-cli.test.ts): the seed taken literally, and topology variants of the
// reference shape. A reviewer reads a change to snapshots/ as the change the code makes to generated
// output. Refresh deliberately: `npm run snapshots:update`.
// Builds run in a copy of the project as a clone has it, so a test never issues certificates into the
// repository's pki/ or secrets/. The seed-literal build reuses the certificates committed in examples/pki/
// and is compared byte for byte; the variants have no committed pki/ (their CA key could not be committed),
// so each build creates a fresh CA and its certificate material is masked on both sides.
const CONFIGS = [
  { name: "seed-literal", config: "examples/seed-literal.config.ts", freshCa: false },
  { name: "five-etcd-members", config: "snapshots/configs/five-etcd-members.config.ts", freshCa: true },
  { name: "three-xtradb", config: "snapshots/configs/three-xtradb.config.ts", freshCa: true },
  { name: "two-sites", config: "snapshots/configs/two-sites.config.ts", freshCa: true },
];

/** What a build may print on stderr: its availability findings with their fixes, and their count. */
const AVAILABILITY_LINE = /^(\S+: )?availability (error|warning) |^ {2}fix: |^\d+ availability error/;

/**
 * And the CIS Docker Benchmark items the variants' own services fail (their reports list them), each with
 * its code frame: the variants copy the reference's services without its exceptions.
 */
const CIS_LINE = /^\S+: warning docker-host\/cis-item-fails: |^ +\d+ \| |^ +\^$/;

/** The files a fresh CA changes: certificates and the PKI inventory, Ignition (embeds them), the manifest. */
const CERTIFICATE_BEARING = /(^pki\/|\.pem$|\/config\.ign$|^manifest\.json$)/;

describe.each(CONFIGS)("snapshot $name", ({ name, config, freshCa }) => {
  it(`builds ${config} into exactly snapshots/${name}/`, () => {
    const work = copyProjectAsClone();
    try {
      const configFile = path.join(work, config);
      // A manual build of a variant leaves pki/ beside it (git-ignored): never let it stand in for a fresh CA.
      if (freshCa) rmSync(path.join(path.dirname(configFile), "pki"), { recursive: true, force: true });
      const out = path.join(work, "snapshot-out");
      const result = runCli(["build", "--config", configFile, "--out", out]);
      expect(result.status, result.stderr).toBe(0);
      // Only the availability findings a build reports (the seed taken literally has errors): nothing else.
      const other = result.stderr.split("\n").filter((line) => line && !AVAILABILITY_LINE.test(line) && !CIS_LINE.test(line));
      expect(other).toEqual([]);
      const raw = readTree(out);
      const built = freshCa ? maskFreshCa(raw) : raw;
      if (freshCa) {
        // The mask hides certificate material and nothing else: only files that carry certificates change.
        const masked = [...raw].filter(([file, content]) => built.get(file) !== content).map(([file]) => file);
        expect(masked.length).toBeGreaterThan(0);
        expect(masked.filter((file) => !CERTIFICATE_BEARING.test(file))).toEqual([]);
      }
      const snapshot = path.join(repoRoot, "snapshots", name);
      if (process.env.UPDATE_SNAPSHOTS === "1") writeTree(snapshot, built);
      expect(existsSync(snapshot), `snapshots/${name}/ is missing: run npm run snapshots:update`).toBe(true);
      const expected = readTree(snapshot);
      expect([...built.keys()]).toEqual([...expected.keys()]);
      for (const [file, content] of built) expect(content, `snapshots/${name}/${file}`).toBe(expected.get(file));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("snapshots/", () => {
  it("holds exactly one folder per snapshot config, and the configs", () => {
    const expected = ["configs", ...CONFIGS.map((c) => c.name)].sort();
    const actual = [...new Set([...readTree(path.join(repoRoot, "snapshots")).keys()].map((file) => file.split("/")[0]))].sort();
    expect(actual).toEqual(expected);
  });
});

function writeTree(root: string, files: ReadonlyMap<string, string>): void {
  rmSync(root, { recursive: true, force: true });
  for (const [file, content] of files) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content, "latin1");
  }
}
