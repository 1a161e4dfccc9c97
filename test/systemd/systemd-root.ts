import { spawnSync } from "node:child_process";
import { chmodSync, cpSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import path from "node:path";

/**
 * Stand-ins for what Flatcar provides and this machine may lack. `systemd-analyze verify` loads each unit's
 * dependencies and checks that every Exec*= program exists and is executable; the generated units run
 * /usr/bin/docker and depend on docker.service, which belong to Flatcar, not to the test machine. So the
 * units are verified under `--root` on a throwaway tree: systemd's own units copied from this machine
 * (targets such as sysinit.target, which every unit depends on by default), Flatcar's docker units as
 * stubs shaped like the real ones, and stub executables at the paths the units name.
 */
const FLATCAR_UNITS: Record<string, string> = {
  "docker.service": [
    "[Unit]",
    "Description=Docker Application Container Engine (stub of Flatcar's unit)",
    "After=docker.socket",
    "Requires=docker.socket",
    "[Service]",
    "Type=notify",
    "ExecStart=/usr/bin/dockerd --host=fd:// $DOCKER_OPTS",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n"),
  "docker.socket": [
    "[Unit]",
    "Description=Docker Socket (stub)",
    "[Socket]",
    "ListenStream=/run/docker.sock",
    "[Install]",
    "WantedBy=sockets.target",
    "",
  ].join("\n"),
};
const FLATCAR_PROGRAMS = ["/usr/bin/docker", "/usr/bin/dockerd", "/usr/bin/cp", "/usr/bin/rm", "/usr/sbin/nft"];

/** A fresh root below `workDir` holding the host files and units given, relative paths inside the root → contents. */
export function hostRoot(workDir: string, files: Record<string, string>): string {
  const root = mkdtempSync(path.join(workDir, "root-"));
  cpSync("/usr/lib/systemd/system", path.join(root, "usr/lib/systemd/system"), { recursive: true, verbatimSymlinks: true });
  for (const [name, text] of Object.entries(FLATCAR_UNITS)) writeFileSync(path.join(root, "usr/lib/systemd/system", name), text);
  for (const program of FLATCAR_PROGRAMS) {
    const file = path.join(root, program);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, "#!/bin/sh\nexit 0\n");
    chmodSync(file, 0o755);
  }
  for (const [relative, text] of Object.entries(files)) {
    const file = path.join(root, relative);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, text);
  }
  return root;
}

/** `systemd-analyze verify` of units under a root; a clean unit gives exit 0 and prints nothing. */
export function verifyUnits(root: string, units: readonly string[]): { status: number | null; output: string } {
  const run = spawnSync("systemd-analyze", ["verify", "--man=no", `--root=${root}`, ...units], { encoding: "utf8" });
  if (run.error) throw run.error; // a missing tool fails the test, it never skips it
  return { status: run.status, output: `${run.stdout}${run.stderr}`.trim() };
}
