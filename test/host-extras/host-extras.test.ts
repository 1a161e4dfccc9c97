// Kind of check: the model's own validation, run for real on small clusters; no external program.
import { describe, expect, it } from "vitest";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { HostExtras } from "../../generators/host-extras/index.js";
import { ConfigError } from "../../src/core/problems.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { Node, Testing } from "../../src/index.js";

const SHA = "a".repeat(64);

async function failure(build: (cluster: ReturnType<typeof Testing.cluster>) => void): Promise<ConfigError> {
  const cluster = Testing.cluster({ nodes: { app: 1 } });
  build(cluster);
  const error = await Testing.synth(cluster, { generators: [ignitionGenerator] }).catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(ConfigError);
  return error as ConfigError;
}

describe("HostExtras", () => {
  it("links /etc/localtime to the zone's zoneinfo file, in storage.links", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    new HostExtras(cluster, "extras", { timeZone: "Europe/Rome", aliases: { dps: "docker ps --format 'table {{.Names}}'" } });
    const files = await Testing.synth(cluster, { generators: [ignitionGenerator] });
    const config = JSON.parse(files.get("nodes/sw-node-1/config.ign") ?? "") as IgnitionConfig;
    expect(config.storage?.links).toEqual([
      { path: "/etc/localtime", target: "/usr/share/zoneinfo/Europe/Rome", hard: false, overwrite: true },
    ]);
    expect(config.storage?.files?.map((file) => file.path)).toContain("/etc/profile.d/aliases.sh");
  });

  it("writes no swap units for a node without swap", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    new HostExtras(cluster, "extras");
    await Testing.synth(cluster, { generators: [ignitionGenerator] });
    expect(cluster.nodes[0]?.units.map((unit) => unit.unitName)).not.toContain("var-swapfile.swap");
  });

  it("refuses a swap larger than the node's disk, at the node's swap field and the line declaring it", async () => {
    const error = await failure((cluster) => {
      new Node(cluster, "small", { tier: "app", privateIp: "10.10.1.99", disk: "10G", swap: "12G" });
      new HostExtras(cluster, "extras");
    });
    expect(error.problems).toEqual([
      expect.objectContaining({
        code: "host-extras/swap-exceeds-disk",
        severity: "error",
        construct: "cluster/small",
        field: "swap",
        message: "a swap file of 12G does not fit on the node's 10G disk",
      }),
    ]);
    // The line of the declaration is checked through the CLI, on a config file: test/bad-config.test.ts.
  });

  it("reports every bad input at once: size, zone, alias, tool", async () => {
    const error = await failure((cluster) => {
      new Node(cluster, "odd", { tier: "app", privateIp: "10.10.1.98", swap: "lots" });
      new HostExtras(cluster, "extras", {
        timeZone: "Mars/Olympus",
        aliases: { "-x": "ls" },
        tools: [{ name: "ctop", version: "0.7.7", url: "http://example.invalid/ctop", sha256: SHA }],
      });
    });
    // The model schema (MemorySize) refuses the swap too; the construct's own check says what it means for it.
    expect(error.problems.map((problem) => [problem.code, problem.construct, problem.field]).sort()).toEqual([
      ["host-extras/bad-alias", "cluster/extras", "aliases"],
      ["host-extras/bad-size", "cluster/odd", "swap"],
      ["host-extras/bad-tool", "cluster/extras", "tools"],
      ["host-extras/unknown-time-zone", "cluster/extras", "timeZone"],
      ["schema/pattern", "cluster/odd", "swap"],
    ]);
  });
});
