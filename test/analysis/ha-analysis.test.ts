import { describe, expect, it } from "vitest";
import { analyseHa } from "../../src/analysis/ha.js";
import { prefixFor } from "../../src/analysis/overlay-capacity.js";
import { faultTolerance } from "../../src/analysis/quorum.js";
import { Cluster, Node, OverlayNetwork, ProxySql, Secret, Service, Stack, XtraDbCluster } from "../../src/index.js";
import type { Tier } from "../../src/index.js";

type NodeRow = [hostname: string, tier: Tier, role?: "manager" | "worker", labels?: Record<string, string>];

function cluster(nodes: NodeRow[]): Cluster {
  const c = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [] });
  nodes.forEach(
    ([hostname, tier, swarmRole, labels], index) =>
      new Node(c, hostname, { tier, privateIp: `10.0.0.${index + 10}`, swarmRole: swarmRole ?? "worker", labels: labels ?? {} }),
  );
  return c;
}

const codes = (c: Cluster, severity: string): string[] =>
  analyseHa(c)
    .findings.filter((f) => f.severity === severity)
    .map((f) => `${f.code} ${f.construct}`);

describe("quorum arithmetic", () => {
  it.each([
    [1, 0],
    [2, 0],
    [3, 1],
    [4, 1],
    [5, 2],
    [7, 3],
  ])("%i voters tolerate %i failures", (voters, tolerated) => {
    expect(faultTolerance(voters)).toBe(tolerated);
  });
});

describe("Swarm manager quorum", () => {
  it("reports a single manager as a single point of failure", () => {
    const c = cluster([
      ["m1", "app", "manager"],
      ["w1", "app"],
    ]);
    expect(codes(c, "error")).toContain("swarm/no-fault-tolerance cluster");
  });

  it("accepts three managers and says they tolerate one loss", () => {
    const c = cluster([
      ["m1", "app", "manager"],
      ["m2", "app", "manager"],
      ["m3", "app", "manager"],
    ]);
    expect(codes(c, "error")).toEqual([]);
    const quorum = analyseHa(c).findings.find((f) => f.code === "swarm/quorum");
    expect(quorum?.tolerates).toBe(1);
  });

  it("warns that a fourth manager adds no fault tolerance", () => {
    const c = cluster([
      ["m1", "app", "manager"],
      ["m2", "app", "manager"],
      ["m3", "app", "manager"],
      ["m4", "app", "manager"],
    ]);
    expect(codes(c, "warning")).toContain("swarm/even-voters cluster");
  });
});

describe("single points of failure on the request path", () => {
  const managers: NodeRow[] = [
    ["m1", "app", "manager"],
    ["m2", "app", "manager"],
    ["m3", "app", "manager"],
  ];

  it("flags a critical service with one replica", () => {
    const c = cluster([...managers, ["p1", "proxy"], ["p2", "proxy"]]);
    new Service(new Stack(c, "db"), "proxysql", { image: "proxysql/proxysql:2.7.1", placement: { tier: "proxy" }, critical: true });
    expect(codes(c, "error")).toEqual(["spof/single-replica cluster/db/proxysql"]);
  });

  it("flags a critical service whose placement selects one node, however many replicas it has", () => {
    const c = cluster([...managers, ["p1", "proxy"]]);
    new Service(new Stack(c, "db"), "proxysql", {
      image: "proxysql/proxysql:2.7.1",
      replicas: 3,
      placement: { tier: "proxy" },
      critical: true,
    });
    expect(codes(c, "error")).toEqual(["spof/single-node-placement cluster/db/proxysql"]);
  });

  it("accepts one task per node over several nodes, and ignores non-critical singletons", () => {
    const proxysql = { proxysql: "true" };
    const c = cluster([...managers.map(([h, t, r]): NodeRow => [h, t, r, proxysql]), ["p1", "proxy", undefined, proxysql]]);
    const stack = new Stack(c, "db");
    new Service(stack, "proxysql", {
      image: "proxysql/proxysql:2.7.1",
      replicas: "one-per-node",
      placement: { labels: { proxysql: "true" } },
      critical: true,
    });
    new Service(stack, "portainer", { image: "portainer/portainer-ce:2.21.4" });
    expect(codes(c, "error")).toEqual([]);
  });
});

describe("Galera quorum", () => {
  function galera(withArbitrator: boolean): Cluster {
    const c = cluster([
      ["m1", "app", "manager"],
      ["m2", "app", "manager"],
      ["m3", "app", "manager"],
      ["q", "proxy"],
      ["d1", "db"],
      ["d2", "db"],
    ]);
    const stack = new Stack(c, "db");
    const dbnet = new OverlayNetwork(c, "dbnet", { subnet: "192.168.16.0/24" });
    const [q, d1, d2] = [c.nodes[3], c.nodes[4], c.nodes[5]] as Node[];
    new XtraDbCluster(c, "xtradb", {
      stack,
      network: dbnet,
      nodes: [d1 as Node, d2 as Node],
      ...(withArbitrator ? { arbitrator: q } : {}),
      rootPassword: new Secret(c, "root", { description: "root" }),
    });
    return c;
  }

  it("reports two data nodes without an arbitrator as losing quorum on any failure", () => {
    expect(codes(galera(false), "error")).toEqual(["galera/no-fault-tolerance cluster/xtradb"]);
  });

  it("keeps quorum with the arbitrator as third voter", () => {
    const report = analyseHa(galera(true));
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.findings.find((f) => f.code === "galera/quorum")?.tolerates).toBe(1);
  });

  it("derives ProxySQL backends from the XtraDB members", () => {
    const c = galera(true);
    const xtradb = c.all(XtraDbCluster)[0] as XtraDbCluster;
    const proxy = new ProxySql(c, "proxysql", {
      stack: c.stacks[0] as Stack,
      networks: c.networks,
      database: xtradb,
      placement: { tier: "proxy" },
      credentials: {
        admin: new Secret(c, "a", { description: "a" }),
        monitor: new Secret(c, "m", { description: "m" }),
        users: new Secret(c, "u", { description: "u" }),
      },
    });
    expect(proxy.database.backends.map((b) => `${b.host}@${b.node.hostname}`)).toEqual(["pxc-1@d1", "pxc-2@d2"]);
  });
});

describe("overlay capacity", () => {
  function withOverlay(subnet: string, replicas: number): Cluster {
    const c = cluster([
      ["m1", "app", "manager"],
      ["m2", "app", "manager"],
      ["m3", "app", "manager"],
    ]);
    const net = new OverlayNetwork(c, "appnet", { subnet });
    new Service(new Stack(c, "php"), "php", { image: "php:8.3-fpm", replicas, networks: [net] });
    return c;
  }

  it("counts tasks, one VIP per service and one endpoint per node hosting a task", () => {
    // 5 tasks + 1 VIP + 3 nodes = 9 addresses; a /28 has 13 usable.
    expect(codes(withOverlay("192.168.0.16/28", 5), "warning")).toContain("capacity/overlay-tight cluster/appnet");
    expect(codes(withOverlay("192.168.0.16/28", 5), "error")).toEqual([]);
  });

  it("reports an overlay whose addresses run out as an error", () => {
    // 10 tasks + 1 VIP + 3 nodes = 14 > 13.
    expect(codes(withOverlay("192.168.0.16/28", 10), "error")).toEqual(["capacity/overlay-exhausted cluster/appnet"]);
  });

  it("names the subnet that would hold twice the demand, beyond a /24 when a cluster needs it", () => {
    expect(prefixFor(10)).toBe(28);
    expect(prefixFor(253)).toBe(24);
    expect(prefixFor(254)).toBe(23);
    expect(prefixFor(2000)).toBe(21);
    const exhausted = analyseHa(withOverlay("192.168.0.16/28", 10)).findings.find((f) => f.code === "capacity/overlay-exhausted");
    expect(exhausted?.hint).toMatch(/^use a larger subnet: a \/2[0-8] holds twice \d+ addresses$/);
  });

  it("is silent for a /24", () => {
    const c = withOverlay("192.168.17.0/24", 10);
    expect(analyseHa(c).findings.filter((f) => f.code.startsWith("capacity/"))).toEqual([]);
  });
});

describe("pinned services", () => {
  it("notes a non-critical service that can run on one node only, naming the node", () => {
    const c = cluster([
      ["m1", "app", "manager"],
      ["m2", "app", "manager"],
      ["m3", "app", "manager"],
    ]);
    new Service(new Stack(c, "stats"), "prometheus", { image: "prom/prometheus:v2.53.0", placement: { hostname: "m1" } });
    new Service(new Stack(c, "php"), "php", { image: "php:8.3-fpm", replicas: "one-per-node", placement: { tier: "app" } });
    const pinned = analyseHa(c).findings.filter((f) => f.code === "spof/pinned-service");
    expect(pinned).toEqual([
      expect.objectContaining({ severity: "info", construct: "cluster/stats/prometheus", message: expect.stringContaining("only on m1") }),
    ]);
  });
});
