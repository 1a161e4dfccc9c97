import { readFileSync } from "node:fs";
import { Construct } from "constructs";
import { describe, expect, it } from "vitest";
import { ConfigError } from "../src/core/problems.js";
import { Certificate, CertificateAuthority, Cluster, Node, OverlayNetwork, Secret, Service, Site, Stack, Testing } from "../src/index.js";
import { ClusterConstruct } from "../src/model/base.js";
import type { ServiceProps } from "../src/model/stack.js";
import { locateDocumentPath } from "../src/validate/document-path.js";
import { duplicateIdProblem } from "../src/validate/duplicate-id.js";
import { validateModel } from "../src/validate/index.js";
import { generateModelFiles } from "../src/validate/model-schema-generate.js";
import { MESSAGES } from "../src/validate/messages.js";
import type { MajorityGroup } from "../src/validate/quorum-group.js";

const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@test";

/** A small valid cluster every row starts from: two fronts, three app managers, one overlay, one stack. */
function base() {
  const cluster = new Cluster({ name: "test", privateNetwork: "10.10.1.0/24", domain: "swarm.internal", sshAuthorizedKeys: [KEY] });
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11" });
  new Node(cluster, "sw-front-2", { tier: "front", privateIp: "10.10.1.12", publicIp: "203.0.113.12" });
  const app = ["sw-node-1", "sw-node-2", "sw-node-3"].map(
    (hostname, i) => new Node(cluster, hostname, { tier: "app", privateIp: `10.10.1.2${i + 1}`, swarmRole: "manager" }),
  );
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const stack = new Stack(cluster, "web");
  const service = (name: string, props: Partial<ServiceProps> = {}): Service =>
    new Service(stack, name, { image: "nginx:1.27-alpine", networks: [appnet], ...props });
  return { cluster, app, appnet, stack, service };
}

type Base = ReturnType<typeof base>;

/** A majority group as EtcdCluster declares itself to validation (see src/validate/quorum-group.ts). */
class EtcdLike extends ClusterConstruct implements MajorityGroup {
  readonly majorityGroup = true;
  readonly quorumKind = "etcd";
  readonly quorumDescription = { component: "etcd", codePrefix: "etcd", addVoter: "add members" };
  constructor(
    scope: Construct,
    id: string,
    readonly members: readonly Node[],
  ) {
    super(scope, id);
  }
  get voterNodes(): readonly Node[] {
    return this.members;
  }
  voterCandidates(): readonly Node[] {
    return [];
  }
  addVotersFix(nodes: readonly Node[]): string {
    return `add ${nodes.map((node) => node.hostname).join(", ")} to members`;
  }
}

/** An untyped value, as a config reaches the build once esbuild has stripped its types. */
const untyped = <T>(value: unknown): T => value as T;

interface Row {
  readonly name: string;
  readonly build: (b: Base) => void;
  readonly code: string;
  readonly construct: string;
  readonly field: string;
  /** Words the message must contain, beyond the code. */
  readonly says?: string;
}

const rows: Row[] = [
  // schema: shape and syntax
  {
    name: "a hostname that is not an RFC 1123 label",
    build: ({ cluster }) => new Node(cluster, "Sw_Node_9", { tier: "app", privateIp: "10.10.1.29" }),
    code: "schema/pattern",
    construct: "cluster/Sw_Node_9",
    field: "hostname",
    says: "RFC 1123",
  },
  {
    name: "a published port above 65535",
    build: ({ service }) => service("web", { ports: [{ published: 70000, target: 80 }] }),
    code: "schema/out-of-range",
    construct: "cluster/web/web",
    field: "ports[0].published",
    says: "70000",
  },
  {
    name: "an MTU below the IPv4 minimum",
    build: ({ cluster }) => new OverlayNetwork(cluster, "tiny", { subnet: "192.168.30.0/24", mtu: 500 }),
    code: "schema/out-of-range",
    construct: "cluster/tiny",
    field: "mtu",
    says: "576",
  },
  {
    name: "a malformed private IP",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.256" }),
    code: "schema/format",
    construct: "cluster/sw-node-9",
    field: "privateIp",
    says: "256 is above 255",
  },
  {
    name: "a private IP with three octets",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1" }),
    code: "schema/format",
    construct: "cluster/sw-node-9",
    field: "privateIp",
    says: "3 part(s)",
  },
  {
    name: "an image reference with an uppercase name",
    build: ({ service }) => service("web", { image: "Nginx:latest" }),
    code: "schema/pattern",
    construct: "cluster/web/web",
    field: "image",
  },
  {
    name: "a memory limit with a space",
    build: ({ service }) => service("web", { memoryLimit: "128 MB" }),
    code: "schema/pattern",
    construct: "cluster/web/web",
    field: "memoryLimit",
  },
  {
    name: "an unknown tier (untyped config)",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: untyped("web"), privateIp: "10.10.1.29" }),
    code: "schema/enum",
    construct: "cluster/sw-node-9",
    field: "tier",
    says: '"front", "app", "proxy", "db"',
  },
  {
    name: "replicas that are neither a count nor one-per-node (untyped config)",
    build: ({ service }) => service("web", { replicas: untyped("two") }),
    code: "schema/no-matching-form",
    construct: "cluster/web/web",
    field: "replicas",
  },
  {
    name: "a missing private IP (untyped config)",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", untyped({ tier: "app" })),
    code: "schema/required",
    construct: "cluster/sw-node-9",
    field: "privateIp",
  },
  {
    name: "a site without domains",
    build: ({ cluster }) => new Site(cluster, "www", { domains: [] }),
    code: "schema/too-few-items",
    construct: "cluster/www",
    field: "domains",
  },
  {
    name: "a label key with a space",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.29", labels: { "has space": "x" } }),
    code: "schema/invalid-key",
    construct: "cluster/sw-node-9",
    field: "labels",
    says: '"has space"',
  },
  // node
  {
    name: "a hostname declared twice (under different parents)",
    build: ({ cluster }) => new Node(new Construct(cluster, "rack-b"), "sw-node-2", { tier: "app", privateIp: "10.10.1.32" }),
    code: "node/duplicate-hostname",
    construct: "cluster/rack-b/sw-node-2",
    field: "hostname",
    says: "cluster/sw-node-2",
  },
  {
    name: "a private IP used twice",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.22" }),
    code: "node/duplicate-private-ip",
    construct: "cluster/sw-node-9",
    field: "privateIp",
    says: "cluster/sw-node-2",
  },
  {
    name: "a public IP used twice",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.29", publicIp: "203.0.113.12" }),
    code: "node/duplicate-public-ip",
    construct: "cluster/sw-node-9",
    field: "publicIp",
  },
  {
    name: "a `type` label, which the tier sets",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.29", labels: { type: "database" } }),
    code: "node/reserved-label",
    construct: "cluster/sw-node-9",
    field: "labels.type",
    says: "type=database",
  },
  {
    name: "a private IP outside the private network",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.2.29" }),
    code: "node/private-ip-outside-network",
    construct: "cluster/sw-node-9",
    field: "privateIp",
    says: "10.10.1.0/24",
  },
  {
    name: "the broadcast address as a private IP",
    build: ({ cluster }) => new Node(cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.255" }),
    code: "node/private-ip-reserved",
    construct: "cluster/sw-node-9",
    field: "privateIp",
  },
  // network
  {
    name: "overlapping overlay subnets",
    build: ({ cluster }) => new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.17.128/25" }),
    code: "network/overlapping-subnet",
    construct: "cluster/dbnet",
    field: "subnet",
    says: "cluster/appnet",
  },
  {
    name: "an overlay overlapping the private network",
    build: ({ cluster }) => new OverlayNetwork(cluster, "dbnet", { subnet: "10.10.0.0/16" }),
    code: "network/overlaps-private-network",
    construct: "cluster/dbnet",
    field: "subnet",
  },
  {
    name: "a subnet with host bits set",
    build: ({ cluster }) => new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.20.5/24" }),
    code: "network/host-bits-set",
    construct: "cluster/dbnet",
    field: "subnet",
    says: "192.168.20.5/24",
  },
  // etcd
  {
    name: "an even number of etcd members",
    build: ({ cluster, app }) => new EtcdLike(cluster, "etcd", app.slice(0, 2)),
    code: "etcd/even-members",
    construct: "cluster/etcd",
    field: "members",
    says: "2 members",
  },
  {
    name: "an etcd member of another cluster",
    build: ({ cluster, app }) => {
      const other = new Cluster({ name: "other", privateNetwork: "10.10.1.0/24", domain: "o.internal", sshAuthorizedKeys: [] });
      new EtcdLike(cluster, "etcd", [...app.slice(0, 2), new Node(other, "sw-x", { tier: "app", privateIp: "10.10.1.99" })]);
    },
    code: "etcd/member-not-in-cluster",
    construct: "cluster/etcd",
    field: "members[2]",
  },
  // service placement
  {
    name: "a placement label no node has",
    build: ({ service }) => service("web", { placement: { labels: { gpu: "true" } } }),
    code: "service/placement-matches-no-node",
    construct: "cluster/web/web",
    field: "placement.labels.gpu",
    says: "label gpu=true",
  },
  {
    name: "a placement hostname no node has",
    build: ({ service }) => service("web", { placement: { hostname: "sw-db-9" } }),
    code: "service/placement-matches-no-node",
    construct: "cluster/web/web",
    field: "placement.hostname",
  },
  {
    name: "a tier no node is in",
    build: ({ service }) => service("web", { placement: { tier: "db" } }),
    code: "service/placement-matches-no-node",
    construct: "cluster/web/web",
    field: "placement.tier",
  },
  {
    name: "conditions each met somewhere but never together",
    build: ({ service }) => service("web", { placement: { tier: "front", role: "manager" } }),
    code: "service/placement-matches-no-node",
    construct: "cluster/web/web",
    field: "placement",
    says: "no node meets all of them",
  },
  {
    name: "replicas on a global service",
    build: ({ service }) => service("agent", { mode: "global", replicas: 2 }),
    code: "service/replicas-with-global",
    construct: "cluster/web/agent",
    field: "replicas",
  },
  // service references
  {
    name: "a network made under another Cluster",
    build: ({ service }) => {
      const other = new Cluster({ name: "other", privateNetwork: "10.20.0.0/24", domain: "o.internal", sshAuthorizedKeys: [] });
      service("web", { networks: [new OverlayNetwork(other, "backnet", { subnet: "192.168.40.0/24" })] });
    },
    code: "service/undeclared-network",
    construct: "cluster/web/web",
    field: "networks[0]",
    says: "not declared in this cluster",
  },
  {
    name: "a network of another Cluster sharing a declared name",
    build: ({ service, appnet }) => {
      const other = new Cluster({ name: "other", privateNetwork: "10.20.0.0/24", domain: "o.internal", sshAuthorizedKeys: [] });
      service("web", { networks: [appnet, new OverlayNetwork(other, "appnet", { subnet: "192.168.40.0/24" })] });
    },
    code: "service/undeclared-network",
    construct: "cluster/web/web",
    field: "networks[1]",
    says: "another Cluster",
  },
  {
    name: "two stacks' services of one name on one overlay",
    build: ({ cluster, service, appnet }) => {
      service("php");
      new Service(new Stack(cluster, "legacy"), "php", { image: "php:8.3-fpm-alpine", networks: [appnet] });
    },
    code: "service/name-shared-on-network",
    construct: "cluster/legacy/php",
    field: "name",
    says: "cluster/web/php on appnet",
  },
  {
    name: "a secret made under another Cluster",
    build: ({ service }) => {
      const other = new Cluster({ name: "other", privateNetwork: "10.20.0.0/24", domain: "o.internal", sshAuthorizedKeys: [] });
      service("web", { secrets: [new Secret(other, "db_password", { description: "x" })] });
    },
    code: "service/undeclared-secret",
    construct: "cluster/web/web",
    field: "secrets[0]",
  },
  // ports
  {
    name: "two services publishing the same ingress port",
    build: ({ service }) => {
      service("web", { ports: [{ published: 80, target: 80 }] });
      service("admin", { ports: [{ published: 80, target: 9000 }] });
    },
    code: "service/port-collision",
    construct: "cluster/web/admin",
    field: "ports[0].published",
    says: "cluster/web/web",
  },
  {
    name: "a host-mode port on nodes an ingress port already covers",
    build: ({ service }) => {
      service("web", { ports: [{ published: 9100, target: 9100 }], placement: { tier: "front" } });
      service("exporter", { ports: [{ published: 9100, target: 9100, mode: "host" }], placement: { tier: "app" } });
    },
    code: "service/port-collision",
    construct: "cluster/web/exporter",
    field: "ports[0].published",
    says: "routing mesh",
  },
  {
    name: "two host-mode ports on placements sharing nodes",
    build: ({ service }) => {
      service("a", { ports: [{ published: 8080, target: 80, mode: "host" }], placement: { tier: "app" } });
      service("b", { ports: [{ published: 8080, target: 80, mode: "host" }], placement: { role: "manager" } });
    },
    code: "service/port-collision",
    construct: "cluster/web/b",
    field: "ports[0].published",
    says: "sw-node-1, sw-node-2, sw-node-3",
  },
  // names
  {
    name: "a stack name used twice",
    build: ({ cluster }) => new Stack(new Construct(cluster, "more"), "web"),
    code: "stack/duplicate-name",
    construct: "cluster/more/web",
    field: "name",
  },
  {
    name: "a domain served by two sites",
    build: ({ cluster }) => {
      new Site(cluster, "www", { domains: ["example.org"] });
      new Site(cluster, "blog", { domains: ["blog.example.org", "example.org"] });
    },
    code: "site/duplicate-domain",
    construct: "cluster/blog",
    field: "domains[1]",
  },
  // certificates: what the PKI phase relies on, found with every other problem
  {
    name: "two certificate authorities of one trust domain (one state folder, pki/<id>/)",
    build: ({ cluster }) => {
      new CertificateAuthority(cluster, "docker-api", { commonName: "first" });
      new CertificateAuthority(new Construct(cluster, "elsewhere"), "docker-api", { commonName: "second" });
    },
    code: "pki/duplicate-domain",
    construct: "cluster/elsewhere/docker-api",
    field: "",
  },
  {
    name: "a certificate authority whose id cannot name a folder",
    build: ({ cluster }) => {
      new CertificateAuthority(cluster, "Docker API", { commonName: "spaced" });
    },
    code: "pki/domain-name",
    construct: "cluster/Docker API",
    field: "",
  },
  {
    name: "a certificate named like the CA's own files",
    build: ({ cluster }) => {
      const authority = new CertificateAuthority(cluster, "authority", { commonName: "test CA" });
      new Certificate(authority, "ca", { commonName: "ca", usages: ["client"] });
    },
    code: "pki/reserved-name",
    construct: "cluster/authority/ca",
    field: "",
  },
];

describe("validateModel: one row per bad input", () => {
  it("finds nothing wrong with the base cluster", () => {
    expect(validateModel(base().cluster)).toEqual([]);
  });

  it.each(rows)("$name → $code", (row) => {
    const b = base();
    row.build(b);
    const problems = validateModel(b.cluster);
    expect(problems.map((p) => [p.code, p.construct, p.field])).toEqual([[row.code, row.construct, row.field]]);
    const [found] = problems;
    expect(found?.hint).not.toBe("");
    if (row.says) expect(found?.message).toContain(row.says);
  });

  it("lets ports through that do not collide: other protocol, host mode on disjoint nodes", () => {
    const b = base();
    b.service("dns", { ports: [{ published: 53, target: 53, protocol: "udp" }] });
    b.service("dns-tcp", { ports: [{ published: 53, target: 53 }] });
    b.service("front-probe", { ports: [{ published: 9200, target: 9200, mode: "host" }], placement: { tier: "front" } });
    b.service("app-probe", { ports: [{ published: 9200, target: 9200, mode: "host" }], placement: { tier: "app" } });
    expect(validateModel(b.cluster)).toEqual([]);
  });

  it("accepts an odd etcd membership", () => {
    const b = base();
    new EtcdLike(b.cluster, "etcd", b.app);
    expect(validateModel(b.cluster)).toEqual([]);
  });
});

describe("reporting", () => {
  it("reports every problem at once, sorted by construct path when there are no config locations", () => {
    const b = base();
    b.service("web", { placement: { tier: "db" }, ports: [{ published: 70000, target: 80 }] });
    new Node(b.cluster, "sw-node-9", { tier: "app", privateIp: "10.10.2.9" });
    new OverlayNetwork(b.cluster, "dbnet", { subnet: "192.168.17.0/24" });
    expect(validateModel(b.cluster).map((p) => `${p.construct} ${p.field} ${p.code}`)).toEqual([
      "cluster/dbnet subnet network/overlapping-subnet",
      "cluster/sw-node-9 privateIp node/private-ip-outside-network",
      "cluster/web/web placement.tier service/placement-matches-no-node",
      "cluster/web/web ports[0].published schema/out-of-range",
    ]);
  });

  it("stops synthesis with a ConfigError that carries them all", async () => {
    const b = base();
    new Node(b.cluster, "sw-node-9", { tier: "app", privateIp: "10.10.1.21" });
    new OverlayNetwork(b.cluster, "dbnet", { subnet: "10.10.1.0/25" });
    const failure = await Testing.synthResult(b.cluster, { generators: [] }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ConfigError);
    expect((failure as ConfigError).problems.map((p) => p.code).sort()).toEqual([
      "network/overlaps-private-network",
      "node/duplicate-private-ip",
    ]);
    expect((failure as ConfigError).message).toContain("fix: ");
  });

  it("has a fix for every message in the catalogue, and each code names its topic", () => {
    for (const [code, entry] of Object.entries(MESSAGES)) {
      expect(code).toMatch(
        /^(schema|props|config|construct|cluster|node|network|etcd|galera|service|stack|secret|site|certificate)\/[a-z-]+$/,
      );
      expect(entry.hint).toBeTruthy();
    }
  });
});

describe("a construct id declared twice in one scope", () => {
  it("becomes a Problem on the second declaration, naming the field the id stands for", () => {
    const b = base();
    let thrown: unknown;
    try {
      new Node(b.cluster, "sw-node-2", { tier: "app", privateIp: "10.10.1.29" });
    } catch (error) {
      thrown = error;
    }
    const found = duplicateIdProblem(thrown, undefined);
    expect([found?.code, found?.construct, found?.field]).toEqual(["construct/duplicate-id", "cluster/sw-node-2", "hostname"]);
    expect(found?.message).toContain('"sw-node-2"');
  });

  it("leaves other exceptions alone", () => {
    expect(duplicateIdProblem(new TypeError("x is not a function"), undefined)).toBeUndefined();
  });
});

describe("document paths back to constructs", () => {
  it.each([
    ["/cluster/privateNetwork", "cluster", "privateNetwork"],
    ["/nodes/2/privateIp", "cluster/sw-node-1", "privateIp"],
    ["/nodes/0/labels/type", "cluster/sw-front-1", "labels.type"],
    ["/networks/0/subnet", "cluster/appnet", "subnet"],
    ["/stacks/0/name", "cluster/web", "name"],
    ["/stacks/0/services/1/ports/0/published", "cluster/web/admin", "ports[0].published"],
    ["/stacks/0/services/0", "cluster/web/web", ""],
    ["/nodes/99/privateIp", "cluster", "nodes[99].privateIp"],
    ["", "cluster", ""],
  ])("%s → %s `%s`", (pointer, construct, field) => {
    const b = base();
    b.service("web");
    b.service("admin");
    const target = locateDocumentPath(b.cluster, pointer);
    expect([target.construct.path, target.field]).toEqual([construct, field]);
  });
});

describe("the model schema", () => {
  it("is derived from model-document.ts: the committed schema and validator are what `import` generates", () => {
    for (const [name, text] of generateModelFiles()) {
      expect(
        readFileSync(new URL(`../src/imports/${name}`, import.meta.url), "utf8"),
        `src/imports/${name} is stale: run swarm-cluster import`,
      ).toBe(text);
    }
  });

  it("keeps the build path free of the schema generator and of ajv's compiler", () => {
    // Static imports reachable from the validation entry point, following relative modules.
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (url: URL): void => {
      if (seen.has(url.href)) return;
      seen.add(url.href);
      const source = readFileSync(url, "utf8");
      for (const match of source.matchAll(/^import (?!type )[^;]*?from "([^"]+)";/gms)) {
        const specifier = match[1] ?? "";
        if (specifier.startsWith(".")) visit(new URL(specifier.replace(/\.js$/, ".ts"), url));
        else packages.add(specifier);
      }
    };
    visit(new URL("../src/validate/index.ts", import.meta.url));
    expect(seen.has(new URL("../src/imports/model-validator.ts", import.meta.url).href)).toBe(true);
    expect([...packages].filter((name) => /ajv|ts-json-schema-generator|typescript|esbuild/.test(name))).toEqual([]);
  });
});

describe("checks a construct registers on itself", () => {
  it("are reported with the construct's path, like any other problem", () => {
    const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [] });
    new Node(cluster, "m1", { tier: "app", privateIp: "10.0.0.10", swarmRole: "manager" });
    const stack = new Stack(cluster, "s");
    stack.node.addValidation({ validate: () => ["needs at least one service"] });
    const problems = validateModel(cluster).filter((p) => p.code === "construct/own-check");
    expect(problems).toEqual([expect.objectContaining({ construct: "cluster/s", message: "needs at least one service" })]);
  });
});
