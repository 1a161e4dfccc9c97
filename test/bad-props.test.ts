import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, formatProblem, type Problem } from "../src/core/problems.js";
import {
  Certificate,
  CertificateAuthority,
  Cluster,
  ClusterPki,
  DockerHost,
  EtcdCluster,
  FrontProxy,
  HostFile,
  HostFirewall,
  Monitoring,
  Node,
  OverlayNetwork,
  ProxySql,
  Secret,
  Service,
  Site,
  Stack,
  StackConfig,
  SystemdUnit,
  Testing,
  XtraDbCluster,
} from "../src/index.js";
import type { Construct } from "constructs";
import { ClusterConstruct } from "../src/model/base.js";
import { closestKey, propsShape } from "../src/model/props-shape.js";
import { repoRoot, runCli } from "./helpers/cli.js";

/** An untyped value, as a config reaches the build once esbuild has stripped its types. */
const untyped = <T>(value: unknown): T => value as T;

/** A complete small cluster (the reference's shape): every family's construct can be added to it. */
function base() {
  const cluster = Testing.cluster({ nodes: { front: 2, app: 3, proxy: 1, db: 2 } });
  const node = (hostname: string): Node => cluster.nodes.find((candidate) => candidate.hostname === hostname) as Node;
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const site = new Site(cluster, "www", { domains: ["example.org"] });
  const phpStack = new Stack(cluster, "php");
  const php = new Service(phpStack, "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  const secret = (name: string): Secret => new Secret(cluster, name, { description: name });
  const db = new Stack(cluster, "db");
  const frontProxyProps = {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [appnet],
    php,
    image: "registry.internal:5000/nginx-waf:1.26",
  };
  const xtradbProps = {
    stack: db,
    network: dbnet,
    nodes: [node("sw-db-1"), node("sw-db-2")],
    arbitrator: node("sw-proxy-1"),
    rootPassword: secret("mysql_root_password"),
  };
  const proxySqlProps = (database: XtraDbCluster) => ({
    stack: db,
    networks: [dbnet],
    database,
    placement: { tier: "proxy" as const },
    credentials: { admin: secret("proxysql_admin"), monitor: secret("proxysql_monitor"), users: secret("proxysql_users") },
  });
  return { cluster, node, appnet, dbnet, site, phpStack, php, secret, db, frontProxyProps, xtradbProps, proxySqlProps };
}

type Base = ReturnType<typeof base>;

/** Every problem a build of the cluster reports; none of them may be a JavaScript error. */
async function problemsOf(cluster: Cluster): Promise<readonly Problem[]> {
  try {
    await Testing.synthResult(cluster);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error("the build succeeded");
}

/** What a person must never read: JavaScript error text and stack frames. */
const JS_ERROR_TEXT = [/TypeError/, /Cannot read properties/, /undefined is not/, /\bat \S+ \(/, /^\s*at /m, /\.mjs\b/];

function expectNoJsErrorText(text: string): void {
  for (const pattern of JS_ERROR_TEXT) expect(text).not.toMatch(pattern);
}

interface Row {
  readonly name: string;
  readonly build: (b: Base) => void;
  readonly code: string;
  readonly construct: string;
  readonly field: string;
  /** Words the message must contain. */
  readonly says?: string;
}

const rows: Row[] = [
  // An unknown prop, on constructs of the core and of the families, nested shapes included.
  {
    name: "Node publicIP",
    build: ({ cluster }) => new Node(cluster, "sw-x", untyped({ tier: "app", privateIp: "10.10.1.99", publicIP: "203.0.113.99" })),
    code: "props/unknown",
    construct: "cluster/sw-x",
    field: "publicIP",
    says: "unknown prop `publicIP`: did you mean `publicIp`?",
  },
  {
    name: "Service replica",
    build: ({ phpStack }) => new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", replica: 2 })),
    code: "props/unknown",
    construct: "cluster/php/cron",
    field: "replica",
    says: "did you mean `replicas`?",
  },
  {
    name: "Service placement tiers",
    build: ({ phpStack }) => new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", placement: { tiers: "app" } })),
    code: "props/unknown",
    construct: "cluster/php/cron",
    field: "placement.tiers",
    says: "`placement` has no key `tiers`: did you mean `tier`?",
  },
  {
    name: "Service ports[0] publsihed",
    build: ({ phpStack }) =>
      new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", ports: [{ publsihed: 8080, published: 8080, target: 80 }] })),
    code: "props/unknown",
    construct: "cluster/php/cron",
    field: "ports[0].publsihed",
    says: "did you mean `published`?",
  },
  {
    name: "Service healthcheck startperiod",
    build: ({ phpStack }) =>
      new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", healthcheck: { test: ["CMD", "true"], startperiod: "1m" } })),
    code: "props/unknown",
    construct: "cluster/php/cron",
    field: "healthcheck.startperiod",
    says: "did you mean `startPeriod`?",
  },
  {
    name: "FrontProxy clientMaxBodysize",
    build: ({ cluster, frontProxyProps }) =>
      new FrontProxy(cluster, "front-proxy", untyped({ ...frontProxyProps, clientMaxBodysize: "64m" })),
    code: "props/unknown",
    construct: "cluster/front-proxy",
    field: "clientMaxBodysize",
    says: "did you mean `clientMaxBodySize`?",
  },
  {
    name: "FrontProxy layout httpport",
    build: ({ cluster, frontProxyProps }) =>
      new FrontProxy(cluster, "front-proxy", untyped({ ...frontProxyProps, layout: { httpport: 8080 } })),
    code: "props/unknown",
    construct: "cluster/front-proxy",
    field: "layout.httpport",
    says: "`layout` has no key `httpport`: did you mean `httpPort`?",
  },
  {
    name: "XtraDbCluster rootPasword",
    build: ({ cluster, xtradbProps }) => {
      const { rootPassword, ...rest } = xtradbProps;
      new XtraDbCluster(cluster, "xtradb", untyped({ ...rest, rootPasword: rootPassword }));
    },
    code: "props/unknown",
    construct: "cluster/xtradb",
    field: "rootPasword",
    says: "did you mean `rootPassword`?",
  },
  {
    name: "XtraDbCluster database passwrd",
    build: ({ cluster, xtradbProps, secret }) =>
      new XtraDbCluster(
        cluster,
        "xtradb",
        untyped({ ...xtradbProps, database: { name: "wp", user: "wp", passwrd: secret("wp_password") } }),
      ),
    code: "props/unknown",
    construct: "cluster/xtradb",
    field: "database.passwrd",
    says: "did you mean `password`?",
  },
  {
    name: "ProxySql credentials monitr",
    build: ({ cluster, xtradbProps, proxySqlProps, secret }) => {
      const props = proxySqlProps(new XtraDbCluster(cluster, "xtradb", xtradbProps));
      new ProxySql(cluster, "proxysql", untyped({ ...props, credentials: { ...props.credentials, monitr: secret("extra") } }));
    },
    code: "props/unknown",
    construct: "cluster/proxysql",
    field: "credentials.monitr",
    says: "did you mean `monitor`?",
  },
  {
    name: "Monitoring scrapeIntervall",
    build: ({ cluster, appnet }) =>
      new Monitoring(cluster, "monitoring", untyped({ stack: new Stack(cluster, "stats"), network: appnet, scrapeIntervall: "30s" })),
    code: "props/unknown",
    construct: "cluster/monitoring",
    field: "scrapeIntervall",
    says: "did you mean `scrapeInterval`?",
  },
  {
    name: "EtcdCluster member",
    build: ({ cluster, node }) => new EtcdCluster(cluster, "etcd", untyped({ members: [node("sw-node-1")], member: node("sw-node-2") })),
    code: "props/unknown",
    construct: "cluster/etcd",
    field: "member",
    says: "did you mean `members`?",
  },
  {
    name: "HostFirewall allowSSH",
    build: ({ cluster }) => new HostFirewall(cluster, "firewall", untyped({ allowSSH: ["192.0.2.0/24"] })),
    code: "props/unknown",
    construct: "cluster/firewall",
    field: "allowSSH",
    says: "did you mean `allowSsh`?",
  },
  {
    name: "Stack given props",
    build: ({ cluster }) => new Stack(cluster, "tools", untyped({ name: "tools" })),
    code: "props/unknown",
    construct: "cluster/tools",
    field: "name",
    says: "unknown prop `name`",
  },
  {
    name: "a key far from every prop: no suggestion, the list of props",
    build: ({ cluster }) => new OverlayNetwork(cluster, "mgmt", untyped({ subnet: "192.168.19.0/24", vlan: 12 })),
    code: "props/unknown",
    construct: "cluster/mgmt",
    field: "vlan",
    says: "unknown prop `vlan`",
  },

  // Props that are not what the constructor can read: recorded, never a crash.
  {
    name: "new Node(cluster, x, null)",
    build: ({ cluster }) => new Node(cluster, "x", untyped(null)),
    code: "props/not-an-object",
    construct: "cluster/x",
    field: "",
    says: "the props are null, not an object",
  },
  {
    name: "XtraDbCluster without rootPassword",
    build: ({ cluster, xtradbProps }) => {
      const { rootPassword: _, ...rest } = xtradbProps;
      new XtraDbCluster(cluster, "xtradb", untyped(rest));
    },
    code: "props/required",
    construct: "cluster/xtradb",
    field: "rootPassword",
    says: "required prop `rootPassword` is missing",
  },
  {
    name: "XtraDbCluster tls without key",
    build: ({ cluster, xtradbProps, secret }) =>
      new XtraDbCluster(cluster, "xtradb", untyped({ ...xtradbProps, tls: { ca: secret("ca"), cert: secret("cert") } })),
    code: "props/required",
    construct: "cluster/xtradb",
    field: "tls.key",
  },
  {
    name: "ProxySql without credentials",
    build: ({ cluster, xtradbProps, proxySqlProps }) => {
      const { credentials: _, ...rest } = proxySqlProps(new XtraDbCluster(cluster, "xtradb", xtradbProps));
      new ProxySql(cluster, "proxysql", untyped(rest));
    },
    code: "props/required",
    construct: "cluster/proxysql",
    field: "credentials",
  },
  {
    name: "FrontProxy without php",
    build: ({ cluster, frontProxyProps }) => {
      const { php: _, ...rest } = frontProxyProps;
      new FrontProxy(cluster, "front-proxy", untyped(rest));
    },
    code: "props/required",
    construct: "cluster/front-proxy",
    field: "php",
  },
  {
    name: 'Service ports: "80"',
    build: ({ phpStack }) => new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", ports: "80" })),
    code: "props/not-a-list",
    construct: "cluster/php/cron",
    field: "ports",
    says: '"80" is not a list',
  },
  {
    name: "Service networks: one network, not a list",
    build: ({ phpStack, appnet }) => new Service(phpStack, "cron", untyped({ image: "wordpress:6.6-cli", networks: appnet })),
    code: "props/not-a-list",
    construct: "cluster/php/cron",
    field: "networks",
    says: "the construct cluster/appnet is not a list",
  },
  {
    name: "Service networks holding a network not declared",
    build: ({ cluster, phpStack }) =>
      new Service(phpStack, "cron", { image: "wordpress:6.6-cli", networks: untyped([cluster.network("nope")]) }),
    code: "props/missing-item",
    construct: "cluster/php/cron",
    field: "networks[0]",
  },
  {
    name: "EtcdCluster without members",
    build: ({ cluster }) => new EtcdCluster(cluster, "etcd", untyped({})),
    code: "props/required",
    construct: "cluster/etcd",
    field: "members",
  },
  {
    name: "Monitoring without its stack",
    build: ({ cluster, appnet }) => new Monitoring(cluster, "monitoring", untyped({ network: appnet })),
    code: "props/required",
    construct: "cluster/monitoring",
    field: "stack",
  },
  {
    name: "DockerHost nodes: one node",
    build: ({ cluster, node }) => new DockerHost(cluster, "docker", untyped({ nodes: node("sw-node-1") })),
    code: "props/not-a-list",
    construct: "cluster/docker",
    field: "nodes",
  },
];

describe("props the constructs do not know, or cannot read", () => {
  it.each(rows)("$name: $code on $construct `$field`", async (row) => {
    const b = base();
    row.build(b);
    const problems = await problemsOf(b.cluster);
    const found = problems.find((p) => p.code === row.code && p.construct === row.construct && p.field === row.field);
    expect(found, problems.map((problem) => formatProblem(problem)).join("\n")).toBeDefined();
    if (row.says) expect(found?.message).toContain(row.says);
    expect(found?.hint).not.toBe("");
    for (const reported of problems) expectNoJsErrorText(formatProblem(reported));
  });

  it("refuses an unknown prop on every construct of the library", async () => {
    const b = base();
    const { cluster, node, secret, phpStack, appnet } = b;
    const typo = <T extends object>(props: T): T => untyped({ ...props, typo: true });
    const ca = new CertificateAuthority(cluster, "extra-ca", typo({ commonName: "Extra CA" }));
    new Certificate(ca, "extra", typo({ commonName: "extra", usages: ["client"] }));
    new HostFile(node("sw-node-1"), "motd", typo({ path: "/etc/motd", contents: "hi\n" }));
    new SystemdUnit(node("sw-node-1"), "hello.service", typo({ contents: "[Unit]\n" }));
    new StackConfig(phpStack, "php.ini", typo({ contents: "" }));
    new Secret(cluster, "token", typo({ description: "token" }));
    new Site(cluster, "blog", typo({ domains: ["blog.example.org"] }));
    new OverlayNetwork(cluster, "mgmt", typo({ subnet: "192.168.19.0/24" }));
    new Stack(cluster, "tools", typo({}));
    new Service(phpStack, "cron", typo({ image: "wordpress:6.6-cli" }));
    new FrontProxy(cluster, "front-proxy", typo(b.frontProxyProps));
    const xtradb = new XtraDbCluster(cluster, "xtradb", typo(b.xtradbProps));
    new ProxySql(cluster, "proxysql", typo(b.proxySqlProps(xtradb)));
    new Monitoring(cluster, "monitoring", typo({ stack: new Stack(cluster, "stats"), network: appnet }));
    new EtcdCluster(cluster, "etcd", typo({ members: [node("sw-node-1"), node("sw-node-2"), node("sw-node-3")] }));
    new DockerHost(cluster, "docker", typo({}));
    new HostFirewall(cluster, "firewall", typo({}));
    new ClusterPki(cluster, "pki", typo({}));
    void secret;
    const other = new Cluster(typo({ name: "other", privateNetwork: "10.0.0.0/24", domain: "o.internal", sshAuthorizedKeys: [] }));

    const refused = (await problemsOf(cluster)).filter((p) => p.code === "props/unknown" && p.field === "typo").map((p) => p.construct);
    expect(refused.sort()).toEqual(
      [
        "cluster/extra-ca",
        "cluster/extra-ca/extra",
        "cluster/sw-node-1/motd",
        "cluster/sw-node-1/hello.service",
        "cluster/php/php.ini",
        "cluster/token",
        "cluster/blog",
        "cluster/mgmt",
        "cluster/tools",
        "cluster/php/cron",
        "cluster/front-proxy",
        "cluster/xtradb",
        "cluster/proxysql",
        "cluster/monitoring",
        "cluster/etcd",
        "cluster/docker",
        "cluster/firewall",
        "cluster/pki",
      ].sort(),
    );
    expect((await problemsOf(other)).map((p) => `${p.code} ${p.construct} ${p.field}`)).toContain("props/unknown cluster typo");
  });

  it("reports malformed props once, not again as the schema's missing values", async () => {
    const { cluster } = base();
    new Node(cluster, "x", untyped(null));
    const onNode = (await problemsOf(cluster)).filter((p) => p.construct === "cluster/x").map((p) => p.code);
    expect(onNode).toEqual(["props/not-an-object"]);
  });

  it("a construct of the user's that trips over a missing prop while preparing reports the prop, not the crash", async () => {
    interface BackupProps {
      readonly target: Node;
      readonly schedule?: string;
    }
    const BACKUP_PROPS = propsShape<BackupProps>()({ target: "required", schedule: "optional" });
    class Backup extends ClusterConstruct {
      private readonly props: BackupProps;
      constructor(scope: Construct, id: string, props: BackupProps) {
        super(scope, id);
        this.props = this.acceptProps(props, BACKUP_PROPS);
      }
      prepare(): void {
        new HostFile(this.props.target, `backup-${this.props.target.hostname}`, {
          path: "/etc/backup",
          contents: this.props.schedule ?? "daily",
        });
      }
    }
    const { cluster } = base();
    new Backup(cluster, "backup", untyped({ schedul: "hourly" }));
    const problems = await problemsOf(cluster);
    expect(problems.map((p) => `${p.code} ${p.construct} ${p.field}`).sort()).toEqual([
      "props/required cluster/backup target",
      "props/unknown cluster/backup schedul",
    ]);
  });

  it("suggests a key only when it is near enough to be a typo", () => {
    expect(closestKey("publicIP", ["privateIp", "publicIp"])).toBe("publicIp");
    expect(closestKey("replica", ["replicas", "image"])).toBe("replicas");
    expect(closestKey("vlan", ["subnet", "mtu", "encrypted"])).toBeUndefined();
    expect(closestKey("image", ["mode", "name"])).toBeUndefined();
  });
});

const fixtures = path.join(repoRoot, "test/fixtures/bad");

/** 1-based line of the last line of the fixture containing `text`. */
function lineOf(fixture: string, text: string): number {
  const lines = readFileSync(path.join(fixtures, `${fixture}.config.ts`), "utf8").split("\n");
  const index = lines.findLastIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${fixture}.config.ts has no line containing ${text}`);
  return index + 1;
}

interface CliRow {
  /** Fixture name: test/fixtures/bad/<name>.config.ts. */
  readonly fixture: string;
  readonly code: string;
  /** `construct (field \`f\`)` as printed; a problem of the config as a whole names neither. */
  readonly subject: string;
  readonly says: string;
  /** Text of the line at fault; its last occurrence in the fixture is the line the error must point at. */
  readonly declaredBy: string;
}

const cliRows: CliRow[] = [
  {
    fixture: "unknown-prop",
    code: "props/unknown",
    subject: "cluster/sw-front-1 (field `publicIP`)",
    says: "unknown prop `publicIP`: did you mean `publicIp`?",
    declaredBy: 'new Node(cluster, "sw-front-1"',
  },
  {
    fixture: "unknown-prop",
    code: "props/unknown",
    subject: "cluster/front-proxy (field `layout.httpport`)",
    says: "`layout` has no key `httpport`: did you mean `httpPort`?",
    declaredBy: 'new FrontProxy(cluster, "front-proxy"',
  },
  {
    fixture: "unknown-prop",
    code: "props/not-a-list",
    subject: "cluster/web/api (field `ports`)",
    says: '"80" is not a list',
    declaredBy: 'new Service(web, "api"',
  },
  {
    fixture: "node-props-null",
    code: "props/not-an-object",
    subject: "cluster/x:",
    says: "the props are null, not an object",
    declaredBy: 'new Node(cluster, "x"',
  },
  {
    fixture: "xtradb-without-root-password",
    code: "props/required",
    subject: "cluster/xtradb (field `rootPassword`)",
    says: "required prop `rootPassword` is missing",
    declaredBy: 'new XtraDbCluster(cluster, "xtradb"',
  },
  {
    fixture: "config-throws",
    code: "config/threw",
    subject: "",
    says: "the config stopped with an exception at this line",
    declaredBy: "domains: site.domains.map",
  },
];

describe("swarm-cluster build on a config with bad props", () => {
  let work: string;
  const results = new Map<string, ReturnType<typeof runCli> & { outFiles: string[] }>();

  beforeAll(() => {
    work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-bad-props-"));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  /** Each fixture is built once, into an empty out/ that must stay empty. */
  function build(fixture: string) {
    const cached = results.get(fixture);
    if (cached) return cached;
    const out = path.join(work, fixture, "out");
    mkdirSync(out, { recursive: true });
    const result = runCli(["build", "--config", path.join("test/fixtures/bad", `${fixture}.config.ts`), "--out", out]);
    const entry = { ...result, outFiles: readdirSync(out) };
    results.set(fixture, entry);
    return entry;
  }

  it.each(cliRows)("$fixture: $code at $declaredBy", (row) => {
    const result = build(row.fixture);
    expect(result.status, result.stderr).toBe(1);
    const line = lineOf(row.fixture, row.declaredBy);
    const subject = row.subject ? `${row.subject}${row.subject.endsWith(":") ? "" : ":"} ` : "";
    expect(result.stderr).toContain(`${row.fixture}.config.ts:${line}:`);
    const reported = result.stderr
      .split("\n")
      .find((text) => text.startsWith(`${row.fixture}.config.ts:${line}:`) && text.includes(` error ${row.code}: ${subject}`));
    expect(reported, result.stderr).toBeDefined();
    expect(reported).toContain(row.says);
    expectNoJsErrorText(result.stderr);
    expect(result.outFiles).toEqual([]);
  });

  it("reports every bad prop of a config at once", () => {
    const result = build("unknown-prop");
    expect(result.stderr).toContain("3 problem(s)");
  });

  it("keeps the exception's own text for SWARM_CLUSTER_DEBUG=1 only", () => {
    const plain = build("config-throws");
    expect(plain.stderr).not.toContain("Cannot read properties");
    const debug = runCli(["build", "--config", "test/fixtures/bad/config-throws.config.ts", "--out", path.join(work, "debug-out")], {
      env: { SWARM_CLUSTER_DEBUG: "1" },
    });
    expect(debug.status).toBe(1);
    expect(debug.stderr).toContain("TypeError");
  });

  it("shows the text of an error the config throws on purpose", () => {
    const result = build("config-refuses");
    expect(result.status, result.stderr).toBe(1);
    const line = lineOf("config-refuses", "throw new Error");
    expect(result.stderr).toContain(`config-refuses.config.ts:${line}:`);
    expect(result.stderr).toContain("error config/threw: the config stopped with an exception at this line: set SITE_DOMAIN");
  });
});
