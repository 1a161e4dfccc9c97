// Kind of check: real programs run for real: shellcheck on the generated scripts, and the scripts themselves
// run by bash with stand-ins on PATH for ssh-keyscan (answers with real keys made by ssh-keygen) and for
// docker (records its calls, answers as a Swarm would); the real ssh-keygen reads the file produced.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { swarmGenerator } from "../../generators/swarm/index.js";
import { Testing } from "../../src/index.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-host-scripts-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function write(file: string, text: string, mode = 0o755): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

function run(program: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(program, args, { encoding: "utf8", env });
  if (result.error) throw result.error; // a missing tool fails the test, it never skips it
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A real ed25519 public key, as a node's sshd would serve it. */
function hostKey(dir: string): string {
  const key = path.join(dir, "host_key");
  expect(run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "", "-f", key]).status).toBe(0);
  return readFileSync(`${key}.pub`, "utf8").trim().split(" ").slice(0, 2).join(" ");
}

describe("swarm/known-hosts.sh and swarm/prune.sh", async () => {
  const { cluster } = swarmCluster();
  const files = await Testing.synth(cluster, { generators: [swarmGenerator] });
  const knownHosts = files.get("swarm/known-hosts.sh") ?? "";
  const prune = files.get("swarm/prune.sh") ?? "";

  it("both pass shellcheck", () => {
    for (const [name, text] of [
      ["known-hosts.sh", knownHosts],
      ["prune.sh", prune],
    ] as const) {
      expect(text, name).not.toBe("");
      const result = run("shellcheck", ["--shell=bash", write(path.join(work, name), text, 0o644)]);
      expect(`${result.stdout}${result.stderr}`, name).toBe("");
      expect(result.status, name).toBe(0);
    }
  });

  it("known-hosts.sh scans every node's private address and writes entries named by hostname and address", () => {
    const dir = mkdtempSync(path.join(work, "keyscan-"));
    const key = hostKey(dir);
    const calls = path.join(dir, "calls");
    writeFileSync(calls, "");
    // sw-node-3 does not answer: the script must record the others, name it, and fail.
    write(
      path.join(dir, "bin/ssh-keyscan"),
      [
        "#!/usr/bin/env bash",
        `echo "$*" >>${calls}`,
        'ip="${*: -1}"',
        '[ "$ip" = 10.10.1.23 ] && exit 1',
        `echo "# $ip:22 SSH-2.0-OpenSSH"`,
        `echo "$ip ${key}"`,
        "",
      ].join("\n"),
    );
    const home = path.join(dir, "home");
    const file = path.join(home, ".ssh/known_hosts");
    // An older plain entry of a node is replaced; an unrelated host and a hashed entry are kept.
    write(
      file,
      ["other.example ssh-ed25519 AAAAold", "sw-node-1,10.10.1.21 ssh-ed25519 AAAAstale", "|1|abc=|def= ssh-ed25519 AAAAhashed", ""].join(
        "\n",
      ),
      0o644,
    );
    const script = write(path.join(dir, "known-hosts.sh"), knownHosts);
    const result = run("bash", [script], { ...process.env, HOME: home, PATH: `${path.join(dir, "bin")}:${process.env.PATH}` });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("error: no host key from sw-node-3 (10.10.1.23)\n");
    const ips = cluster.nodes.map((node) => node.privateIp);
    expect(readFileSync(calls, "utf8").trim().split("\n")).toEqual(ips.map((ip) => `-T 5 -t ed25519,ecdsa,rsa ${ip}`));
    const lines = readFileSync(file, "utf8").trim().split("\n");
    expect(lines.slice(0, 2)).toEqual(["other.example ssh-ed25519 AAAAold", "|1|abc=|def= ssh-ed25519 AAAAhashed"]);
    expect(lines.slice(2)).toEqual(
      cluster.nodes.filter((node) => node.privateIp !== "10.10.1.23").map((node) => `${node.hostname},${node.privateIp} ${key}`),
    );
    // The real ssh-keygen finds a node's key by either name in the file written.
    for (const name of ["sw-node-1", "10.10.1.21"]) {
      const found = run("ssh-keygen", ["-F", name, "-f", file]);
      expect(found.status, name).toBe(0);
      expect(found.stdout, name).toContain(key);
      expect(found.stdout, name).not.toContain("AAAAstale");
    }
    expect(result.stdout).toContain("Host keys recorded in");
    expect(result.stdout).toContain("(ED25519)");
  });

  it("prune.sh creates a global-job that prunes through each node's socket, waits for it and removes it", () => {
    const dir = mkdtempSync(path.join(work, "prune-"));
    const calls = path.join(dir, "calls");
    writeFileSync(calls, "");
    write(
      path.join(dir, "bin/docker"),
      [
        "#!/usr/bin/env bash",
        `printf '%s\\n' "$*" >>${calls}`,
        'case "$1 $2" in',
        '  "version --format") echo 1.50 ;;',
        '  "service ps") printf "sw-node-1 Complete 2 seconds ago\\nsw-front-1 Complete 1 second ago\\n" ;;',
        "esac",
        "",
      ].join("\n"),
    );
    const script = write(path.join(dir, "prune.sh"), prune);
    const result = run("bash", [script], { ...process.env, PRUNE_UNTIL: "72h", PATH: `${path.join(dir, "bin")}:${process.env.PATH}` });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const recorded = readFileSync(calls, "utf8").trim().split("\n");
    expect(recorded[0]).toBe("version --format {{.Server.APIVersion}}");
    expect(recorded[1]).toMatch(
      /^service create --detach --quiet --name (prune-\d{14}) --mode global-job --restart-condition none --mount type=bind,source=\/var\/run\/docker.sock,target=\/var\/run\/docker.sock docker:[0-9.]+-cli docker system prune --all --force --filter until=72h$/,
    );
    const name = /--name (\S+)/.exec(recorded[1] ?? "")?.[1];
    expect(recorded.slice(2)).toEqual([`service ps ${name} --format {{.Node}} {{.CurrentState}}`, `service rm ${name}`]);
    expect(result.stdout).toContain("pruned every node");
  });

  it("prune.sh refuses a daemon older than API 1.41, before creating anything", () => {
    const dir = mkdtempSync(path.join(work, "prune-old-"));
    const calls = path.join(dir, "calls");
    writeFileSync(calls, "");
    write(
      path.join(dir, "bin/docker"),
      ["#!/usr/bin/env bash", `printf '%s\\n' "$*" >>${calls}`, '[ "$1" = version ] && echo 1.40', ""].join("\n"),
    );
    const result = run("bash", [write(path.join(dir, "prune.sh"), prune)], {
      ...process.env,
      PATH: `${path.join(dir, "bin")}:${process.env.PATH}`,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("global jobs need 1.41");
    expect(readFileSync(calls, "utf8")).not.toContain("service create");
  });
});
