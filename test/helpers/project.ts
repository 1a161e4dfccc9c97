import { execFileSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { repoRoot } from "./cli.js";

/**
 * A copy of the project as a fresh clone would have it: the files git tracks (as they are in the work
 * tree), so never the git-ignored secrets/. The copy has no node_modules: the CLI runs from the repository.
 */
export function copyProjectAsClone(): string {
  const target = mkdtempSync(path.join(tmpdir(), "swarm-cluster-clone-"));
  const tracked = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter(Boolean);
  for (const file of tracked) {
    const source = path.join(repoRoot, file);
    try {
      if (!statSync(source).isFile()) continue;
    } catch {
      continue; // deleted in the work tree
    }
    mkdirSync(path.dirname(path.join(target, file)), { recursive: true });
    cpSync(source, path.join(target, file));
  }
  return target;
}

/** Every file below a folder → its bytes, for comparing whole trees. */
export function readTree(root: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative);
      else files.set(relative, readFileSync(path.join(dir, entry.name), "latin1"));
    }
  };
  walk(root, "");
  return new Map([...files].sort(([a], [b]) => (a < b ? -1 : 1)));
}
