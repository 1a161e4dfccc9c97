import { describe, expect, it } from "vitest";
import { Monitoring, OverlayNetwork, Stack, Testing } from "../src/index.js";

describe("Testing.cluster", () => {
  it("is a valid cluster that synthesizes, with no nodes unless asked", async () => {
    const cluster = Testing.cluster();
    expect(cluster.nodes).toEqual([]);
    expect([cluster.name, cluster.privateNetwork, cluster.domain, cluster.sshAuthorizedKeys.length]).toEqual([
      "test",
      "10.10.1.0/24",
      "swarm.internal",
      1,
    ]);
    await expect(Testing.synth(cluster)).resolves.toBeInstanceOf(Map);
  });

  it("adds nodes per tier, named and addressed as in the reference cluster, the first three app nodes managers", async () => {
    const cluster = Testing.cluster({ nodes: { front: 2, app: 4, proxy: 1, db: 2 } });
    expect(cluster.nodes.map((node) => [node.hostname, node.tier, node.privateIp, node.publicIp ?? "-", node.swarmRole])).toEqual([
      ["sw-front-1", "front", "10.10.1.11", "203.0.113.11", "worker"],
      ["sw-front-2", "front", "10.10.1.12", "203.0.113.12", "worker"],
      ["sw-node-1", "app", "10.10.1.21", "-", "manager"],
      ["sw-node-2", "app", "10.10.1.22", "-", "manager"],
      ["sw-node-3", "app", "10.10.1.23", "-", "manager"],
      ["sw-node-4", "app", "10.10.1.24", "-", "worker"],
      ["sw-proxy-1", "proxy", "10.10.1.31", "-", "worker"],
      ["sw-db-1", "db", "10.10.1.41", "-", "worker"],
      ["sw-db-2", "db", "10.10.1.42", "-", "worker"],
    ]);
    const files = await Testing.synth(cluster);
    expect(files.has("nodes/sw-db-2/config.ign")).toBe(true);
  });

  it("takes any cluster field", () => {
    const cluster = Testing.cluster({ name: "other", os: "fedora-coreos", sshAuthorizedKeys: [] });
    expect([cluster.name, cluster.os, cluster.sshAuthorizedKeys]).toEqual(["other", "fedora-coreos", []]);
  });

  it("refuses a node count its address plan cannot hold", () => {
    expect(() => Testing.cluster({ nodes: { app: 10 } })).toThrow("nodes.app must be 0 to 9, not 10");
    expect(() => Testing.cluster({ nodes: { db: -1 } })).toThrow("nodes.db must be 0 to 9");
  });

  it("makes a family's test three lines", async () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Monitoring(cluster, "monitoring", {
      stack: new Stack(cluster, "stats"),
      network: new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" }),
    });
    const files = await Testing.synth(cluster);
    expect(files.get("stacks/stats/prometheus.yml")).toContain("10.10.1.23:9100");
  });
});
