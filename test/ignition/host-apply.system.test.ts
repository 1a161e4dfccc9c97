import { spawnSync } from "node:child_process";
import {
  appendFileSync,
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot } from "../helpers/cli.js";
import { runTool } from "../helpers/validators.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-host-apply-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

// The reference cluster's committed out/ (kept current by the snapshot test): sw-node-1 has every kind of
// unit, docker's own (a docker.service drop-in, docker-tcp.socket) among them.
const HOST = "sw-node-1";
const IP = "10.10.1.21";
const committed = path.join(repoRoot, "out/nodes", HOST);
// What every node shares: the apply logic and the copies whose bytes are the same on every node.
const shared = path.join(repoRoot, "out/shared");

interface IgnitionShape {
  storage: { files: Array<{ path: string; mode?: number }> };
  systemd: { units: Array<{ name: string; contents?: string }> };
}
const config = JSON.parse(readFileSync(path.join(committed, "config.ign"), "utf8")) as IgnitionShape;
const expectedPaths = [
  ...config.storage.files.map((file) => file.path),
  ...config.systemd.units.filter((unit) => unit.contents !== undefined).map((unit) => `/etc/systemd/system/${unit.name}`),
].sort();

/**
 * A node in a temp folder: a stand-in `ssh` for SWARM_SSH runs the remote command under bash with fake
 * sudo, sha256sum, install and systemctl that map every absolute path below the node's root and record
 * their calls. Nothing leaves the machine.
 */
function fakeNode() {
  const dir = mkdtempSync(path.join(work, "node-"));
  const root = path.join(dir, "root");
  const bin = path.join(dir, "remote-bin");
  const calls = path.join(dir, "calls");
  mkdirSync(root);
  mkdirSync(bin);
  writeFileSync(calls, "");
  const script = (name: string, text: string) => {
    writeFileSync(path.join(bin, name), `#!/usr/bin/env bash\nset -euo pipefail\n${text}`);
    chmodSync(path.join(bin, name), 0o755);
  };
  script("sudo", `echo "sudo $*" >> ${calls}\nexec "$@"\n`);
  script(
    "sha256sum",
    `status=0
for p in "$@"; do
  [ "$p" = -- ] && continue
  if [ -f "${root}$p" ]; then echo "$(/usr/bin/sha256sum < "${root}$p" | cut -d ' ' -f 1)  $p"; else echo "sha256sum: $p: No such file or directory" >&2; status=1; fi
done
exit $status
`,
  );
  script(
    "install",
    `mode=""; owner=""; group=""; dirs=0
while [ $# -gt 2 ]; do
  case "$1" in -D) dirs=1; shift ;; -m) mode="$2"; shift 2 ;; -o) owner="$2"; shift 2 ;; -g) group="$2"; shift 2 ;; *) echo "fake install: $1" >&2; exit 2 ;; esac
done
[ "$1" = /dev/stdin ] && [ "$dirs" = 1 ] || { echo "fake install: expected -D ... /dev/stdin PATH" >&2; exit 2; }
mkdir -p "$(dirname "${root}$2")"
cat > "${root}$2"
chmod "$mode" "${root}$2"
echo "install $mode $owner:$group $2" >> ${calls}
`,
  );
  script("systemctl", `echo "systemctl $*" >> ${calls}\n`);
  // Symbolic links (/etc/localtime) below the node's root too: never the test machine's own.
  script("readlink", `/usr/bin/readlink "${root}$1"\n`);
  script(
    "ln",
    `[ "$1" = -sfn ] || { echo "fake ln: expected -sfn TARGET PATH" >&2; exit 2; }
mkdir -p "$(dirname "${root}$3")"
/usr/bin/ln -sfn "$2" "${root}$3"
echo "ln $2 $3" >> ${calls}
`,
  );
  const ssh = path.join(dir, "fake-ssh");
  writeFileSync(
    ssh,
    `#!/usr/bin/env bash
set -euo pipefail
echo "ssh $*" >> ${calls}
while [ "\${1:-}" = -o ]; do shift 2; done
[ "$1" = core@${IP} ] || { echo "fake ssh: expected core@${IP}, got $1" >&2; exit 255; }
shift
PATH="${bin}:$PATH" exec bash -c "$*"
`,
  );
  chmodSync(ssh, 0o755);

  // The node's copies as the build wrote them, in a repository-shaped folder the script is run from.
  const repo = path.join(dir, "repo");
  const local = path.join(repo, "out/nodes", HOST);
  const sharedCopy = path.join(repo, "out/shared");
  cpSync(committed, local, { recursive: true });
  cpSync(shared, sharedCopy, { recursive: true });
  let mark = 0;
  return {
    root,
    local,
    shared: sharedCopy,
    /** The readable copy of a file of the node, in its folder or in shared/. */
    copyOf(relative: string): string {
      const own = path.join(local, relative);
      return existsSync(own) ? own : path.join(sharedCopy, relative);
    },
    run() {
      mark = readFileSync(calls, "utf8").split("\n").filter(Boolean).length;
      const result = spawnSync("bash", [`out/nodes/${HOST}/apply.sh`], {
        cwd: repo,
        encoding: "utf8",
        env: { ...process.env, SWARM_SSH: `${ssh} -o ConnectTimeout=5` },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr };
    },
    /** What the node did during the last run, without the ssh and sudo wrappers. */
    lastCalls(): string[] {
      return readFileSync(calls, "utf8")
        .split("\n")
        .filter(Boolean)
        .slice(mark)
        .filter((line) => !/^(ssh|sudo) /.test(line));
    },
    sshCalls: () =>
      readFileSync(calls, "utf8")
        .split("\n")
        .filter((line) => line.startsWith("ssh ")),
  };
}

const installs = (calls: readonly string[]) => calls.filter((call) => call.startsWith("install "));
const restarts = (calls: readonly string[]) =>
  calls.filter((call) => /^systemctl (restart|try-restart|reload-or-restart|reload) /.test(call));

describe(`nodes/${HOST}/apply.sh`, () => {
  it.each([path.join(committed, "apply.sh"), path.join(shared, "apply.sh")])(
    "%s passes shellcheck, with the generated header and strict mode",
    (file) => {
      const text = readFileSync(file, "utf8");
      expect(text.split("\n").slice(0, 2)).toEqual([
        "#!/usr/bin/env bash",
        "# generated by swarm-cluster — do not edit: change the cluster config and rebuild",
      ]);
      expect(text).toContain("set -euo pipefail");
      expect(runTool("shellcheck", ["--shell=bash", file])).toEqual({ status: 0, output: "" });
    },
  );

  it("holds the node's data only: the logic is the shared script's, and shared copies are named there", () => {
    const text = readFileSync(path.join(committed, "apply.sh"), "utf8");
    // Beyond one quoted entry per file or unit, only the header and the call: no logic of its own.
    const lines = text.split("\n").filter((line) => line.trim() !== "");
    const entries = lines.filter((line) => /^\s+'(file|unit)\|/.test(line));
    expect(entries.length).toBeGreaterThan(0);
    expect(lines.length - entries.length).toBeLessThan(25);
    expect(text).toContain('exec bash "$OUT_DIR/shared/apply.sh"');
    expect(text).toContain("'file|shared/files/etc/hosts|/etc/hosts|0644||'");
    expect(text).toContain(`'file|nodes/${HOST}/files/etc/hostname|/etc/hostname|0644||'`);
    expect(readFileSync(path.join(shared, "apply.sh"), "utf8")).toContain("sha256sum");
  });

  it("first run: installs every file and unit of config.ign as root with its mode, restarts changed units but never docker", () => {
    const node = fakeNode();
    const run = node.run();
    expect(run.status, run.stderr).toBe(0);
    const calls = node.lastCalls();
    expect(
      installs(calls)
        .map((call) => call.split(" ")[3])
        .sort(),
    ).toEqual(expectedPaths);
    // Each file with the mode its Ignition entry gives (certificates are read-only: 0444), units 0644.
    const modes = new Map(config.storage.files.map((file) => [file.path, (file.mode ?? 0o644).toString(8).padStart(4, "0")]));
    for (const call of installs(calls))
      expect(call).toBe(`install ${modes.get(call.split(" ")[3] ?? "") ?? "0644"} root:root ${call.split(" ")[3]}`);
    for (const file of config.storage.files) {
      const copy = readFileSync(node.copyOf(path.join("files", file.path)), "utf8");
      expect(readFileSync(path.join(node.root, file.path), "utf8")).toBe(copy);
      expect(statSync(path.join(node.root, file.path)).mode & 0o777).toBe(file.mode ?? 0o644);
    }
    expect(calls).toContain("systemctl daemon-reload");
    expect(calls.indexOf("systemctl daemon-reload")).toBeGreaterThan(calls.lastIndexOf(installs(calls).at(-1) ?? ""));
    expect(restarts(calls).sort()).toEqual([
      // docker.service requires it, so a restart would restart dockerd: its reload re-applies the rules.
      "systemctl reload-or-restart swarm-firewall.service",
      // The node's Ceph volumes (the certificates' and the docroot's CephFS directories, the logs' RBD image),
      // mounted at first apply.
      "systemctl restart ceph-volume-letsencrypt.service",
      "systemctl restart ceph-volume-logs.service",
      "systemctl restart ceph-volume-www.service",
      // certbot's node: the temporary certificates for those not issued yet, on the volume just mounted.
      "systemctl restart certbot-bootstrap.service",
      // Timers start; the services they run are left to their next run (restarting one would run a backup).
      "systemctl restart etcd-member.path",
      "systemctl restart etcd-member.service",
      "systemctl restart packetbeat.service",
      "systemctl restart swarm-cluster-backup.timer",
    ]);
    // The time zone link of HostExtras, made as Ignition makes it; nothing restarts for it.
    expect(calls).toContain("ln /usr/share/zoneinfo/UTC /etc/localtime");
    expect(readlinkSync(path.join(node.root, "etc/localtime"))).toBe("/usr/share/zoneinfo/UTC");
    expect(calls.join("\n")).not.toMatch(/systemctl \S*(restart|reload|stop|start)\S* docker/);
    expect(run.stdout).toContain("docker.service NOT restarted");
    expect(run.stdout).toContain("docker-tcp.socket NOT restarted");
    expect(run.stdout).toContain(`ssh core@${IP} sudo systemctl restart docker.service`);
    // A file no unit of the node defines: the services that read it are named.
    expect(run.stdout).toContain("/etc/nftables/swarm-cluster.nft is read by: swarm-firewall.service");
    expect(run.stdout).toContain("/etc/docker/daemon.json is read by: docker.service");
    // Every connection: batch mode, user core, the node's private address, the operator's options kept.
    for (const call of node.sshCalls()) expect(call).toMatch(new RegExp(`^ssh -o ConnectTimeout=5 -o BatchMode=yes core@${IP} `));
  });

  it("never copies a private key", () => {
    const node = fakeNode();
    expect(node.run().status).toBe(0);
    expect(spawnSync("grep", ["-r", "-l", "PRIVATE KEY", node.root], { encoding: "utf8" }).stdout).toBe("");
    expect(expectedPaths.some((file) => file.includes("key"))).toBe(false);
  });

  it("second run changes nothing", () => {
    const node = fakeNode();
    expect(node.run().status).toBe(0);
    const second = node.run();
    expect(second.status, second.stderr).toBe(0);
    const calls = node.lastCalls();
    expect(installs(calls)).toEqual([]);
    expect(calls.filter((call) => call.startsWith("systemctl "))).toEqual([]);
    expect(second.stdout).toContain(`${HOST}: up to date, nothing to apply`);
  });

  it("re-installs only the file whose copy changed, and restarts only its unit", () => {
    const node = fakeNode();
    expect(node.run().status).toBe(0);
    appendFileSync(path.join(node.local, "systemd/etcd-member.service"), "# changed\n");
    const run = node.run();
    expect(run.status, run.stderr).toBe(0);
    const calls = node.lastCalls();
    expect(installs(calls)).toEqual(["install 0644 root:root /etc/systemd/system/etcd-member.service"]);
    expect(restarts(calls)).toEqual(["systemctl restart etcd-member.service"]);
    expect(readFileSync(path.join(node.root, "etc/systemd/system/etcd-member.service"), "utf8")).toContain("# changed");

    appendFileSync(path.join(node.local, "files/etc/docker/daemon.json"), "\n");
    const docker = node.run();
    expect(docker.status, docker.stderr).toBe(0);
    expect(installs(node.lastCalls())).toEqual(["install 0644 root:root /etc/docker/daemon.json"]);
    expect(node.lastCalls().filter((call) => call.startsWith("systemctl "))).toEqual([]);
    expect(docker.stdout).toContain("/etc/docker/daemon.json is read by: docker.service");
  });

  it("re-installs a shared copy that changed, as every node that holds it would", () => {
    const node = fakeNode();
    expect(node.run().status).toBe(0);
    appendFileSync(path.join(node.shared, "files/etc/hosts"), "10.10.1.99 extra\n");
    const run = node.run();
    expect(run.status, run.stderr).toBe(0);
    expect(installs(node.lastCalls())).toEqual(["install 0644 root:root /etc/hosts"]);
    expect(readFileSync(path.join(node.root, "etc/hosts"), "utf8")).toContain("10.10.1.99 extra");
  });

  it("refuses to copy a file that holds a private key", () => {
    const node = fakeNode();
    writeFileSync(
      path.join(node.local, "files/etc/ssl/swarm/docker-api/cert.pem"),
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
    );
    const run = node.run();
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("holds a private key");
    expect(node.sshCalls()).toEqual([]);
  });
});
