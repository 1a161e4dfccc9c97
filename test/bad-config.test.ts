import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./helpers/cli.js";

const fixtures = path.join(repoRoot, "test/fixtures/bad");

interface Row {
  /** Fixture name: test/fixtures/bad/<name>.config.ts. */
  readonly name: string;
  readonly code: string;
  readonly construct: string;
  readonly field: string;
  /** Text of the declaration at fault; its last occurrence in the fixture is the line the error must point at. */
  readonly declaredBy: string;
}

const rows: Row[] = [
  {
    name: "duplicate-hostname",
    code: "construct/duplicate-id",
    construct: "cluster/sw-node-2",
    field: "hostname",
    declaredBy: 'new Node(cluster, "sw-node-2"',
  },
  {
    name: "ip-outside-network",
    code: "node/private-ip-outside-network",
    construct: "cluster/sw-node-3",
    field: "privateIp",
    declaredBy: 'new Node(cluster, "sw-node-3"',
  },
  {
    name: "overlapping-subnets",
    code: "network/overlapping-subnet",
    construct: "cluster/appnet",
    field: "subnet",
    declaredBy: 'new OverlayNetwork(cluster, "appnet"',
  },
  {
    name: "even-etcd-members",
    code: "etcd/even-members",
    construct: "cluster/etcd",
    field: "members",
    declaredBy: 'new EtcdCluster(cluster, "etcd"',
  },
  {
    name: "placement-matches-no-node",
    code: "service/placement-matches-no-node",
    construct: "cluster/web/api",
    field: "placement.labels.gpu",
    declaredBy: 'new Service(web, "api"',
  },
  {
    name: "undeclared-network",
    code: "service/undeclared-network",
    construct: "cluster/web/api",
    field: "networks[0]",
    declaredBy: 'new Service(web, "api"',
  },
  {
    name: "port-collision",
    code: "service/port-collision",
    construct: "cluster/mng/portainer",
    field: "ports[0].published",
    declaredBy: 'new Service(mng, "portainer"',
  },
  {
    name: "port-out-of-range",
    code: "schema/out-of-range",
    construct: "cluster/web/nginx",
    field: "ports[0].published",
    declaredBy: 'new Service(web, "nginx"',
  },
  {
    name: "site-root-injection",
    code: "site/root-not-a-plain-path",
    construct: "cluster/www",
    field: "root",
    declaredBy: 'new Site(cluster, "www"',
  },
  {
    name: "xtradb-max-connections",
    code: "xtradb/max-connections-invalid",
    construct: "cluster/xtradb",
    field: "maxConnections",
    declaredBy: 'new XtraDbCluster(cluster, "xtradb"',
  },
  {
    name: "swap-exceeds-disk",
    code: "host-extras/swap-exceeds-disk",
    construct: "cluster/sw-node-3",
    field: "swap",
    declaredBy: 'new Node(cluster, "sw-node-3"',
  },
  {
    name: "etcd-member-on-front",
    code: "etcd/member-not-app-tier",
    construct: "cluster/etcd",
    field: "members[0]",
    declaredBy: 'new EtcdCluster(cluster, "etcd"',
  },
];

/** 1-based line of the last line of the fixture containing `text`. */
function lineOf(fixture: string, text: string): number {
  const lines = readFileSync(path.join(fixtures, `${fixture}.config.ts`), "utf8").split("\n");
  const index = lines.findLastIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${fixture}.config.ts has no line containing ${text}`);
  return index + 1;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

describe("swarm-cluster build on a bad config", () => {
  let work: string;

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-bad-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Builds a fixture into an out/ that holds one sentinel file, which must come through untouched. */
  function build(name: string) {
    const out = path.join(work, name, "out");
    mkdirSync(out, { recursive: true });
    writeFileSync(path.join(out, "sentinel.txt"), `kept by ${name}\n`);
    const result = runCli(["build", "--config", path.join("test/fixtures/bad", `${name}.config.ts`), "--out", out]);
    return { ...result, outFiles: () => readdirSync(out), sentinel: () => readFileSync(path.join(out, "sentinel.txt"), "utf8") };
  }

  it.each(rows)("$name: exit 1, $construct `$field` at its declaration line, out/ untouched", (row) => {
    const result = build(row.name);
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain(`error ${row.code}: ${row.construct} (field \`${row.field}\`)`);
    const line = lineOf(row.name, row.declaredBy);
    expect(result.stderr).toMatch(
      new RegExp(`(^|\\s)${escapeRegExp(row.name)}\\.config\\.ts:${line}:\\d+: error ${escapeRegExp(row.code)}`, "m"),
    );
    // The code frame under the error shows the declaration itself.
    expect(result.stderr).toContain(`${line} | `);
    expect(result.stderr).toContain(row.declaredBy);
    expect(result.stderr).toContain("fix: ");
    // Never the temporary bundle the config ran from.
    expect(result.stderr).not.toMatch(/\.mjs\b/);
    expect(result.outFiles()).toEqual(["sentinel.txt"]);
    expect(result.sentinel()).toBe(`kept by ${row.name}\n`);
  });

  it("reports every fault of a config at once, in config order", () => {
    const result = build("several-faults");
    expect(result.status, result.stderr).toBe(1);
    expect(result.stderr).toContain("3 problem(s)");
    const hostnameLine = lineOf("several-faults", 'new Node(cluster, "Sw_Node_2"');
    const networkLine = lineOf("several-faults", 'new OverlayNetwork(cluster, "appnet"');
    const reported = [...result.stderr.matchAll(/^several-faults\.config\.ts:(\d+):\d+: error (\S+): (\S+) \(field `([^`]+)`\)/gm)].map(
      (match) => `${match[1]} ${match[2]} ${match[3]} ${match[4]}`,
    );
    expect(reported).toEqual([
      `${hostnameLine} schema/pattern cluster/Sw_Node_2 hostname`,
      `${hostnameLine} node/duplicate-private-ip cluster/Sw_Node_2 privateIp`,
      `${networkLine} network/overlaps-private-network cluster/appnet subnet`,
    ]);
    expect(result.outFiles()).toEqual(["sentinel.txt"]);
  });

  it("writes no PKI state beside a config that fails validation", () => {
    expect(existsSync(path.join(fixtures, "pki"))).toBe(false);
    expect(existsSync(path.join(fixtures, "secrets"))).toBe(false);
  });
});
