import { spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { swarmGenerator } from "../../generators/swarm/index.js";
import { OverlayNetwork, Testing } from "../../src/index.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-swarm-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

async function scripts(): Promise<Map<string, string>> {
  const { cluster } = swarmCluster();
  new OverlayNetwork(cluster, "plainnet", { subnet: "192.168.19.0/24", encrypted: false });
  return Testing.synth(cluster, { generators: [swarmGenerator] });
}

function write(name: string, content: string): string {
  const file = path.join(work, name);
  writeFileSync(file, content);
  return file;
}

function shellcheck(file: string) {
  const run = spawnSync("shellcheck", ["--shell=bash", file], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * A stand-in `docker` on PATH that records each call and keeps the networks it "created" in a file, so the
 * scripts run for real without a Swarm.
 */
function fakeDocker(dir: string): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const state = path.join(dir, "networks");
  const log = path.join(dir, "calls");
  writeFileSync(state, "");
  writeFileSync(log, "");
  const docker = write(
    "docker",
    [
      "#!/usr/bin/env bash",
      `echo "$*" >> ${log}`,
      'if [ "$1 $2" = "network inspect" ]; then',
      '  name="${*: -1}"',
      `  grep -qx "$name" ${state} || exit 1`,
      '  [ "$3" = "--format" ] && echo "192.168.16.0/24 mtu=1400 encrypted"',
      "  exit 0",
      "fi",
      `if [ "$1 $2" = "network create" ]; then echo "\${*: -1}" >> ${state}; fi`,
      "",
    ].join("\n"),
  );
  chmodSync(docker, 0o755);
  return {
    env: { ...process.env, PATH: `${work}:${process.env.PATH ?? ""}` },
    calls: () => readFileSync(log, "utf8").split("\n").filter(Boolean),
  };
}

describe("swarm scripts", () => {
  it("pass shellcheck", async () => {
    for (const [file, content] of await scripts()) {
      if (!file.endsWith(".sh")) continue;
      expect(content.split("\n").slice(0, 2)).toEqual(["#!/usr/bin/env bash", `# ${GENERATED_NOTICE}`]);
      expect(content).toContain("set -euo pipefail");
      const { status, output } = shellcheck(write(path.basename(file), content));
      expect(output).toBe("");
      expect(status).toBe(0);
    }
  });

  it("shellcheck rejects a broken script", async () => {
    const networks = (await scripts()).get("swarm/networks.sh") ?? "";
    const { status, output } = shellcheck(write("broken.sh", networks.replace('"$name")"', '$name)"')));
    expect(status).not.toBe(0);
    expect(output).toMatch(/SC2086/);
  });

  it("creates each overlay with its subnet and MTU, encrypted unless the model says otherwise", async () => {
    const networks = (await scripts()).get("swarm/networks.sh") ?? "";
    const creates = networks.split("\n").filter((line) => line.includes("docker network create"));
    expect(creates).toHaveLength(4);
    for (const [name, subnet] of [
      ["dbnet", "192.168.16.0/24"],
      ["appnet", "192.168.17.0/24"],
      ["frontnet", "192.168.18.0/24"],
    ]) {
      const line = creates.find((create) => create.endsWith(` ${name}`));
      expect(line).toBe(
        `  docker network create --driver overlay --attachable --subnet ${subnet} --opt encrypted --opt com.docker.network.driver.mtu=1400 ${name}`,
      );
    }
    expect(creates.find((create) => create.endsWith(" plainnet"))).not.toContain("--opt encrypted");
  });

  it("is idempotent: a second run creates nothing", async () => {
    const script = write("networks.sh", (await scripts()).get("swarm/networks.sh") ?? "");
    const docker = fakeDocker(work);
    const first = spawnSync("bash", [script], { env: docker.env, encoding: "utf8" });
    expect(first.status, first.stderr).toBe(0);
    const created = docker.calls().filter((call) => call.startsWith("network create"));
    expect(created.map((call) => call.split(" ").at(-1))).toEqual(["dbnet", "appnet", "frontnet", "plainnet"]);

    const second = spawnSync("bash", [script], { env: docker.env, encoding: "utf8" });
    expect(second.status, second.stderr).toBe(0);
    expect(docker.calls().filter((call) => call.startsWith("network create"))).toHaveLength(4);
    // The fake reports dbnet's settings for every network: the others are flagged as drifted.
    expect(second.stderr).toContain(
      "warning: overlay appnet is '192.168.16.0/24 mtu=1400 encrypted', the model says '192.168.17.0/24 mtu=1400 encrypted'",
    );
    // plainnet differs in encryption as well: that is fixed at creation too.
    expect(second.stderr).toContain("the model says '192.168.19.0/24 mtu=1450'");
    expect(second.stderr).not.toMatch(/overlay dbnet/);
  });

  it("labels every node from the model", async () => {
    const script = write("labels.sh", (await scripts()).get("swarm/labels.sh") ?? "");
    const docker = fakeDocker(work);
    const run = spawnSync("bash", [script], { env: docker.env, encoding: "utf8" });
    expect(run.status, run.stderr).toBe(0);
    expect(docker.calls()).toEqual([
      "node update --label-add type=front sw-front-1",
      "node update --label-add type=front sw-front-2",
      "node update --label-add type=app sw-node-1",
      "node update --label-add type=app sw-node-2",
      "node update --label-add type=app sw-node-3",
    ]);
  });
});
