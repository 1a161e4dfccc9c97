import { describe, expect, it } from "vitest";
import { syntheticCluster } from "../../bench/synthetic-cluster.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { majorityGroupsOf } from "../../src/analysis/majority-groups.js";
import { REBOOT_WINDOW_SLOTS, rebootWindows } from "../../src/analysis/reboot-windows.js";
import { Cluster, EtcdCluster, Node } from "../../src/index.js";
import type { Tier } from "../../src/index.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";

const slotsOf = (cluster: Cluster, nodes: readonly Node[]): number[] =>
  nodes.map((node) => rebootWindows(cluster).get(node.hostname)?.slot ?? -1);

describe("reboot windows of a 1,000-node cluster", () => {
  const cluster = syntheticCluster(1000);
  const windows = rebootWindows(cluster);

  it("give every node a window, and nodes share the 56 windows evenly", () => {
    expect(windows.size).toBe(1000);
    const load = new Map<number, number>();
    for (const window of windows.values()) load.set(window.slot, (load.get(window.slot) ?? 0) + 1);
    expect(load.size).toBe(REBOOT_WINDOW_SLOTS);
    // Each of the four tiers is spread round the week, so a window holds at most one more of each than the mean.
    expect(Math.max(...load.values())).toBeLessThanOrEqual(Math.ceil(1000 / REBOOT_WINDOW_SLOTS) + 4);
  });

  it("never put two members of a quorum group in one window", () => {
    const groups = majorityGroupsOf(cluster);
    expect(groups.map(({ at, group }) => `${group.quorumKind} ${at.path}`)).toEqual([
      "swarm cluster",
      "etcd cluster/etcd",
      "galera cluster/xtradb",
      "ceph-mon cluster/ceph",
    ]);
    for (const { at, group } of groups) {
      expect(group.voterNodes.length).toBeGreaterThan(2);
      expect(new Set(slotsOf(cluster, group.voterNodes)).size, at.path).toBe(group.voterNodes.length);
    }
  });

  it("spread every tier over every window, so at most a 56th of it (rounded up) reboots at once", () => {
    for (const tier of ["front", "app", "proxy", "db"] as const) {
      const nodes = cluster.nodesInTier(tier);
      const perWindow = new Map<number, number>();
      for (const slot of slotsOf(cluster, nodes)) perWindow.set(slot, (perWindow.get(slot) ?? 0) + 1);
      expect(Math.max(...perWindow.values()), tier).toBe(Math.ceil(nodes.length / REBOOT_WINDOW_SLOTS));
    }
  });

  it("pass the availability analysis, which notes the sharing", () => {
    const findings = analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("reboot/"));
    expect(findings.map((finding) => `${finding.severity} ${finding.code}`)).toEqual(["info reboot/shared-windows"]);
    expect(findings[0]?.message).toMatch(/^1000 nodes share 56 weekly reboot windows, up to \d+ in one/);
  });
});

describe("reboot windows stay put", () => {
  it("when a node is added at the end of its tier: no other node moves", () => {
    const before = new Map(rebootWindows(syntheticCluster(200)));
    const grown = syntheticCluster(200);
    new Node(grown, "sw-front-new", { tier: "front", privateIp: "10.10.64.1", publicIp: "198.18.200.1" });
    const after = rebootWindows(grown);
    for (const [hostname, window] of before) expect(after.get(hostname), hostname).toEqual(window);
  });

  it("as the 8-node cluster's: every node a window of its own, a tier's nodes on successive days", () => {
    const cluster = syntheticCluster(8);
    const windows = [...rebootWindows(cluster).values()];
    expect(new Set(windows.map((window) => window.slot)).size).toBe(8);
    expect(cluster.nodesInTier("app").map((node) => rebootWindows(cluster).get(node.hostname)?.day)).toEqual(["Mon", "Tue", "Wed"]);
  });
});

describe("the analysis names a violation", () => {
  function appCluster(count: number, tier: Tier = "app"): { cluster: Cluster; nodes: Node[] } {
    const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/16", domain: "t.internal", sshAuthorizedKeys: [TEST_SSH_KEY] });
    const nodes = Array.from(
      { length: count },
      (_, i) => new Node(cluster, `n${i}`, { tier, privateIp: `10.0.${Math.floor(i / 200)}.${(i % 200) + 1}` }),
    );
    return { cluster, nodes };
  }

  it("a quorum group larger than the week's windows: two members must share one", () => {
    const { cluster, nodes } = appCluster(REBOOT_WINDOW_SLOTS + 1);
    new EtcdCluster(cluster, "etcd", { members: nodes });
    const shared = analyseHa(cluster).findings.filter((finding) => finding.code === "reboot/quorum-group-shares-window");
    expect(shared).toMatchObject([{ severity: "error", origin: "availability", construct: "cluster/etcd" }]);
    expect(shared[0]?.message).toMatch(/members of the etcd group cluster\/etcd reboot .* same weekly window: n0, n56 \(Mon 22:00 UTC\)/);
    expect(shared[0]?.hint).toMatch(/within 56 voting members/);
  });

  it("a tier of two in one group of the Swarm managers and etcd: never together", () => {
    const { cluster, nodes } = appCluster(2);
    new EtcdCluster(cluster, "etcd", { members: nodes });
    expect(new Set(slotsOf(cluster, nodes)).size).toBe(2);
    expect(analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("reboot/"))).toEqual([]);
  });
});
