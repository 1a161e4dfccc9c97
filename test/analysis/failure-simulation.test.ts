import { describe, expect, it } from "vitest";
import { analyseFailures, tolerance } from "../../src/analysis/failures.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { hostnames } from "../../src/analysis/failure-model.js";
import { type Cluster, Node, OverlayNetwork, Secret, Service, Stack, Testing, XtraDbCluster } from "../../src/index.js";
import type { Tier } from "../../src/index.js";
import { validateModel } from "../../src/validate/index.js";

type Zoned = [hostname: string, tier: Tier, zone: string, role?: "manager"];

/** A Testing.cluster() with nodes of its own, each in a zone. */
function zoned(rows: readonly Zoned[]): Cluster {
  const cluster = Testing.cluster();
  rows.forEach(
    ([hostname, tier, zone, role], index) =>
      new Node(cluster, hostname, { tier, zone, privateIp: `10.10.1.${index + 100}`, ...(role ? { swarmRole: role } : {}) }),
  );
  return cluster;
}

function findings(cluster: Cluster, severity?: string) {
  return analyseHa(cluster).findings.filter((finding) => severity === undefined || finding.severity === severity);
}

const byCode = (cluster: Cluster, code: string) => findings(cluster).filter((finding) => finding.code === code);

function galera(cluster: Cluster, nodes: readonly Node[], arbitrator?: Node): XtraDbCluster {
  return new XtraDbCluster(cluster, "xtradb", {
    stack: new Stack(cluster, "db"),
    network: new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" }),
    nodes,
    ...(arbitrator ? { arbitrator } : {}),
    rootPassword: new Secret(cluster, "root", { description: "root" }),
  });
}

describe("quorum groups: what a single loss takes, and the voters that fix it", () => {
  it.each([
    // [nodes, severity, code, the fix names]
    [{ app: 1, proxy: 2 }, "error", "swarm/no-fault-tolerance", "make sw-proxy-1 and sw-proxy-2 managers"],
    [{ app: 3 }, "info", "swarm/quorum", "nothing to fix"],
    [{ app: 4 }, "warning", "swarm/even-voters", undefined],
  ] as const)("%o: %s %s", (nodes, severity, code, hint) => {
    const cluster = Testing.cluster({ nodes });
    if (nodes.app === 4) (cluster.nodes[3] as { swarmRole: string }).swarmRole = "manager";
    const found = byCode(cluster, code);
    expect(found).toEqual([expect.objectContaining({ severity, construct: "cluster" })]);
    if (hint) expect(found[0]?.hint).toContain(hint);
  });

  it("names the node whose loss takes the single manager's majority", () => {
    const [finding] = byCode(Testing.cluster({ nodes: { app: 1, db: 1 } }), "swarm/no-fault-tolerance");
    expect(finding?.message).toContain("losing sw-node-1 loses its majority");
  });

  it.each([
    ["two members, no arbitrator", false, "error", "galera/no-fault-tolerance", "add garbd on sw-proxy-1"],
    ["two members and garbd", true, "info", "galera/quorum", "nothing to fix"],
  ] as const)("Galera with %s: %s %s", (_, withArbitrator, severity, code, hint) => {
    const cluster = Testing.cluster({ nodes: { app: 3, proxy: 1, db: 2 } });
    const [proxy] = cluster.nodesInTier("proxy");
    galera(cluster, cluster.nodesInTier("db"), withArbitrator ? proxy : undefined);
    expect(byCode(cluster, code)).toEqual([
      expect.objectContaining({ severity, construct: "cluster/xtradb", hint: expect.stringContaining(hint) }),
    ]);
    expect(findings(cluster, "error").map((finding) => finding.code)).toEqual(withArbitrator ? [] : ["galera/no-fault-tolerance"]);
  });

  it("reports a group whose zone holds a majority of its voters, even though any one node may go", () => {
    const cluster = zoned([
      ["m1", "app", "a", "manager"],
      ["m2", "app", "a", "manager"],
      ["m3", "app", "b", "manager"],
      ["w1", "app", "c"],
      ["w2", "app", "c"],
    ]);
    const [finding] = byCode(cluster, "swarm/zone-loses-quorum");
    expect(finding).toMatchObject({ severity: "error", message: expect.stringContaining("losing zone a takes 2 of the 3") });
    expect(finding?.hint).toContain("make w1 and w2 managers");
    expect(byCode(cluster, "swarm/no-fault-tolerance")).toEqual([]);
  });

  it("says a third zone is needed when there are two", () => {
    const cluster = zoned([
      ["m1", "app", "a", "manager"],
      ["m2", "app", "a", "manager"],
      ["m3", "app", "b", "manager"],
    ]);
    expect(byCode(cluster, "swarm/zone-loses-quorum")[0]?.hint).toContain("third zone");
  });
});

describe("the request path", () => {
  it.each([
    // [replicas, placement tier nodes, code, fix]
    [1, 2, "spof/single-replica", 'with `replicas: "one-per-node"`, one task on each of sw-proxy-1 and sw-proxy-2'],
    [3, 1, "spof/single-node-placement", "add a second node"],
    ["one-per-node", 2, undefined, undefined],
  ] as const)("a critical service of %s replica(s) over %i node(s): %s", (replicas, proxies, code, hint) => {
    const cluster = Testing.cluster({ nodes: { app: 3, proxy: proxies } });
    new Service(new Stack(cluster, "db"), "proxysql", {
      image: "proxysql/proxysql:2.7.1",
      replicas,
      placement: { tier: "proxy" },
      critical: true,
    });
    const errors = findings(cluster, "error");
    if (!code) return expect(errors).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code, construct: "cluster/db/proxysql", hint: expect.stringContaining(hint) })]);
  });

  it("stops in a zone that holds every node of a critical service, and says where to widen it", () => {
    const cluster = zoned([
      ["m1", "app", "a", "manager"],
      ["m2", "app", "b", "manager"],
      ["m3", "app", "c", "manager"],
      ["f1", "front", "a"],
      ["f2", "front", "a"],
      ["f3", "front", "b"],
    ]);
    new Service(new Stack(cluster, "front"), "nginx", {
      image: "nginx:1.27-alpine",
      replicas: "one-per-node",
      placement: { tier: "front", labels: { zone: "a" } },
      critical: true,
    });
    expect(byCode(cluster, "spof/zone-placement")).toEqual([
      expect.objectContaining({
        severity: "error",
        message: expect.stringContaining("losing zone a"),
        hint: expect.stringContaining("f3 in zone b"),
      }),
    ]);
  });

  it("warns that fixed replicas may share a zone, until they spread over it (a Swarm placement preference)", async () => {
    const rows: Zoned[] = [
      ["m1", "app", "a", "manager"],
      ["m2", "app", "b", "manager"],
      ["m3", "app", "c", "manager"],
    ];
    const spread = (spreadOver?: string): Cluster => {
      const cluster = zoned(rows);
      new Service(new Stack(cluster, "web"), "front", {
        image: "nginx:1.27-alpine",
        replicas: 2,
        placement: { tier: "app", ...(spreadOver ? { spreadOver } : {}) },
        critical: true,
      });
      return cluster;
    };
    expect(byCode(spread(), "spof/zone-spread")).toEqual([
      expect.objectContaining({ severity: "warning", hint: expect.stringContaining("spread front replicas over zones a, b and c") }),
    ]);
    expect(byCode(spread("zone"), "spof/zone-spread")).toEqual([]);
    const files = await Testing.synth(spread("zone"), {
      generators: (await import("../../src/synth/registry.js")).GENERATORS.filter((g) => g.name === "stacks"),
    });
    expect(files.get("stacks/web.yml")).toMatch(/preferences:\n\s+- spread: node\.labels\.zone/);
  });
});

describe("data", () => {
  it.each([
    ["one replica free to move", { tier: "app" as const }, "warning", "data/single-replica-volume"],
    ["one replica pinned", { hostname: "sw-node-1" }, "warning", "data/single-replica-state"],
  ])("a service writing a named volume, %s: %s", (_, placement, severity, code) => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Service(new Stack(cluster, "mng"), "portainer", {
      image: "portainer/portainer-ce:2.21.4",
      placement,
      volumes: ["portainer-data:/data"],
    });
    expect(byCode(cluster, code)).toEqual([expect.objectContaining({ severity, message: expect.stringContaining("portainer-data") })]);
  });

  it("reports a database held by one node as a single copy", () => {
    const cluster = Testing.cluster({ nodes: { app: 3, db: 1 } });
    galera(cluster, cluster.nodesInTier("db"));
    expect(byCode(cluster, "data/single-copy")).toEqual([expect.objectContaining({ severity: "error", construct: "cluster/xtradb" })]);
  });
});

describe("tolerance of several losses", () => {
  it("names the first pair of nodes whose loss breaks what neither breaks alone", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    const analysis = analyseFailures(cluster);
    expect(analysis.singles.every((outcome) => outcome.quorumLost.length === 0)).toBe(true);
    const first = analysis.pairs.first;
    expect(first && hostnames(analysis.model, first.lost)).toEqual(["sw-node-1", "sw-node-2"]);
    expect(analysis.pairs).toMatchObject({ checked: 3, breaking: 3 });
    expect(tolerance(analysis.model, 3).breaking).toBe(1);
  });

  // How long this takes is measured by `npm run bench` ("(e) HA analysis alone"), not asserted here: a timed
  // unit test fails on a loaded machine and proves nothing on a fast one.
  it("analyses every single and every pair failure of a 200-node cluster", () => {
    const cluster = Testing.cluster();
    for (let index = 0; index < 200; index++) {
      const tier: Tier = index < 20 ? "front" : index < 190 ? "app" : "db";
      new Node(cluster, `n${index}`, {
        tier,
        privateIp: `10.${20 + Math.floor(index / 250)}.${index % 250}.1`,
        zone: `z${index % 3}`,
        ...(index >= 20 && index < 25 ? { swarmRole: "manager" as const } : {}),
      });
    }
    const stack = new Stack(cluster, "web");
    new Service(stack, "front", { image: "nginx:1.27-alpine", replicas: "one-per-node", placement: { tier: "front" }, critical: true });
    new Service(stack, "php", { image: "php:8.3-fpm", replicas: 40, placement: { tier: "app", spreadOver: "zone" }, critical: true });
    new Service(stack, "agent", { image: "portainer/agent:2.21.4", mode: "global" });
    galera(cluster, cluster.nodesInTier("db").slice(0, 3));
    const analysis = analyseFailures(cluster);
    expect(analysis.pairs.checked).toBe((200 * 199) / 2);
    expect(analysis.singles.length).toBe(200);
  });
});

describe("zones in the model", () => {
  it.each([
    ["a zone label set by hand", { labels: { zone: "a" } }, "node/zone-label"],
    ["a zone with a space", { zone: "eu west" }, "schema/pattern"],
  ])("refuses %s", (_, props, code) => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Node(cluster, "z1", { tier: "app", privateIp: "10.10.1.90", ...props });
    expect(validateModel(cluster).map((problem) => problem.code)).toContain(code);
  });

  it("warns when a spread label is missing on some of the nodes", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Service(new Stack(cluster, "web"), "php", { image: "php:8.3-fpm", replicas: 2, placement: { tier: "app", spreadOver: "zone" } });
    expect(validateModel(cluster)).toContainEqual(
      expect.objectContaining({ severity: "warning", code: "service/spread-label-missing", field: "placement.spreadOver" }),
    );
  });
});
