// Kind of check: real validators run for real: ignition-validate on every node's config, systemd-analyze
// verify on the units (under a throwaway root, test/systemd/systemd-root.ts), shellcheck on the scripts; and
// the swap script run for real on a temporary file with stand-ins for the root-only tools.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { HostExtras } from "../../generators/host-extras/index.js";
import { Node } from "../../src/index.js";
import { copiesOf, copyOf, filesUnder, hostCluster, synthHosts } from "../helpers/host-families.fixture.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";

const work = mkdtempSync(path.join(tmpdir(), "host-extras-test-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(program: string, args: string[], env: NodeJS.ProcessEnv = process.env) {
  const result = spawnSync(program, args, { encoding: "utf8", env });
  if (result.error) throw result.error; // a missing tool fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

function write(name: string, text: string, mode = 0o644): string {
  const file = path.join(work, name);
  writeFileSync(file, text);
  chmodSync(file, mode);
  return file;
}

const SHA = "0123456789abcdef".repeat(4);

describe("HostExtras on real validators", async () => {
  const model = hostCluster();
  new Node(model.cluster, "sw-small-1", { tier: "app", privateIp: "10.10.1.31", disk: "20G", swap: "2G" });
  new HostExtras(model.cluster, "extras", {
    timeZone: "Europe/Rome",
    aliases: { dps: "docker ps --format 'table {{.Names}}\\t{{.Status}}'", ll: "ls -alF" },
    tools: [
      {
        name: "ctop",
        version: "0.7.7",
        url: "https://github.com/bcicen/ctop/releases/download/v0.7.7/ctop-0.7.7-linux-amd64",
        sha256: SHA,
      },
      {
        name: "gotop",
        version: "4.2.0",
        url: "https://github.com/xxxserxxx/gotop/releases/download/v4.2.0/gotop_v4.2.0_linux_amd64.tgz",
        sha256: SHA,
      },
    ],
  });
  const files = await synthHosts(model.cluster);

  it("every node's config.ign passes ignition-validate, with /etc/localtime in storage.links", () => {
    const configs = filesUnder(files, /^nodes\/[^/]+\/config\.ign$/);
    expect(configs.length).toBe(model.cluster.nodes.length);
    for (const [file, text] of configs) {
      expect(run("ignition-validate", [write(file.replaceAll("/", "_"), text)]), file).toEqual({ status: 0, output: "" });
      expect(JSON.parse(text).storage.links, file).toEqual([
        { path: "/etc/localtime", target: "/usr/share/zoneinfo/Europe/Rome", hard: false, overwrite: true },
      ]);
    }
  });

  it("the swap and tool units pass systemd-analyze verify, swap only where the node has one", () => {
    const small = model.cluster.nodes.find((node) => node.hostname === "sw-small-1");
    const other = model.front;
    expect(other.units.map((unit) => unit.unitName)).not.toContain("var-swapfile.swap");
    for (const node of [small, other]) {
      if (!node) throw new Error("no node");
      const host: Record<string, string> = {};
      for (const [file, text] of copiesOf(files, node.hostname)) {
        if (file.startsWith("systemd/")) host[`etc/systemd/system/${file.slice("systemd/".length)}`] = text;
        else if (file.startsWith("files/")) host[file.slice("files/".length)] = text;
      }
      const root = hostRoot(work, { ...host, "bin/bash": "#!/bin/sh\nexit 0\n" });
      chmodSync(path.join(root, "bin/bash"), 0o755);
      const units = node.units.map((unit) => unit.unitName).filter((name) => /^(install-|swapfile|var-swapfile)/.test(name));
      expect(units.length, node.hostname).toBeGreaterThan(0);
      expect(verifyUnits(root, units), node.hostname).toEqual({ status: 0, output: "" });
    }
    expect(small?.units.map((unit) => unit.unitName)).toEqual(expect.arrayContaining(["var-swapfile.swap", "swapfile-create.service"]));
  });

  it("the scripts and the aliases file pass shellcheck", () => {
    for (const file of ["files/etc/host-extras/swapfile.sh", "files/etc/host-extras/install-tool.sh"]) {
      const text = copyOf(files, "sw-small-1", file);
      expect(text, file).toBeDefined();
      expect(run("shellcheck", ["--shell=bash", write(path.basename(file), text ?? "")]), file).toEqual({ status: 0, output: "" });
    }
    const aliases = copyOf(files, "sw-small-1", "files/etc/profile.d/aliases.sh") ?? "";
    expect(run("shellcheck", ["--shell=sh", write("aliases.sh", aliases)])).toEqual({ status: 0, output: "" });
    // The alias reads back as declared: bash defines it and prints it.
    const shown = run("bash", ["-c", `shopt -s expand_aliases; . ${write("aliases-run.sh", aliases)}; alias dps`]);
    expect(shown.output).toBe("alias dps='docker ps --format '\\''table {{.Names}}\\t{{.Status}}'\\'''\n");
  });

  it("the swap script creates the file at the size given, then leaves it alone", () => {
    const script = write("swapfile-run.sh", copyOf(files, "sw-small-1", "files/etc/host-extras/swapfile.sh") ?? "", 0o755);
    // fallocate and mkswap (util-linux) run for real, on a small file in a temporary folder.
    const swap = path.join(work, "swapfile");
    // mkswap is in /usr/sbin, on root's PATH on the node, not always on a test user's.
    const env = { ...process.env, PATH: `${process.env.PATH}:/usr/sbin:/sbin` };
    const first = run("bash", [script, swap, String(1024 * 1024)], env);
    expect(first).toEqual({ status: 0, output: "" });
    expect(statSync(swap).size).toBe(1024 * 1024);
    expect(statSync(swap).mode & 0o777).toBe(0o600);
    expect(readFileSync(swap).subarray(4086, 4096).toString("latin1")).toBe("SWAPSPACE2");
    const mtime = statSync(swap).mtimeMs;
    expect(run("bash", [script, swap, String(1024 * 1024)], env)).toEqual({ status: 0, output: "" });
    expect(statSync(swap).mtimeMs).toBe(mtime);
    expect(run("bash", [script, swap, String(2 * 1024 * 1024)], env)).toEqual({ status: 0, output: "" });
    expect(statSync(swap).size).toBe(2 * 1024 * 1024);
  });

  it("install-tool.sh installs a raw binary and a .tgz member only when the sha256 matches, then stays put", () => {
    const script = write("install-tool-run.sh", copyOf(files, "sw-small-1", "files/etc/host-extras/install-tool.sh") ?? "", 0o755);
    const dir = mkdtempSync(path.join(work, "tools-"));
    const served = path.join(dir, "served");
    writeFileSync(served, "#!/bin/sh\necho ctop\n");
    // A stand-in curl on PATH: copies the local file it is told about to --output, and records the URL.
    const bin = path.join(dir, "bin");
    const curl = path.join(bin, "curl");
    spawnSync("mkdir", ["-p", bin]);
    writeFileSync(
      curl,
      [
        "#!/usr/bin/env bash",
        'while [ "$#" -gt 1 ]; do [ "$1" = --output ] && out=$2; shift; done',
        `echo "$1" >>${dir}/urls`,
        `cp "${dir}/$(basename "$1")" "$out"`,
        "",
      ].join("\n"),
    );
    chmodSync(curl, 0o755);
    const sha = (file: string) => run("sha256sum", [file]).output.split(" ")[0] ?? "";
    // The script installs into /opt/bin; the test runs it on a copy that installs into a temporary directory.
    const optBin = path.join(dir, "opt-bin");
    const local = write("install-tool-local.sh", readFileSync(script, "utf8").replace("dir=/opt/bin", `dir=${optBin}`), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
    const wrong = run("bash", [local, "ctop", "0.7.7", "https://example.invalid/served", SHA], env);
    expect(wrong.status).not.toBe(0);
    expect(() => statSync(path.join(optBin, "ctop"))).toThrow();
    expect(run("bash", [local, "ctop", "0.7.7", "https://example.invalid/served", sha(served)], env)).toEqual({ status: 0, output: "" });
    expect(statSync(path.join(optBin, "ctop")).mode & 0o777).toBe(0o755);
    expect(readFileSync(path.join(optBin, "ctop"), "utf8")).toBe("#!/bin/sh\necho ctop\n");
    // Installed at the pinned version and hash: no second download.
    expect(run("bash", [local, "ctop", "0.7.7", "https://example.invalid/served", sha(served)], env).status).toBe(0);
    expect(readFileSync(path.join(dir, "urls"), "utf8").trim().split("\n")).toHaveLength(2);
    // A release archive: the member named like the tool is installed.
    spawnSync("mkdir", ["-p", path.join(dir, "pack")]);
    writeFileSync(path.join(dir, "pack/gotop"), "gotop binary\n");
    expect(run("tar", ["-czf", path.join(dir, "gotop.tgz"), "-C", path.join(dir, "pack"), "gotop"]).status).toBe(0);
    const archive = sha(path.join(dir, "gotop.tgz"));
    expect(run("bash", [local, "gotop", "4.2.0", "https://example.invalid/gotop.tgz", archive], env)).toEqual({ status: 0, output: "" });
    expect(readFileSync(path.join(optBin, "gotop"), "utf8")).toBe("gotop binary\n");
  });
});
