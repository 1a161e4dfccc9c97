import type { ChildProcess } from "node:child_process";

/**
 * Sends SIGTERM and resolves once the process has exited: a daemon writes its storage until then, so removing
 * its folder before races its last writes (ENOTEMPTY).
 */
export function stopAndWait(child: ChildProcess | undefined): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
  });
}
