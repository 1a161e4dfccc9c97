import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import type { StateWrite } from "../pki/material.js";

export interface OutFile {
  readonly path: string;
  readonly content: string;
}

/**
 * Replaces outDir with exactly these files, all or nothing: the new tree is written beside it first,
 * then swapped in with two renames, so a failed build leaves the old out/ as it was and stale files vanish.
 * Folders and files are created concurrently: on the virtual disks this runs on, a hundred sequential
 * small writes cost several times what the same writes cost in parallel.
 */
export async function writeOutAtomically(outDir: string, files: readonly OutFile[]): Promise<void> {
  const target = path.resolve(outDir);
  const staging = `${target}.tmp-build-${process.pid}`;
  const retired = `${target}.old-build-${process.pid}`;
  await rm(staging, { recursive: true, force: true });
  try {
    const folders = new Set([staging, ...files.map((file) => path.dirname(path.join(staging, file.path)))]);
    await Promise.all([...folders].map((folder) => mkdir(folder, { recursive: true })));
    await Promise.all(files.map((file) => writeFile(path.join(staging, file.path), file.content)));
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  const hadPrevious = existsSync(target);
  if (hadPrevious) renameSync(target, retired);
  try {
    renameSync(staging, target);
  } catch (error) {
    if (hadPrevious) renameSync(retired, target);
    rmSync(staging, { recursive: true, force: true });
    throw error;
  }
  await rm(retired, { recursive: true, force: true });
}

/**
 * Writes state files (certificates, keys) each through a temporary name, so none is ever half-written.
 * Private keys go first: a crash between a key and its certificate then leaves an orphan key, which the
 * next build overwrites, never a committed certificate whose key is lost.
 */
export function writeStateFiles(writes: readonly StateWrite[]): void {
  const keysFirst = [...writes.filter((write) => write.mode === 0o600), ...writes.filter((write) => write.mode !== 0o600)];
  for (const write of keysFirst) {
    // Folders created for keys are private too: a key's mode alone does not hide that it exists.
    mkdirSync(path.dirname(write.path), { recursive: true, mode: write.mode === 0o600 ? 0o700 : 0o755 });
    const temporary = `${write.path}.tmp-build-${process.pid}`;
    writeFileSync(temporary, write.content, { mode: write.mode });
    chmodSync(temporary, write.mode);
    renameSync(temporary, write.path);
  }
}
