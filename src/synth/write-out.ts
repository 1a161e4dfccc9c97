import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFile, writeFileSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
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
    // Every creation settled before a failure is thrown: the catch below removes the staging folder, and a
    // recursive mkdir still running would create it again.
    const created = await Promise.allSettled([...folders].map((folder) => mkdir(folder, { recursive: true })));
    const failed = created.find((outcome) => outcome.status === "rejected");
    if (failed) throw failed.reason;
    await writeAll(files.map((file) => ({ file: path.join(staging, file.path), content: file.content })));
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
 * Writes every file at once, through fs.writeFile's callbacks: fs/promises' writeFile opens a FileHandle
 * per file and settles several promises per write, which cost the 8-node build (164 files) about 8 ms of
 * CPU and 6 ms of wall clock on tmpfs (40 paired runs; the same on ext4); the system calls, and their
 * concurrency, are the same. Settles once every write has finished, so that a failed build removes its
 * staging folder only after the last write into it; rejects with the first error.
 */
function writeAll(writes: readonly { readonly file: string; readonly content: string }[]): Promise<void> {
  return new Promise((resolve, reject) => {
    let left = writes.length;
    let failure: NodeJS.ErrnoException | null = null;
    const settle = (): void => (failure ? reject(failure) : resolve());
    if (left === 0) return settle();
    for (const { file, content } of writes) {
      writeFile(file, content, (error) => {
        failure ??= error;
        left -= 1;
        if (left === 0) settle();
      });
    }
  });
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
