import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { compareStrings } from "../core/stable-json.js";
import type { OutFile } from "./write-out.js";

export interface TreeDifference {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly string[];
}

/** Every file below a folder, as relative POSIX paths, sorted. */
export function listFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  const found: string[] = [];
  const walk = (dir: string, prefix: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const relative = prefix ? `${prefix}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path.join(dir, entry.name), relative);
      else found.push(relative);
    }
  };
  walk(root, "");
  return found.sort(compareStrings);
}

/** What writing `files` into outDir would change. */
export function compareWithDisk(files: readonly OutFile[], outDir: string): TreeDifference {
  const onDisk = new Set(listFiles(outDir));
  const added: string[] = [];
  const changed: string[] = [];
  for (const file of files) {
    if (!onDisk.has(file.path)) added.push(file.path);
    else if (readFileSync(path.join(outDir, file.path), "utf8") !== file.content) changed.push(file.path);
    onDisk.delete(file.path);
  }
  return { added, removed: [...onDisk].sort(compareStrings), changed };
}

export function isSame(difference: TreeDifference): boolean {
  return difference.added.length + difference.removed.length + difference.changed.length === 0;
}
