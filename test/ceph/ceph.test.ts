/**
 * Unit tests of the Ceph family and of the shared-data analysis: the model's checks (located errors through the
 * CLI, as an operator sees them), the availability findings (the monitors' quorum, the pools' copies, node-local
 * volumes used on several nodes, pinned stateful services) and what the reference build commits (the docroot on
 * CephFS, mounted on every node that serves it). Nothing here runs Ceph: test/ceph/ceph.system.test.ts does.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CephCluster, type CephClusterProps, cephVolumesOf } from "../../generators/ceph/index.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { ConfigError, type Problem } from "../../src/core/problems.js";
import { type Cluster, Service, Site, Stack, Testing, type Tier } from "../../src/index.js";
import { prepareTree } from "../../src/synth/synthesize.js";
import { repoRoot, runCli } from "../helpers/cli.js";

const FSID = "0f3b9a4e-6a1c-4a53-9d5e-2c7f1b8e4d21";

function cephCluster(props: Partial<CephClusterProps> = {}, nodes: Partial<Record<Tier, number>> = { app: 3, proxy: 1, db: 2 }) {
  const cluster = Testing.cluster({ nodes });
  const db = cluster.nodesInTier("db");
  const proxy = cluster.nodesInTier("proxy");
  const ceph = new CephCluster(cluster, "ceph", {
    fsid: FSID,
    monitors: [...db, ...proxy],
    osds: [...db, ...proxy],
    pools: [
      { name: "xtradb", application: "rbd" },
      { name: "configs", application: "cephfs" },
    ],
    fileSystem: { dataPool: "configs" },
    volumes: [{ name: "www", kind: "cephfs", holds: "the site's files" }],
    ...props,
  });
  return { cluster, ceph };
}

async function problemsOf(cluster: Cluster): Promise<readonly Problem[]> {
  const error = await Testing.synth(cluster, { generators: [] }).catch((caught: unknown) => caught);
  return error instanceof ConfigError ? error.problems : [];
}

function findings(cluster: Cluster): readonly Problem[] {
  prepareTree(cluster);
  return analyseHa(cluster).findings;
}

describe("located errors of a bad Ceph model (the operator's view: `swarm-cluster build`)", () => {
  const fixtures = "test/ceph/fixtures";
  const lineOf = (fixture: string, text: string): number =>
    readFileSync(path.join(repoRoot, fixtures, `${fixture}.config.ts`), "utf8")
      .split("\n")
      .findIndex((line) => line.includes(text)) + 1;

  it.each([
    ["pool-size-exceeds-osd-nodes", "ceph/pool-size-exceeds-osd-nodes", "pools[0].size", "keeps 3 copies but only 2 node(s) run an OSD"],
    ["even-monitors", "ceph/even-monitors", "monitors", "has 4 monitors"],
  ])("%s: exit 1, %s at `%s` on the CephCluster's line", (fixture, code, field, message) => {
    const result = runCli(["build", "--config", path.join(fixtures, `${fixture}.config.ts`), "--out", path.join("/nonexistent", fixture)]);
    expect(result.status, result.stderr).toBe(1);
    const line = lineOf(fixture, 'new CephCluster(cluster, "ceph"');
    expect(result.stderr).toContain(`${fixture}.config.ts:${line}:3: error ${code}: cluster/ceph (field \`${field}\`): `);
    expect(result.stderr).toContain(message);
    expect(result.stderr).toContain("fix: ");
  });
});

describe("the Ceph model's checks", () => {
  it("refuses a pool size above the OSD nodes, an invalid min_size, an undeclared pool, a CephFS volume without file system", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1, db: 3 } });
    const db = cluster.nodesInTier("db");
    new CephCluster(cluster, "ceph", {
      fsid: "not-a-uuid",
      monitors: db,
      osds: db.slice(0, 2),
      pools: [
        { name: "xtradb", application: "rbd", size: 3 },
        { name: "logs", application: "rbd", size: 2, minSize: 3 },
      ],
      volumes: [
        { name: "database", kind: "rbd", pool: "xtradbb", nodes: db, holds: "the datadir" },
        { name: "www", kind: "cephfs", holds: "the site's files" },
      ],
    });
    const problems = (await problemsOf(cluster)).filter((problem) => problem.code.startsWith("ceph/"));
    expect(problems.map((problem) => [problem.code, problem.field])).toEqual(
      expect.arrayContaining([
        ["ceph/fsid-not-uuid", "fsid"],
        ["ceph/pool-size-exceeds-osd-nodes", "pools[0].size"],
        ["ceph/min-size-invalid", "pools[1].minSize"],
        ["ceph/unknown-pool", "volumes[0].pool"],
        ["ceph/no-file-system", "volumes[1].kind"],
      ]),
    );
    expect(problems.every((problem) => problem.severity === "error")).toBe(true);
  });

  it("accepts the reference's shape: 3 monitors, 3 OSD nodes, pools of 3 copies", async () => {
    const { cluster } = cephCluster();
    expect((await problemsOf(cluster)).filter((problem) => problem.code.startsWith("ceph"))).toEqual([]);
  });
});

describe("Ceph in the availability analysis", () => {
  it("counts the monitors as a majority group: two lose it with either node, and the fix names a third", () => {
    const cluster = Testing.cluster({ nodes: { app: 1, proxy: 1, db: 2 } });
    const db = cluster.nodesInTier("db");
    new CephCluster(cluster, "ceph", { fsid: FSID, monitors: db, osds: db, pools: [{ name: "xtradb", application: "rbd" }] });
    const all = findings(cluster);
    const quorum = all.find((finding) => finding.code === "ceph-mon/no-fault-tolerance");
    expect(quorum).toMatchObject({ severity: "error", construct: "cluster/ceph", message: expect.stringContaining("sw-db-1 or sw-db-2") });
    expect(quorum?.hint).toBe("add sw-proxy-1 to the Ceph `monitors`");
    // Two OSD nodes: pools of 2 copies that acknowledge writes with one.
    expect(all.find((finding) => finding.code === "ceph/pool-min-size-one")).toMatchObject({ severity: "warning" });
  });

  it("notes that three monitors tolerate one loss, and three OSD nodes keep every pool's I/O", () => {
    const { cluster } = cephCluster();
    const all = findings(cluster).filter((finding) => finding.construct === "cluster/ceph");
    expect(all.map((finding) => `${finding.severity} ${finding.code}`)).toEqual(["info ceph-mon/quorum"]);
  });

  it("reports a pool whose min_size one OSD loss cannot meet", () => {
    const { cluster } = cephCluster({
      pools: [{ name: "xtradb", application: "rbd", size: 3, minSize: 3 }],
      fileSystem: undefined,
      volumes: [],
    });
    expect(findings(cluster).find((finding) => finding.code === "ceph/pool-stops-on-osd-loss")).toMatchObject({
      severity: "error",
      hint: "lower `minSize` to 2",
    });
  });
});

/** nginx on the fronts and php-fpm on every app node, both mounting the site's volume, as FrontProxy and PhpFpm do. */
function webTier(cluster: Cluster, site: Site): void {
  new Service(new Stack(cluster, "front"), "nginx", {
    image: "nginx:1.26",
    mode: "global",
    placement: { tier: "front" },
    volumes: [site.volumeMount({ readOnly: true })],
  });
  new Service(new Stack(cluster, "php"), "php", {
    image: "php:8.3-fpm",
    replicas: "one-per-node",
    placement: { tier: "app" },
    volumes: [site.volumeMount()],
  });
}

describe("shared data", () => {
  it("reports a node-local docroot read on several nodes as an error, naming the services and nodes", () => {
    const cluster = Testing.cluster({ nodes: { front: 2, app: 3 } });
    webTier(cluster, new Site(cluster, "www", { domains: ["example.org"] }));
    const errors = findings(cluster).filter((finding) => finding.code === "data/node-local-shared-volume");
    expect(errors).toEqual([
      expect.objectContaining({
        severity: "error",
        message: expect.stringMatching(/www-www is node-local.*nginx and php|www-www is node-local.*php and nginx/),
      }),
    ]);
    expect(errors[0]?.message).toContain("sw-front-1");
    expect(errors[0]?.hint).toContain("CephFS");
  });

  it("finds no error once the docroot is a CephFS volume, and mounts it on exactly the nodes that serve the site", () => {
    const { cluster, ceph } = cephCluster({}, { front: 2, app: 3, proxy: 1, db: 2 });
    webTier(cluster, new Site(cluster, "www", { domains: ["example.org"], volume: ceph.volumes.www?.hostPath }));
    expect(findings(cluster).filter((finding) => finding.code === "data/node-local-shared-volume")).toEqual([]);
    const [www] = cephVolumesOf(cluster);
    expect(www).toMatchObject({ name: "www", shared: true, hostPath: "/run/ceph-volumes/www", client: "client.vol-www" });
    expect(www?.nodes.map((node) => node.hostname)).toEqual(["sw-front-1", "sw-front-2", "sw-node-1", "sw-node-2", "sw-node-3"]);
    for (const node of cluster.nodes) {
      const mounted = node.units.some((unit) => unit.unitName === "ceph-volume-www.service");
      expect(mounted, node.hostname).toBe(www?.nodes.includes(node));
    }
  });

  it("leaves alone a volume each node keeps for itself (one task per node of every service using it, all writing)", () => {
    const cluster = Testing.cluster({ nodes: { front: 2 } });
    const stack = new Stack(cluster, "front");
    new Service(stack, "nginx", {
      image: "nginx:1.26",
      mode: "global",
      placement: { tier: "front" },
      volumes: ["nginx-status:/run/nginx-status"],
    });
    new Service(stack, "exporter", {
      image: "nginx/nginx-prometheus-exporter:1.3",
      mode: "global",
      placement: { tier: "front" },
      volumes: ["nginx-status:/run/nginx-status"],
    });
    expect(findings(cluster).filter((finding) => finding.code === "data/node-local-shared-volume")).toEqual([]);
  });

  it("warns of a stateful service pinned to one node, naming the data it would lose, instead of a note", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Service(new Stack(cluster, "mng"), "portainer", {
      image: "portainer/portainer-ce:2.21.4",
      placement: { hostname: "sw-node-1" },
      volumes: ["portainer-data:/data"],
    });
    const mine = findings(cluster).filter((finding) => finding.construct === "cluster/mng/portainer");
    expect(mine).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "data/single-replica-state",
        message: expect.stringContaining("losing sw-node-1's disk loses portainer-data"),
      }),
    ]);
  });
});

describe("the reference build (committed out/)", () => {
  const out = (file: string) => readFileSync(path.join(repoRoot, "out", file), "utf8");

  it("serves the docroot from CephFS on the fronts and on php-fpm's nodes, each database member and Elasticsearch node from its RBD image", () => {
    expect(out("stacks/front.yml")).toContain("- /run/ceph-volumes/www:/var/www/html:ro");
    // The certificates on CephFS too: read by every front, written by certbot (LetsEncrypt).
    expect(out("stacks/front.yml")).toContain("- /run/ceph-volumes/letsencrypt:/etc/letsencrypt:ro");
    expect(out("stacks/certbot.yml")).toContain("- /run/ceph-volumes/letsencrypt:/srv/letsencrypt");
    expect(out("stacks/php.yml")).toContain("- /run/ceph-volumes/www:/var/www/html");
    expect(out("stacks/db.yml")).toContain("- /run/ceph-volumes/database:/var/lib/mysql");
    expect(out("stacks/logs.yml")).toContain("- /run/ceph-volumes/logs:/usr/share/elasticsearch/data");
    const report = JSON.parse(out("analysis/ha-report.json")) as { findings: Problem[] };
    expect(report.findings.filter((finding) => finding.severity === "error")).toEqual([]);
  });

  it("places monitors and OSDs on both database nodes and the SQL proxy, the gateway on the SQL proxy", () => {
    const units = (host: string) => {
      const config = JSON.parse(out(`nodes/${host}/config.ign`)) as { systemd?: { units?: { name: string }[] } };
      return (config.systemd?.units ?? [])
        .map((unit) => unit.name)
        .filter((name) => name.startsWith("ceph-"))
        .sort();
    };
    expect(units("sw-db-1")).toEqual([
      "ceph-mds.service",
      "ceph-mgr.service",
      "ceph-mon.service",
      "ceph-osd.service",
      "ceph-volume-database.service",
    ]);
    expect(units("sw-proxy-sql")).toEqual(["ceph-mgr.service", "ceph-mon.service", "ceph-osd.service", "ceph-rgw.service"]);
    expect(units("sw-front-1")).toEqual(["ceph-volume-letsencrypt.service", "ceph-volume-www.service"]);
    // certbot's node mounts the certificates' volume; the other app nodes do not.
    expect(units("sw-node-1")).toEqual(["ceph-volume-letsencrypt.service", "ceph-volume-logs.service", "ceph-volume-www.service"]);
    expect(units("sw-node-2")).toEqual(["ceph-volume-logs.service", "ceph-volume-www.service"]);
    // No key in out/: the units wait for the files out/ceph/bootstrap.sh copies from the first monitor.
    expect(out("ceph/bootstrap.sh")).toContain("copy 10.10.1.11 /etc/ceph/ceph.client.vol-www.secret");
    expect(out("shared/files/etc/ceph/ceph.conf")).toContain("fsid = a569f046-d945-455c-839e-b90347704087");
  });
});
