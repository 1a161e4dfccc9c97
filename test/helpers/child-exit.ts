import type { ChildProcess } from "node:child_process";

/**
 * Sends `signal` (SIGTERM unless told) and resolves once the process has exited: a daemon writes its storage
 * until then, so removing its folder before races its last writes (ENOTEMPTY). With `graceMs`, a process still
 * there after that long is killed (SIGKILL).
 */
export function stopAndWait(child: ChildProcess | undefined, options: { signal?: NodeJS.Signals; graceMs?: number } = {}): Promise<void> {
  return new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return resolve();
    const timer = options.graceMs === undefined ? undefined : setTimeout(() => child.kill("SIGKILL"), options.graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(options.signal ?? "SIGTERM");
  });
}
