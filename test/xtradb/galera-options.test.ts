import { describe, expect, it } from "vitest";
import { galeraOptions, garbdArguments, renderGaleraCnf, type GaleraFacts } from "../../generators/xtradb/galera-engine.js";
import { isDocumentedPxcVariable, PXC_DOCUMENTED_VARIABLES, PXC_VARIABLES_SOURCE } from "../../generators/xtradb/pxc-variables.js";
import { OverlayNetwork, Secret, Stack, Testing, XtraDbCluster } from "../../src/index.js";
import type { XtraDbClusterProps } from "../../generators/xtradb/xtradb-cluster.js";

/**
 * Checks against a list written from documentation: PXC's own system variables (pxc-variables.ts, with the
 * page it comes from). The MariaDB engine's options are run for real in galera.system.test.ts.
 */
const facts: GaleraFacts = {
  clusterName: "xtracluster",
  memberAddresses: ["pxc-1", "pxc-2"],
  sstMethod: "xtrabackup-v2",
  gcacheSize: "128M",
  tls: { ca: "/run/secrets/ca", cert: "/run/secrets/cert", key: "/run/secrets/key" },
  maxConnections: 151,
};

/** A small cluster; `arbitrator: "proxy"` puts garbd on its proxy node. */
function model(props: Partial<XtraDbClusterProps> = {}) {
  const cluster = Testing.cluster({ nodes: { proxy: 1, db: 2 } });
  if ((props.arbitrator as unknown) === "proxy") props = { ...props, arbitrator: cluster.nodesInTier("proxy")[0] };
  return new XtraDbCluster(cluster, "xtradb", {
    stack: new Stack(cluster, "db"),
    network: new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" }),
    nodes: cluster.nodesInTier("db"),
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
    ...props,
  });
}

/** Options a MySQL-family server shares with every other: not PXC's to document. */
const SERVER_OPTIONS = new Set(["max_connections", "ssl_ca", "ssl_cert", "ssl_key"]);

describe("PXC's documented variables", () => {
  it("are kept with their source and hold the names PXC documents", () => {
    expect(PXC_VARIABLES_SOURCE).toMatch(/^https:\/\/docs\.percona\.com\/percona-xtradb-cluster\/8\.0\//);
    expect(PXC_DOCUMENTED_VARIABLES).toContain("pxc_strict_mode");
    expect(new Set(PXC_DOCUMENTED_VARIABLES).size).toBe(PXC_DOCUMENTED_VARIABLES.length);
    expect(isDocumentedPxcVariable("pxc-encrypt-cluster-traffic")).toBe(true);
    expect(isDocumentedPxcVariable("wsrep_sst_auth")).toBe(false); // MariaDB's, not PXC 8.0's
  });

  it("name every PXC-specific option the PXC renderer emits", () => {
    const names = galeraOptions("percona-xtradb-cluster", facts).map((option) => option.name.replaceAll("-", "_"));
    const specific = names.filter((name) => !SERVER_OPTIONS.has(name));
    expect(specific.length).toBeGreaterThan(0);
    expect(specific.filter((name) => !isDocumentedPxcVariable(name))).toEqual([]);
  });

  it("leave out the MariaDB-only settings the MariaDB renderer needs, so the check can fail", () => {
    const mariadbOnly = galeraOptions("mariadb-galera", facts)
      .filter((option) => option.section === "mysqld")
      .map((option) => option.name)
      .filter((name) => !SERVER_OPTIONS.has(name) && !isDocumentedPxcVariable(name));
    expect(mariadbOnly).toEqual(["binlog_format", "default_storage_engine", "innodb_autoinc_lock_mode"]);
  });
});

describe("one set of facts, two engines", () => {
  it("renders the same cluster name, members, SST and gcache under each engine's names", () => {
    const pxc = renderGaleraCnf("percona-xtradb-cluster", facts);
    expect(pxc).toMatch(/^pxc-encrypt-cluster-traffic=ON$/m);
    expect(pxc).toMatch(/^wsrep_sst_method=xtrabackup-v2$/m);
    expect(pxc).toMatch(/^wsrep_provider_options="gcache\.size=128M"$/m);
    // The PXC image's entrypoint writes the cluster address from CLUSTER_JOIN; a my.cnf value would override it.
    expect(pxc).not.toMatch(/wsrep_cluster_address/);

    const mariadb = renderGaleraCnf("mariadb-galera", { ...facts, sstMethod: "mariabackup" });
    expect(mariadb).toMatch(/^wsrep_provider=\/usr\/lib\/galera\/libgalera_smm\.so$/m);
    expect(mariadb).toMatch(/^wsrep_cluster_name=xtracluster$/m);
    expect(mariadb).toMatch(/^wsrep_cluster_address=gcomm:\/\/pxc-1,pxc-2$/m);
    expect(mariadb).toMatch(/^wsrep_sst_method=mariabackup$/m);
    expect(mariadb).toContain('wsrep_provider_options="gcache.size=128M;socket.ssl_ca=/run/secrets/ca;');
    expect(mariadb).toMatch(/^\[sst\]$[^[]*^encrypt=3$/m);
    expect(mariadb).not.toMatch(/^pxc[-_]/m);
  });

  it("gives garbd the group, the members and the TLS files", () => {
    expect(garbdArguments(facts)).toEqual([
      "garbd",
      "--group",
      "xtracluster",
      "--address",
      "gcomm://pxc-1,pxc-2",
      "--options",
      "socket.ssl_ca=/run/secrets/ca;socket.ssl_cert=/run/secrets/cert;socket.ssl_key=/run/secrets/key;socket.ssl_cipher=",
    ]);
  });

  it("needs no arbitrator image with PXC, whose default ships garbd", () => {
    expect(model({ arbitrator: "proxy" as never }).validateConstruct()).toEqual([]);
    expect(model({ engine: "mariadb-galera", arbitrator: "proxy" as never, arbitratorImage: "garbd:4" }).validateConstruct()).toEqual([]);
  });

  it("defaults to PXC, and takes the engine's image, server, config path and SST method", async () => {
    const pxc = model();
    expect([pxc.engine, pxc.image, pxc.sstMethod]).toEqual([
      "percona-xtradb-cluster",
      "percona/percona-xtradb-cluster:8.0.39-30.1",
      "xtrabackup-v2",
    ]);
    const mariadb = model({ engine: "mariadb-galera" });
    expect([mariadb.engine, mariadb.image, mariadb.sstMethod]).toEqual(["mariadb-galera", "mariadb:10.11.10", "mariabackup"]);
    const files = await Testing.synth(mariadb.node.root as never);
    const stack = files.get("stacks/db.yml") ?? "";
    expect(stack).toContain("target: /etc/mysql/conf.d/swarm-cluster.cnf");
    expect(stack).toContain("MARIADB_MYSQL_LOCALHOST_USER");
    expect(stack).not.toContain("XTRABACKUP_PASSWORD_FILE");
    expect(files.get("stacks/db/xtradb-start.sh")).toContain("--wsrep-new-cluster");
  });

  it.each([
    { props: { engine: "mysql-group-replication" as never }, code: "xtradb/engine-unknown", field: "engine" },
    { props: { engine: "mariadb-galera" as const, sstMethod: "xtrabackup-v2" }, code: "xtradb/sst-method-unsupported", field: "sstMethod" },
    { props: { sstMethod: "rsync" }, code: "xtradb/sst-method-unsupported", field: "sstMethod" },
    {
      props: { engine: "mariadb-galera" as const, arbitrator: "proxy" as never },
      code: "xtradb/arbitrator-image-needed",
      field: "arbitratorImage",
    },
  ])("reports $code for $props", ({ props, code, field }) => {
    expect(model(props).validateConstruct()).toContainEqual(expect.objectContaining({ code, field }));
  });
});
