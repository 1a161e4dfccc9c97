// System tests of the logs family: real programs run for real on its files. `docker stack config` (the docker
// CLI's own parser and validator, no daemon needed) and the CLI's stack schema on the stack; shellcheck on every
// script; systemd-analyze verify on Packetbeat's unit; bash itself on the setup script's quoting. Elasticsearch,
// Kibana, Filebeat, Packetbeat and Cerebro are not packaged for Debian here: their files are checked against
// schemas written from their documentation, in logs.test.ts.
import { spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { systemdGenerator } from "../../generators/systemd/index.js";
import { Testing } from "../../src/index.js";
import { writeOut } from "../helpers/swarm-side.fixture.js";
import { runTool, stackSchemaErrors } from "../helpers/validators.js";
import { hostRoot, verifyUnits } from "../systemd/systemd-root.js";
import { loggedCluster } from "./logs.fixture.js";

const workDir = mkdtempSync(path.join(tmpdir(), "logs-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe("the logs stack, checked by real tools", async () => {
  const model = loggedCluster();
  const files = await Testing.synth(model.cluster, { generators: [stacksGenerator, ignitionGenerator, systemdGenerator] });
  const out = writeOut(files);
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("passes docker stack config and the docker CLI's stack schema", () => {
    const run = runTool("docker", ["stack", "config", "-c", path.join(out, "stacks/logs.yml")]);
    expect(run.status, run.output).toBe(0);
    expect(stackSchemaErrors(files.get("stacks/logs.yml") ?? "")).toBeUndefined();
    // The modules' hints land on the nginx service's containers; its stack still passes.
    const front = runTool("docker", ["stack", "config", "-c", path.join(out, "stacks/front.yml")]);
    expect(front.status, front.output).toBe(0);
    expect(front.output).toContain("co.elastic.logs/module: nginx");
  });

  const scripts = [...files.keys()].filter((file) => file.endsWith(".sh") && /logs|packetbeat/.test(file));
  it("has the scripts it should", () => {
    expect(scripts.map((file) => path.basename(file)).sort()).toEqual([
      "engine-start.sh",
      "filebeat-start.sh",
      "kibana-start.sh",
      "logs-setup.sh",
      "packetbeat-run.sh",
    ]);
  });
  it.each(scripts)("%s passes shellcheck", (file) => {
    const run = runTool("shellcheck", [path.join(out, file)]);
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
  });

  it("the setup script quotes passwords into JSON as JSON does (bash runs its own function)", () => {
    const script = files.get("stacks/logs/logs-setup.sh") ?? "";
    const quoted = /^quoted\(\) \{\n[\s\S]*?\n\}$/m.exec(script)?.[0];
    expect(quoted).toBeDefined();
    for (const password of ['pl"ain', "back\\slash", "both\\\"of'them", "$(not run) `either`"]) {
      const run = spawnSync("bash", ["-c", `${quoted}\nquoted "$1"`, "bash", password], { encoding: "utf8" });
      expect(run.status, run.stderr).toBe(0);
      expect(JSON.parse(run.stdout)).toBe(password);
    }
  });

  it("the engine's start script picks the task's overlay address (bash runs its loop with hostname -I stubbed)", () => {
    const script = files.get("stacks/logs/engine-start.sh") ?? "";
    const loop = /^overlay_address=''\n[\s\S]*?\nfi$/m.exec(script)?.[0];
    expect(loop).toBeDefined();
    const bin = path.join(workDir, "bin");
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, "hostname"), '#!/bin/sh\necho "172.18.0.5 192.168.17.9 10.0.0.3 "\n');
    chmodSync(path.join(bin, "hostname"), 0o755);
    const run = spawnSync("bash", ["-c", `set -euo pipefail\n${loop}\necho "$overlay_address"`], {
      encoding: "utf8",
      env: { PATH: `${bin}:${process.env.PATH ?? ""}` },
    });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe("192.168.17.9");
  });

  it("writes vm.max_map_count into the Ignition config of the engine's nodes only, which ignition-validate accepts", () => {
    for (const node of model.cluster.nodes) {
      const file = path.join(out, "nodes", node.hostname, "config.ign");
      const run = runTool("ignition-validate", [file]);
      expect(run.status, run.output).toBe(0);
      const config = JSON.parse(files.get(`nodes/${node.hostname}/config.ign`) ?? "{}") as { storage?: { files?: { path: string }[] } };
      const paths = (config.storage?.files ?? []).map((entry) => entry.path);
      expect(paths.includes("/etc/sysctl.d/90-elasticsearch.conf"), node.hostname).toBe(node.tier === "app");
      expect(paths, node.hostname).toContain("/opt/bin/packetbeat-run.sh");
    }
  });

  it("Packetbeat's unit passes systemd-analyze verify on every node", () => {
    const node = model.cluster.nodes[0];
    if (!node) throw new Error("no node");
    const unit = node.units.find((each) => each.unitName === "packetbeat.service");
    const script = node.files.find((file) => file.filePath === "/opt/bin/packetbeat-run.sh");
    const root = hostRoot(workDir, {
      "etc/systemd/system/packetbeat.service": unit?.contents ?? "",
      "opt/bin/packetbeat-run.sh": script?.contents ?? "",
    });
    // /usr/bin/bash is Flatcar's; a stub stands in for it, as the docker stubs do.
    mkdirSync(path.join(root, "usr/bin"), { recursive: true });
    writeFileSync(path.join(root, "usr/bin/bash"), "#!/bin/sh\nexit 0\n");
    chmodSync(path.join(root, "usr/bin/bash"), 0o755);
    expect(verifyUnits(root, ["packetbeat.service", "docker.service"])).toEqual({ status: 0, output: "" });
  });
});
