import { describe, expect, it } from "vitest";
import { ConfigError, type Problem } from "../src/core/problems.js";
import {
  type Cluster,
  ClusterPki,
  EtcdCluster,
  FrontProxy,
  HostFile,
  OverlayNetwork,
  ProxySql,
  Secret,
  Service,
  Site,
  Stack,
  SystemdUnit,
  Testing,
  XtraDbCluster,
  type ClusterPkiProps,
  type FrontProxyProps,
  type Node,
  type ProxySqlProps,
  type SiteProps,
  type XtraDbClusterProps,
} from "../src/index.js";
import type { TestClusterOptions } from "../src/testing.js";
import type { Generator } from "../src/synth/generator.js";
import { GENERATORS } from "../src/synth/registry.js";

/** An untyped value, as a config reaches the build once esbuild has stripped its types. */
const untyped = <T>(value: unknown): T => value as T;

/** What a row changes in the reference-like cluster below; everything else stays valid. */
interface Variation {
  readonly cluster?: Partial<TestClusterOptions>;
  readonly pki?: ClusterPkiProps;
  /** The etcd members, picked from the cluster's nodes. @default the three app nodes */
  readonly etcdMembers?: (nodes: { readonly front: Node[]; readonly app: Node[]; readonly proxy: Node[]; readonly db: Node[] }) => Node[];
  readonly xtradb?: Partial<XtraDbClusterProps>;
  readonly proxysql?: Partial<ProxySqlProps>;
  readonly front?: Partial<FrontProxyProps>;
  readonly site?: Partial<SiteProps>;
  /** Anything else the row declares. */
  readonly extra?: (cluster: Cluster) => void;
}

/** The reference cluster's shape (2 fronts, 3 app managers, a SQL proxy, 2 databases) with every family. */
function cluster(variation: Variation = {}): Cluster {
  const c = Testing.cluster({ nodes: { front: 2, app: 3, proxy: 1, db: 2 }, ...variation.cluster });
  const tier = (name: string) => c.nodes.filter((node) => node.tier === name);
  const nodes = { front: tier("front"), app: tier("app"), proxy: tier("proxy"), db: tier("db") };
  const network = (name: string, subnet: string) => new OverlayNetwork(c, name, { subnet, mtu: 1400 });
  const [dbnet, appnet, frontnet] = [
    network("dbnet", "192.168.16.0/24"),
    network("appnet", "192.168.17.0/24"),
    network("frontnet", "192.168.18.0/24"),
  ];

  new ClusterPki(c, "pki", variation.pki);
  new EtcdCluster(c, "etcd", { members: variation.etcdMembers?.(nodes) ?? nodes.app });

  const db = new Stack(c, "db");
  const xtradb = new XtraDbCluster(c, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: nodes.db,
    arbitrator: nodes.proxy[0],
    rootPassword: new Secret(c, "mysql_root_password", { description: "root" }),
    ...variation.xtradb,
  });
  new ProxySql(c, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { tier: "app" },
    credentials: {
      admin: new Secret(c, "proxysql_admin", { description: "admin" }),
      monitor: new Secret(c, "proxysql_monitor", { description: "monitor" }),
      users: new Secret(c, "proxysql_users", { description: "users" }),
    },
    ...variation.proxysql,
  });

  const site = new Site(c, "www", { domains: ["example.org", "www.example.org"], ...variation.site });
  const php = new Service(new Stack(c, "php"), "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  new FrontProxy(c, "web", {
    stack: new Stack(c, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php,
    image: "registry.example:5000/nginx-waf:1.26",
    ...variation.front,
  });
  variation.extra?.(c);
  return c;
}

interface Row {
  readonly name: string;
  readonly variation: Variation;
  readonly code: string;
  readonly construct: string;
  readonly field: string;
  /** Words the message or its fix must contain. */
  readonly says?: string;
}

const long = (length: number, letter = "a") => letter.repeat(length);

const rows: Row[] = [
  // 1. nobody could log in
  {
    name: "an empty SSH key list",
    variation: { cluster: { sshAuthorizedKeys: [] } },
    code: "cluster/no-ssh-keys",
    construct: "cluster",
    field: "sshAuthorizedKeys",
    says: "nobody could log in",
  },
  // 2. etcd members, whose certificates carry client auth
  {
    name: "an etcd member on a front node",
    variation: { etcdMembers: ({ front, app }) => [front[0] as Node, ...app.slice(1)] },
    code: "etcd/member-not-app-tier",
    construct: "cluster/etcd",
    field: "members[0]",
    says: "etcd members must be app-tier nodes: sw-front-1 is in the front tier",
  },
  {
    name: "an etcd member on a database node",
    variation: { etcdMembers: ({ app, db }) => [...app.slice(0, 2), db[0] as Node] },
    code: "etcd/member-not-app-tier",
    construct: "cluster/etcd",
    field: "members[2]",
    says: "client auth",
  },
  {
    name: "an etcd member on the SQL-proxy node",
    variation: { etcdMembers: ({ app, proxy }) => [app[0] as Node, proxy[0] as Node, app[2] as Node] },
    code: "etcd/member-not-app-tier",
    construct: "cluster/etcd",
    field: "members[1]",
  },
  // 3. names that exceed a limit of what they are written into
  {
    name: "a cluster name that makes a CA's common name longer than 64 characters",
    variation: { cluster: { name: long(50) } },
    code: "pki/common-name-too-long",
    construct: "cluster/pki",
    field: "",
    says: "at most 49 characters",
  },
  {
    name: "a systemd unit name of 256 characters",
    variation: { extra: (c) => new SystemdUnit(c.nodes[0] as Node, `${long(248)}.service`, { contents: "[Unit]\n" }) },
    code: "node/unit-name-too-long",
    construct: `cluster/sw-front-1/${long(248)}.service`,
    field: "unitName",
    says: "256",
  },
  {
    name: "a host file path with a 256-character component",
    variation: { extra: (c) => new HostFile(c.nodes[0] as Node, "long", { path: `/etc/${long(256)}`, contents: "" }) },
    code: "node/file-path-too-long",
    construct: "cluster/sw-front-1/long",
    field: "path",
    says: "NAME_MAX",
  },
  // 4. strings that reach nginx.conf
  {
    name: "a site root that adds an nginx directive",
    variation: { site: { root: "/var/www/html; autoindex on" } },
    code: "site/root-not-a-plain-path",
    construct: "cluster/www",
    field: "root",
    says: '";"',
  },
  {
    name: "a site root that would split the volume mount",
    variation: { site: { root: "/var/www:html" } },
    code: "site/root-not-a-plain-path",
    construct: "cluster/www",
    field: "root",
    says: '":"',
  },
  {
    name: "a domain that adds a directive to server_name (the model's schema)",
    variation: { site: { domains: ["example.org; autoindex on"] } },
    code: "schema/pattern",
    construct: "cluster/www",
    field: "domains[0]",
  },
  {
    name: "a resolver with a parameter of its own",
    variation: { front: { resolver: "127.0.0.11 valid=1s" } },
    code: "nginx/unsafe-argument",
    construct: "cluster/web",
    field: "resolver",
    says: "`resolver`",
  },
  {
    name: "a resolver that closes the http block",
    variation: { front: { resolver: "127.0.0.11; }" } },
    code: "nginx/unsafe-argument",
    construct: "cluster/web",
    field: "resolver",
  },
  {
    name: "a layout path that ends the include directive",
    variation: { front: { layout: { configDir: "/etc/nginx;" } } },
    code: "nginx/unsafe-argument",
    construct: "cluster/web",
    field: "layout.configDir",
    says: '";"',
  },
  {
    name: "a worker user followed by a directive on a new line",
    variation: { front: { layout: { user: "nginx;\nworker_processes 64" } } },
    code: "nginx/unsafe-argument",
    construct: "cluster/web",
    field: "layout.user",
  },
  {
    name: "a listen address with a quote",
    variation: { front: { layout: { listenAddress: '127.0.0.1"' } } },
    code: "nginx/unsafe-argument",
    construct: "cluster/web",
    field: "layout.listenAddress",
  },
  {
    name: "an empty mime.types path",
    variation: { front: { layout: { mimeTypes: "" } } },
    code: "nginx/empty-argument",
    construct: "cluster/web",
    field: "layout.mimeTypes",
  },
  {
    name: "a client body size that is not a size",
    variation: { front: { clientMaxBodySize: "lots" } },
    code: "nginx/size-invalid",
    construct: "cluster/web",
    field: "clientMaxBodySize",
    says: '"lots"',
  },
  {
    name: "a client body size with a directive after it",
    variation: { front: { clientMaxBodySize: "2048m; autoindex on" } },
    code: "nginx/size-invalid",
    construct: "cluster/web",
    field: "clientMaxBodySize",
  },
  {
    name: "a user-agent pattern that closes the quoted map key",
    variation: { front: { blockedUserAgents: ["nikto", 'x" 0; default 1; "y'] } },
    code: "nginx/user-agent-pattern-invalid",
    construct: "cluster/web",
    field: "blockedUserAgents[1]",
    says: "end the quoted map key",
  },
  {
    name: "a user-agent pattern that does not compile",
    variation: { front: { blockedUserAgents: ["(unclosed"] } },
    code: "nginx/user-agent-pattern-invalid",
    construct: "cluster/web",
    field: "blockedUserAgents[0]",
    says: "not a valid regular expression",
  },
  {
    name: "an empty user-agent pattern, which matches every visitor",
    variation: { front: { blockedUserAgents: [""] } },
    code: "nginx/user-agent-pattern-invalid",
    construct: "cluster/web",
    field: "blockedUserAgents[0]",
    says: "every visitor",
  },
  {
    name: "a user-agent pattern ending in a backslash",
    variation: { front: { blockedUserAgents: ["bot\\"] } },
    code: "nginx/user-agent-pattern-invalid",
    construct: "cluster/web",
    field: "blockedUserAgents[0]",
    says: "backslash",
  },
  // 5. counts
  {
    name: "a php port that is not a number (untyped config)",
    variation: { front: { phpPort: untyped("9000; x") } },
    code: "nginx/port-out-of-range",
    construct: "cluster/web",
    field: "phpPort",
  },
  {
    name: "a php port above 65535",
    variation: { front: { phpPort: 70000 } },
    code: "nginx/port-out-of-range",
    construct: "cluster/web",
    field: "phpPort",
  },
  {
    name: "no nginx replicas",
    variation: { front: { replicas: 0 } },
    code: "nginx/no-replicas",
    construct: "cluster/web",
    field: "replicas",
  },
  {
    name: "an nginx layout port of 0 (the Service's target port)",
    variation: { front: { layout: { httpPort: 0 } } },
    code: "schema/out-of-range",
    construct: "cluster/front/nginx",
    field: "ports[0].target",
  },
  {
    name: "an XtraDB max_connections that is not a number (untyped config)",
    variation: { xtradb: { maxConnections: untyped("many") } },
    code: "xtradb/max-connections-invalid",
    construct: "cluster/xtradb",
    field: "maxConnections",
    says: "max_connections=many",
  },
  {
    name: "an XtraDB max_connections of NaN",
    variation: { xtradb: { maxConnections: Number.NaN } },
    code: "xtradb/max-connections-invalid",
    construct: "cluster/xtradb",
    field: "maxConnections",
  },
  {
    name: "an XtraDB max_connections of 0",
    variation: { xtradb: { maxConnections: 0 } },
    code: "xtradb/max-connections-invalid",
    construct: "cluster/xtradb",
    field: "maxConnections",
  },
  {
    name: "an XtraDB cluster without nodes",
    variation: { xtradb: { nodes: [], arbitrator: undefined } },
    code: "xtradb/no-nodes",
    construct: "cluster/xtradb",
    field: "nodes",
  },
  {
    name: "a negative ProxySQL per-backend limit",
    variation: { proxysql: { maxConnectionsPerBackend: -1 } },
    code: "proxysql/max-connections-per-backend-invalid",
    construct: "cluster/proxysql",
    field: "maxConnectionsPerBackend",
    says: "max_connections=-1",
  },
  {
    name: "a fractional ProxySQL per-backend limit",
    variation: { proxysql: { maxConnectionsPerBackend: 2.5 } },
    code: "proxysql/max-connections-per-backend-invalid",
    construct: "cluster/proxysql",
    field: "maxConnectionsPerBackend",
  },
  {
    name: "no ProxySQL replicas",
    variation: { proxysql: { replicas: 0 } },
    code: "proxysql/no-replicas",
    construct: "cluster/proxysql",
    field: "replicas",
  },
  {
    name: "negative ProxySQL replicas (the Service's schema)",
    variation: { proxysql: { replicas: -1 } },
    code: "schema/no-matching-form",
    construct: "cluster/db/proxysql",
    field: "replicas",
  },
  {
    name: "a ProxySQL server version that closes its quoted string",
    variation: { proxysql: { serverVersion: '8.0"\nmax_connections=1' } },
    code: "proxysql/server-version-invalid",
    construct: "cluster/proxysql",
    field: "serverVersion",
  },
  {
    name: "a negative CA validity",
    variation: { pki: { validityDays: -5 } },
    code: "certificate/validity-not-positive",
    construct: "cluster/pki/docker-api",
    field: "validityDays",
  },
  {
    name: "a certificate validity of NaN days",
    variation: { pki: { certificateValidityDays: Number.NaN } },
    code: "certificate/validity-not-positive",
    construct: "cluster/pki/docker-api",
    field: "certificateValidityDays",
  },
  {
    name: "an overlay MTU of 0 (the model's schema)",
    variation: { extra: (c) => new OverlayNetwork(c, "tiny", { subnet: "192.168.30.0/24", mtu: 0 }) },
    code: "schema/out-of-range",
    construct: "cluster/tiny",
    field: "mtu",
  },
  {
    name: "negative Service replicas (the model's schema)",
    variation: { extra: (c) => new Service(new Stack(c, "misc"), "api", { image: "nginx:1.27-alpine", replicas: -1 }) },
    code: "schema/no-matching-form",
    construct: "cluster/misc/api",
    field: "replicas",
  },
];

/** A generator that records whether synthesis got as far as generating anything. */
function spy(): Generator & { ran: boolean } {
  const generator = {
    name: "spy",
    ran: false,
    generate() {
      generator.ran = true;
      return [];
    },
  };
  return generator;
}

async function failure(c: Cluster): Promise<{ error: unknown; generated: boolean }> {
  const watcher = spy();
  const error = await Testing.synthResult(c, { generators: [watcher, ...GENERATORS] }).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  return { error, generated: watcher.ran };
}

describe("values refused before any generator runs", () => {
  it("builds the unvaried cluster without a problem (every row changes one thing)", async () => {
    const result = await Testing.synthResult(cluster());
    expect(result.problems.filter((p) => p.origin === "model")).toEqual([]);
  });

  it.each(rows)("$name: $code on $construct `$field`", async (row) => {
    const { error, generated } = await failure(cluster(row.variation));
    expect(error).toBeInstanceOf(ConfigError);
    expect(generated).toBe(false);
    const problems = (error as ConfigError).problems;
    const found = problems.find((p) => p.code === row.code && p.construct === row.construct && p.field === row.field);
    expect(found, JSON.stringify(problems.map(({ code, construct, field }) => ({ code, construct, field })))).toBeDefined();
    const problem = found as Problem;
    expect(problem.severity).toBe("error");
    expect(problem.hint).toBeTruthy();
    if (row.says) expect(`${problem.message}\n${problem.hint}`).toContain(row.says);
  });
});

describe("ProxySQL's derived per-member limit", () => {
  it("warns, naming the numbers, when (maxConnections − 10) ÷ tasks falls below 1", async () => {
    // 3 ProxySQL tasks (one per app node) share 12 − 10 = 2 connections per member.
    const result = await Testing.synthResult(cluster({ xtradb: { maxConnections: 12 } }));
    const warning = result.problems.find((p) => p.code === "proxysql/backend-limit-starved");
    expect(warning).toMatchObject({ severity: "warning", construct: "cluster/proxysql", field: "maxConnectionsPerBackend" });
    expect(warning?.message).toContain("(max_connections 12 − 10 reserved) ÷ 3 ProxySQL tasks is 0.67");
    expect(warning?.message).toContain("together they may open 3 where the members leave them 2");
  });

  it("stays quiet when the share goes round, or when the limit is given", async () => {
    const enough = await Testing.synthResult(cluster({ xtradb: { maxConnections: 13 } }));
    expect(enough.problems.map((p) => p.code)).not.toContain("proxysql/backend-limit-starved");
    const given = await Testing.synthResult(cluster({ xtradb: { maxConnections: 12 }, proxysql: { maxConnectionsPerBackend: 1 } }));
    expect(given.problems.map((p) => p.code)).not.toContain("proxysql/backend-limit-starved");
  });
});
