import { spawnSync } from "node:child_process";
import { appendFileSync, chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { swarmGenerator } from "../../generators/swarm/index.js";
import { Cluster, Node, Testing } from "../../src/index.js";
import { runTool } from "../helpers/validators.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-bootstrap-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const MANAGER_TOKEN = "SWMTKN-1-managersecret0123456789";
const WORKER_TOKEN = "SWMTKN-1-workersecret0123456789";

/** Workers declared before the managers, so the first manager is not the first node; every node has a public IP. */
function cluster(managers = 3): Cluster {
  const c = new Cluster({ name: "test", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
  new Node(c, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11" });
  new Node(c, "sw-front-2", { tier: "front", privateIp: "10.10.1.12", publicIp: "203.0.113.12" });
  for (let i = 1; i <= managers; i++) {
    new Node(c, `sw-node-${i}`, { tier: "app", privateIp: `10.10.1.2${i}`, publicIp: `203.0.113.2${i}`, swarmRole: "manager" });
  }
  new Node(c, "sw-db-1", { tier: "db", privateIp: "10.10.1.41", publicIp: "203.0.113.41" });
  return c;
}

async function bootstrapScript(c: Cluster = cluster()): Promise<string> {
  const files = await Testing.synth(c, { generators: [swarmGenerator] });
  const script = files.get("swarm/bootstrap.sh");
  if (script === undefined) throw new Error("swarm/bootstrap.sh was not generated");
  return script;
}

/**
 * A stand-in `ssh` for SWARM_SSH: it records its arguments, then runs the remote command under bash with a
 * fake `docker` that keeps each host's Swarm state in files (FAKE_IP says which host it is), the way the
 * node's login shell would. Nothing leaves the machine.
 */
function fakeSwarm(hosts: ReadonlyArray<readonly [ip: string, hostname: string]>) {
  const dir = mkdtempSync(path.join(work, "swarm-"));
  const state = path.join(dir, "state");
  const remoteBin = path.join(dir, "remote-bin");
  mkdirSync(state);
  mkdirSync(remoteBin);
  writeFileSync(path.join(state, "hosts"), hosts.map(([ip, host]) => `${ip} ${host}\n`).join(""));
  for (const file of ["members", "never-join", "docker-calls", "ssh-calls"]) writeFileSync(path.join(state, file), "");

  const ssh = path.join(dir, "fake-ssh");
  writeFileSync(
    ssh,
    `#!/usr/bin/env bash
set -euo pipefail
echo "$*" >> ${state}/ssh-calls
while [ "\${1:-}" = -o ]; do shift 2; done
target="$1"
shift
[ "\${target%%@*}" = core ] || { echo "fake ssh: expected user core, got $target" >&2; exit 255; }
export FAKE_IP="\${target#*@}"
PATH="${remoteBin}:$PATH" exec bash -c "$*"
`,
  );
  // members: one line per Swarm node, "id hostname role status"; the first manager line is the Leader.
  writeFileSync(
    path.join(remoteBin, "docker"),
    `#!/usr/bin/env bash
set -euo pipefail
S=${state}
echo "$FAKE_IP $*" >> "$S/docker-calls"
host="$(awk -v ip="$FAKE_IP" '$1 == ip { print $2 }' "$S/hosts")"
case "$1 $2" in
  "info --format") cat "$S/state-$FAKE_IP" 2>/dev/null || echo inactive ;;
  "swarm init")
    echo active > "$S/state-$FAKE_IP"
    echo "id-$host $host manager Ready" >> "$S/members"
    echo "Swarm initialized. To add a worker: docker swarm join --token ${WORKER_TOKEN} $FAKE_IP:2377" ;;
  "swarm join-token")
    [ "$3" = -q ] || exit 2
    if [ "$4" = manager ]; then echo ${MANAGER_TOKEN}; else echo ${WORKER_TOKEN}; fi ;;
  "swarm join")
    if grep -qx "$host" "$S/never-join"; then echo "Error response from daemon: timeout" >&2; exit 1; fi
    case "$4" in ${MANAGER_TOKEN}) role=manager ;; ${WORKER_TOKEN}) role=worker ;; *) echo "invalid join token" >&2; exit 1 ;; esac
    echo active > "$S/state-$FAKE_IP"
    echo "id-$host $host $role Ready" >> "$S/members"
    echo "This node joined a swarm as a $role." ;;
  "node ls")
    [ "$3" = --format ] || exit 2
    leader="$(awk '$3 == "manager" && $4 == "Ready" { print $1; exit }' "$S/members")"
    while read -r id name role status; do
      manager=""
      if [ "$role" = manager ]; then if [ "$id" = "$leader" ]; then manager=Leader; else manager=Reachable; fi; fi
      line="\${4//"{{.ID}}"/"$id"}"; line="\${line//"{{.Hostname}}"/"$name"}"
      line="\${line//"{{.Status}}"/"$status"}"; echo "\${line//"{{.ManagerStatus}}"/"$manager"}"
    done < "$S/members"
    # A node just joined shows as Unknown in its first listing, then Ready.
    sed -i 's/ Unknown$/ Ready/' "$S/members" ;;
  "node promote" | "node demote")
    role=worker; [ "$2" = promote ] && role=manager
    awk -v id="$3" -v role="$role" '$1 == id { $3 = role } { print }' "$S/members" > "$S/members.new"
    mv "$S/members.new" "$S/members"
    echo "Node $3 changed." ;;
  *) echo "fake docker: unexpected $*" >&2; exit 2 ;;
esac
`,
  );
  chmodSync(ssh, 0o755);
  chmodSync(path.join(remoteBin, "docker"), 0o755);

  const lines = (file: string): string[] => readFileSync(path.join(state, file), "utf8").split("\n").filter(Boolean);
  return {
    /** Runs the script from an empty folder, ssh given with an extra option to show SWARM_SSH is split into words. */
    run(script: string, env: NodeJS.ProcessEnv = {}) {
      const file = path.join(dir, "bootstrap.sh");
      writeFileSync(file, script);
      const cwd = mkdtempSync(path.join(dir, "cwd-"));
      const result = spawnSync("bash", [file], {
        cwd,
        encoding: "utf8",
        env: { ...process.env, SWARM_SSH: `${ssh} -o ConnectTimeout=5`, SWARM_READY_TIMEOUT: "0", ...env },
      });
      return { status: result.status, stdout: result.stdout, stderr: result.stderr, leftInCwd: readdirSync(cwd) };
    },
    dockerCalls: () => lines("docker-calls"),
    sshCalls: () => lines("ssh-calls"),
    members: () => lines("members"),
    /** Marks a host as already in a Swarm. */
    setState: (ip: string) => writeFileSync(path.join(state, `state-${ip}`), "active\n"),
    neverJoins: (host: string) => appendFileSync(path.join(state, "never-join"), `${host}\n`),
    setMembers: (members: readonly string[]) => writeFileSync(path.join(state, "members"), members.map((m) => `${m}\n`).join("")),
  };
}

const HOSTS = [
  ["10.10.1.11", "sw-front-1"],
  ["10.10.1.12", "sw-front-2"],
  ["10.10.1.21", "sw-node-1"],
  ["10.10.1.22", "sw-node-2"],
  ["10.10.1.23", "sw-node-3"],
  ["10.10.1.41", "sw-db-1"],
] as const;

const joins = (calls: readonly string[]) => calls.filter((call) => / swarm (init|join) /.test(call));
const flags = (ip: string) => `--advertise-addr ${ip} --data-path-addr ${ip} --listen-addr ${ip}:2377`;

function expectNoTokens(...outputs: string[]) {
  for (const output of outputs) {
    expect(output).not.toContain(MANAGER_TOKEN);
    expect(output).not.toContain(WORKER_TOKEN);
    expect(output).not.toMatch(/SWMTKN/);
  }
}

describe("swarm/bootstrap.sh", () => {
  it("passes shellcheck, with the generated header and strict mode", async () => {
    const script = await bootstrapScript();
    expect(script.split("\n")[0]).toBe("#!/usr/bin/env bash");
    expect(script).toContain("set -euo pipefail");
    const file = path.join(work, "bootstrap.sh");
    writeFileSync(file, script);
    expect(runTool("shellcheck", ["--shell=bash", file])).toEqual({ status: 0, output: "" });
  });

  it("initialises on the first manager, joins each node with its role's token on its private address", async () => {
    const swarm = fakeSwarm(HOSTS);
    const run = swarm.run(await bootstrapScript());
    expect(run.status, run.stderr).toBe(0);
    expect(joins(swarm.dockerCalls())).toEqual([
      `10.10.1.21 swarm init ${flags("10.10.1.21")}`,
      `10.10.1.11 swarm join --token ${WORKER_TOKEN} ${flags("10.10.1.11")} 10.10.1.21:2377`,
      `10.10.1.12 swarm join --token ${WORKER_TOKEN} ${flags("10.10.1.12")} 10.10.1.21:2377`,
      `10.10.1.22 swarm join --token ${MANAGER_TOKEN} ${flags("10.10.1.22")} 10.10.1.21:2377`,
      `10.10.1.23 swarm join --token ${MANAGER_TOKEN} ${flags("10.10.1.23")} 10.10.1.21:2377`,
      `10.10.1.41 swarm join --token ${WORKER_TOKEN} ${flags("10.10.1.41")} 10.10.1.21:2377`,
    ]);
    expect(swarm.members().map((line) => line.split(" ").slice(1, 3).join(" "))).toEqual([
      "sw-node-1 manager",
      "sw-front-1 worker",
      "sw-front-2 worker",
      "sw-node-2 manager",
      "sw-node-3 manager",
      "sw-db-1 worker",
    ]);
    expect(run.stdout).toContain("Swarm formed: 6 nodes, 3 managers");
    // Every connection: batch mode, user core, a private address, the operator's extra options kept.
    for (const call of swarm.sshCalls()) expect(call).toMatch(/^-o ConnectTimeout=5 -o BatchMode=yes core@10\.10\.1\.\d+ /);
    expect(swarm.sshCalls().join("\n")).not.toContain("203.0.113.");
    expect(swarm.dockerCalls().filter((call) => / node (promote|demote) /.test(call))).toEqual([]);
  });

  it("keeps the tokens off the terminal, the disk and the workstation's process list", async () => {
    const swarm = fakeSwarm(HOSTS);
    const run = swarm.run(await bootstrapScript());
    expect(run.status, run.stderr).toBe(0);
    // The fake's `swarm init` prints a join command with the token, as docker does.
    expectNoTokens(run.stdout, run.stderr, swarm.sshCalls().join("\n"));
    expect(run.leftInCwd).toEqual([]);
    // They did reach the nodes, through ssh's stdin.
    expect(swarm.dockerCalls().join("\n")).toContain(MANAGER_TOKEN);
  });

  it("does nothing on a second run: every node is already in the Swarm with its role", async () => {
    const swarm = fakeSwarm(HOSTS);
    const script = await bootstrapScript();
    expect(swarm.run(script).status).toBe(0);
    const before = swarm.dockerCalls().length;
    const second = swarm.run(script);
    expect(second.status, second.stderr).toBe(0);
    const calls = swarm.dockerCalls().slice(before);
    expect(joins(calls)).toEqual([]);
    expect(calls.filter((call) => / node (promote|demote) /.test(call))).toEqual([]);
    expect(second.stdout).toContain("sw-db-1: in a Swarm");
    expectNoTokens(second.stdout, second.stderr);
  });

  it("promotes and demotes nodes whose role differs from the model, promotions first, by node id", async () => {
    const swarm = fakeSwarm(HOSTS);
    swarm.setMembers([
      "id-sw-node-1 sw-node-1 manager Ready",
      // A reinstalled node's stale entry: same hostname, Down; only the Ready one counts.
      "old-sw-node-3 sw-node-3 manager Down",
      "id-sw-node-3 sw-node-3 worker Ready",
      "id-sw-node-2 sw-node-2 manager Ready",
      "id-sw-front-1 sw-front-1 manager Ready",
      "id-sw-front-2 sw-front-2 worker Ready",
      "id-sw-db-1 sw-db-1 worker Ready",
    ]);
    for (const [ip] of HOSTS) swarm.setState(ip);
    const run = swarm.run(await bootstrapScript());
    expect(run.status, run.stderr).toBe(0);
    expect(joins(swarm.dockerCalls())).toEqual([]);
    expect(swarm.dockerCalls().filter((call) => / node (promote|demote) /.test(call))).toEqual([
      "10.10.1.21 node promote id-sw-node-3",
      "10.10.1.21 node demote id-sw-front-1",
    ]);
    expect(run.stdout).toContain("sw-node-3: promoting to manager");
    expect(run.stdout).toContain("sw-front-1: demoting to worker");
  });

  it("fails naming a node that never joins, after joining the others", async () => {
    const swarm = fakeSwarm(HOSTS);
    swarm.neverJoins("sw-front-2");
    const run = swarm.run(await bootstrapScript());
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("error: sw-front-2 failed to join the Swarm");
    expect(run.stderr).toContain("error: not Ready in the Swarm after 0s: sw-front-2");
    expect(swarm.members().map((line) => line.split(" ")[1])).toEqual(["sw-node-1", "sw-front-1", "sw-node-2", "sw-node-3", "sw-db-1"]);
    expectNoTokens(run.stdout, run.stderr);
  });

  it("waits for a joined node to show as Ready", async () => {
    const swarm = fakeSwarm(HOSTS);
    const script = await bootstrapScript();
    expect(swarm.run(script).status).toBe(0);
    swarm.setMembers(swarm.members().map((line) => (line.startsWith("id-sw-db-1 ") ? "id-sw-db-1 sw-db-1 worker Unknown" : line)));
    const run = swarm.run(script, { SWARM_READY_TIMEOUT: "10" });
    expect(run.status, run.stderr).toBe(0);
    expect(swarm.dockerCalls().filter((call) => call.includes(" node ls "))).toHaveLength(3);
  });

  it("fails naming a node whose only entry is Down", async () => {
    const swarm = fakeSwarm(HOSTS);
    const script = await bootstrapScript();
    expect(swarm.run(script).status).toBe(0);
    swarm.setMembers(swarm.members().map((line) => (line.startsWith("id-sw-db-1 ") ? "id-sw-db-1 sw-db-1 worker Down" : line)));
    const run = swarm.run(script);
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("not Ready in the Swarm after 0s: sw-db-1");
  });

  it("refuses to run when the model has no manager", async () => {
    const script = await bootstrapScript(cluster(0));
    const swarm = fakeSwarm(HOSTS);
    const run = swarm.run(script);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("declares no Swarm manager");
    expect(swarm.sshCalls()).toEqual([]);
  });
});
