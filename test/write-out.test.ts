import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { assertReplaceable, OutDirRefused } from "../src/synth/out-dir-guard.js";
import { writeOutAtomically, writeStateFiles } from "../src/synth/write-out.js";
import { repoRoot, runCli } from "./helpers/cli.js";
import { readTree } from "./helpers/project.js";

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-write-"));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

describe("writeOutAtomically", () => {
  it("replaces the folder with exactly the new files: stale ones vanish", async () => {
    const out = path.join(work, "out");
    await writeOutAtomically(out, [
      { path: "a.txt", content: "a\n" },
      { path: "stacks/old.yml", content: "old\n" },
    ]);
    await writeOutAtomically(out, [
      { path: "a.txt", content: "a2\n" },
      { path: "nodes/n1/config.ign", content: "{}\n" },
    ]);
    expect(readTree(out)).toEqual(
      new Map([
        ["a.txt", "a2\n"],
        ["nodes/n1/config.ign", "{}\n"],
      ]),
    );
    expect(readdirSync(work)).toEqual(["out"]);
  });

  it("leaves the previous out/ untouched when writing the new tree fails midway", async () => {
    const out = path.join(work, "out");
    await writeOutAtomically(out, [{ path: "keep.txt", content: "previous build\n" }]);
    // "x" as a file and as a folder cannot both be written: the second write fails after others succeeded.
    const conflicting = [
      { path: "a.txt", content: "new\n" },
      { path: "x", content: "file\n" },
      { path: "x/y", content: "under a file\n" },
    ];
    await expect(writeOutAtomically(out, conflicting)).rejects.toThrow();
    expect(readTree(out)).toEqual(new Map([["keep.txt", "previous build\n"]]));
    expect(readdirSync(work)).toEqual(["out"]);
  });

  it("removes the staging folder only after every folder's creation has settled, when one fails", async () => {
    const out = path.join(work, "out");
    // A folder name longer than a file system allows fails at once (ENAMETOOLONG), while deep folders are
    // still being created: none of them may bring the staging folder back after its removal.
    const deep = Array.from({ length: 200 }, (_, i) => ({ path: `n${i}/a/b/c/d/e/f/g/h/file`, content: "x\n" }));
    await expect(writeOutAtomically(out, [{ path: `${"l".repeat(300)}/file`, content: "x\n" }, ...deep])).rejects.toThrow(/ENAMETOOLONG/);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(readdirSync(work)).toEqual([]);
  });
});

describe("writeStateFiles", () => {
  it("writes private keys with mode 0600", () => {
    const key = path.join(work, "secrets", "n1.key");
    const cert = path.join(work, "pki", "n1.crt");
    writeStateFiles([
      { path: cert, content: "cert\n", mode: 0o644 },
      { path: key, content: "key\n", mode: 0o600 },
    ]);
    expect(readTree(work)).toEqual(
      new Map([
        ["pki/n1.crt", "cert\n"],
        ["secrets/n1.key", "key\n"],
      ]),
    );
    expect(statSync(key).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(key)).mode & 0o777).toBe(0o700);
  });

  it("writes the key before its certificate, so a failure in between never orphans a certificate", () => {
    writeFileSync(path.join(work, "pki"), "a file where the pki folder should be");
    const key = path.join(work, "secrets", "n1.key");
    expect(() =>
      writeStateFiles([
        { path: path.join(work, "pki", "n1.crt"), content: "cert\n", mode: 0o644 },
        { path: key, content: "key\n", mode: 0o600 },
      ]),
    ).toThrow();
    expect(readFileSync(key, "utf8")).toBe("key\n");
  });
});

describe("assertReplaceable (what --out may point at)", () => {
  it.each([
    ["a missing folder", () => path.join(work, "missing")],
    [
      "an empty folder",
      () => {
        mkdirSync(path.join(work, "empty"));
        return path.join(work, "empty");
      },
    ],
    [
      "an earlier build",
      () => {
        mkdirSync(path.join(work, "out"));
        writeFileSync(path.join(work, "out", "manifest.json"), JSON.stringify({ generatedBy: "swarm-cluster", files: [] }));
        return path.join(work, "out");
      },
    ],
  ])("accepts %s", (_name, folder) => {
    expect(() => assertReplaceable(folder())).not.toThrow();
  });

  it.each([
    [
      "a folder of other files (the repository itself, say)",
      () => {
        writeFileSync(path.join(work, "notes.txt"), "mine\n");
        return work;
      },
    ],
    [
      "a folder whose manifest.json is someone else's",
      () => {
        writeFileSync(path.join(work, "manifest.json"), JSON.stringify({ name: "app", files: [] }));
        return work;
      },
    ],
    [
      "a file",
      () => {
        writeFileSync(path.join(work, "out"), "x");
        return path.join(work, "out");
      },
    ],
  ])("refuses %s", (_name, folder) => {
    expect(() => assertReplaceable(folder())).toThrow(OutDirRefused);
  });
});

describe("swarm-cluster build --out", () => {
  it("refuses a folder that is not an earlier build, and leaves it as it was", () => {
    writeFileSync(path.join(work, "notes.txt"), "mine\n");
    const result = runCli(["build", "--config", path.join(repoRoot, "cluster.config.ts"), "--out", work]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("refusing to replace");
    expect(readTree(work)).toEqual(new Map([["notes.txt", "mine\n"]]));
  });
});
