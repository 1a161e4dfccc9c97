import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { pkiGenerator } from "../../generators/pki/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { Cluster, ClusterPki, EtcdCluster, Node, Testing } from "../../src/index.js";
import { canonicalIp } from "../../src/core/ip.js";
import { resolvePki } from "../../src/pki/resolve.js";
import { synthesize, type SynthResult } from "../../src/synth/synthesize.js";
import { writeOutAtomically, writeStateFiles } from "../../src/synth/write-out.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { selfSignedPair } from "../helpers/test-certificates.js";

/** The cluster under test; each field can be changed to play a config edit. */
interface Spec {
  readonly domain: string;
  readonly nodes: readonly (readonly [hostname: string, privateIp: string, publicIp?: string])[];
  /** The cluster's name, which every CA's common name derives from. */
  readonly clusterName?: string;
  readonly withPki?: boolean;
}

const BASE: Spec = {
  domain: "swarm.internal",
  nodes: [
    ["sw-node-1", "10.10.1.21", "203.0.113.21"],
    ["sw-node-2", "10.10.1.22"],
    ["sw-db-1", "10.10.1.41"],
  ],
};

function makeCluster(spec: Spec): Cluster {
  const cluster = new Cluster({
    name: spec.clusterName ?? "swarm",
    privateNetwork: "10.10.1.0/24",
    domain: spec.domain,
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  const nodes = spec.nodes.map(
    ([hostname, privateIp, publicIp]) =>
      new Node(cluster, hostname, { tier: "app", privateIp, ...(publicIp ? { publicIp } : {}), swarmRole: "manager" }),
  );
  // The first node is an etcd member: it holds etcd-peer and etcd-client certificates, the others do not.
  new EtcdCluster(cluster, "etcd", { members: nodes.slice(0, 1) });
  if (spec.withPki ?? true) new ClusterPki(cluster, "pki");
  return cluster;
}

/** One build of the project in `dir`, as `build` (allowIssue) or `build --check` (not) would run it. */
function build(spec: Spec, dir: string, allowIssue: boolean): Promise<SynthResult> {
  return synthesize(makeCluster(spec), {
    generators: [pkiGenerator],
    resolvePki,
    pki: { stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki"), allowIssue },
    configName: "(built by a test)",
  });
}

/** What a successful build leaves on disk: the state files and out/. */
async function persist(result: SynthResult, dir: string): Promise<void> {
  writeStateFiles(result.stateWrites);
  await writeOutAtomically(path.join(dir, "out"), result.files);
}

const contents = (result: SynthResult): Map<string, string> => new Map(result.files.map((file) => [file.path, file.content]));
const relative = (dir: string, result: SynthResult): string[] => result.stateWrites.map((write) => path.relative(dir, write.path)).sort();

function openssl(...args: string[]): string {
  const run = spawnSync("openssl", args, { encoding: "utf8" });
  if (run.status !== 0) throw new Error(`openssl ${args.join(" ")} failed: ${run.stderr}${run.stdout}`);
  return run.stdout;
}

const scratch: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-pki-"));
  scratch.push(dir);
  return dir;
}

/** A copy of the project as a fresh clone has it: pki/ is committed, secrets/ is not. */
function freshClone(from: string): string {
  const dir = tempDir();
  cpSync(path.join(from, "pki"), path.join(dir, "pki"), { recursive: true });
  return dir;
}

let project: string;
let first: SynthResult;

const DOMAINS = ["docker-api", "etcd-client", "etcd-peer"] as const;
const caOf = (dir: string, domain: string): string => path.join(dir, "pki", domain, "ca.crt");
const crtOf = (dir: string, domain: string, name: string): string => path.join(dir, "pki", domain, "certs", `${name}.crt`);

beforeAll(async () => {
  // The RSA-4096 CAs take a second or two to generate: create it once and copy the state between tests.
  project = tempDir();
  first = await Testing.synthResult(makeCluster(BASE), { projectDir: project, generators: [pkiGenerator] });
  await persist(first, project);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

describe("first build", () => {
  it("issues a CA per trust domain and each node's certificates in its domains, keys in secrets/ only", () => {
    expect(first.pendingIssues).toEqual([]);
    expect(relative(project, first)).toEqual([
      "pki/docker-api/ca.crt",
      "pki/docker-api/certs/sw-db-1.crt",
      "pki/docker-api/certs/sw-node-1.crt",
      "pki/docker-api/certs/sw-node-2.crt",
      "pki/docker-api/crl.pem",
      "pki/etcd-client/ca.crt",
      "pki/etcd-client/certs/sw-node-1.crt",
      "pki/etcd-client/crl.pem",
      "pki/etcd-peer/ca.crt",
      "pki/etcd-peer/certs/sw-node-1.crt",
      "pki/etcd-peer/crl.pem",
      "secrets/pki/docker-api/ca.key",
      "secrets/pki/docker-api/sw-db-1.key",
      "secrets/pki/docker-api/sw-node-1.key",
      "secrets/pki/docker-api/sw-node-2.key",
      "secrets/pki/etcd-client/ca.key",
      "secrets/pki/etcd-client/sw-node-1.key",
      "secrets/pki/etcd-peer/ca.key",
      "secrets/pki/etcd-peer/sw-node-1.key",
    ]);
    expect([...contents(first).keys()]).toEqual([
      "manifest.json",
      "pki/docker-api/ca.crt",
      "pki/docker-api/certs/sw-db-1.crt",
      "pki/docker-api/certs/sw-node-1.crt",
      "pki/docker-api/certs/sw-node-2.crt",
      "pki/docker-api/crl.pem",
      "pki/etcd-client/ca.crt",
      "pki/etcd-client/certs/sw-node-1.crt",
      "pki/etcd-client/crl.pem",
      "pki/etcd-peer/ca.crt",
      "pki/etcd-peer/certs/sw-node-1.crt",
      "pki/etcd-peer/crl.pem",
      "pki/inventory.json",
    ]);
  });

  it("makes three distinct RSA-4096 CAs that may only sign certificates and CRLs", () => {
    const keys = new Set<string>();
    for (const domain of DOMAINS) {
      const ca = caOf(project, domain);
      expect(openssl("x509", "-in", ca, "-noout", "-subject")).toContain(`CN = swarm ${domain} CA`);
      expect(openssl("x509", "-in", ca, "-noout", "-text")).toContain("Public-Key: (4096 bit)");
      const extensions = openssl("x509", "-in", ca, "-noout", "-ext", "basicConstraints,keyUsage");
      expect(extensions).toMatch(/critical\s+CA:TRUE/);
      expect(extensions).toContain("Certificate Sign, CRL Sign");
      keys.add(openssl("x509", "-in", ca, "-noout", "-pubkey"));
    }
    expect(keys.size).toBe(3);
  });

  it("issues certificates that openssl verifies against their own domain's CA only", () => {
    for (const [domain, host] of [
      ["docker-api", "sw-node-1"],
      ["docker-api", "sw-db-1"],
      ["etcd-peer", "sw-node-1"],
      ["etcd-client", "sw-node-1"],
    ] as const) {
      const crt = crtOf(project, domain, host);
      expect(openssl("verify", "-purpose", "sslserver", "-CAfile", caOf(project, domain), crt).trim()).toBe(`${crt}: OK`);
      // A certificate of one domain is a stranger to every other domain's CA.
      for (const other of DOMAINS.filter((candidate) => candidate !== domain)) {
        expect(spawnSync("openssl", ["verify", "-CAfile", caOf(project, other), crt]).status, `${domain}/${host} under ${other}`).not.toBe(
          0,
        );
      }
    }
    // dockerd's certificates serve only; the etcd member's log in to its peers and run etcdctl.
    for (const host of ["sw-node-1", "sw-node-2", "sw-db-1"]) {
      const crt = crtOf(project, "docker-api", host);
      expect(spawnSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", caOf(project, "docker-api"), crt]).status).not.toBe(0);
    }
    for (const domain of ["etcd-peer", "etcd-client"]) {
      openssl("verify", "-purpose", "sslclient", "-CAfile", caOf(project, domain), crtOf(project, domain, "sw-node-1"));
    }
  });

  it("puts the hostname, domain name, addresses and both TLS usages in an etcd member's peer certificate", () => {
    const peer = crtOf(project, "etcd-peer", "sw-node-1");
    const text = openssl("x509", "-in", peer, "-noout", "-subject", "-ext", "subjectAltName,extendedKeyUsage,keyUsage");
    expect(text).toContain("CN = sw-node-1");
    for (const name of [
      "DNS:sw-node-1",
      "DNS:sw-node-1.swarm.internal",
      "DNS:localhost",
      "IP Address:10.10.1.21",
      "IP Address:203.0.113.21",
      "IP Address:127.0.0.1",
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toContain("TLS Web Server Authentication, TLS Web Client Authentication");
    expect(text).toContain("Digital Signature, Key Encipherment");
    // The authority key identifier names the CA's key, which chain builders use to find the issuer.
    const ski = openssl("x509", "-in", caOf(project, "etcd-peer"), "-noout", "-ext", "subjectKeyIdentifier").split("\n")[1]?.trim();
    const aki = openssl("x509", "-in", peer, "-noout", "-ext", "authorityKeyIdentifier");
    expect(ski).toMatch(/^[0-9A-F:]{59}$/);
    expect(aki).toContain(ski);
    // A node without a public address gets only its private one.
    const second = openssl("x509", "-in", crtOf(project, "docker-api", "sw-node-2"), "-noout", "-ext", "subjectAltName,extendedKeyUsage");
    expect(second).toContain("IP Address:10.10.1.22");
    expect(second).not.toContain("203.0.113");
    expect(second).not.toContain("Client Authentication");
  });

  it("writes private keys that match their certificates, readable by the owner only", () => {
    for (const [domain, name] of [
      ["docker-api", "ca"],
      ["docker-api", "sw-node-1"],
      ["etcd-peer", "ca"],
      ["etcd-client", "sw-node-1"],
    ] as const) {
      const key = path.join(project, "secrets/pki", domain, `${name}.key`);
      expect(statSync(key).mode & 0o777).toBe(0o600);
      const crt = name === "ca" ? caOf(project, domain) : crtOf(project, domain, name);
      expect(openssl("pkey", "-in", key, "-pubout")).toBe(openssl("x509", "-in", crt, "-noout", "-pubkey"));
    }
  });

  it("keeps every private key out of out/ and copies the committed PEM byte for byte", () => {
    for (const [file, content] of contents(first)) expect(content, file).not.toContain("PRIVATE KEY");
    expect(contents(first).get("pki/etcd-peer/certs/sw-node-1.crt")).toBe(readFileSync(crtOf(project, "etcd-peer", "sw-node-1"), "utf8"));
    expect(contents(first).get("pki/etcd-peer/ca.crt")).toBe(readFileSync(caOf(project, "etcd-peer"), "utf8"));
  });

  it("lists every domain, the CAs it trusts and its certificates in a reviewable inventory", () => {
    const inventory = JSON.parse(contents(first).get("pki/inventory.json") ?? "{}") as {
      domains: {
        domain: string;
        trusted: { role: string; commonName: string }[];
        certificates: {
          name: string;
          commonName: string;
          ipAddresses: string[];
          usages: string[];
          installedOn: string | null;
          sha256: string;
        }[];
      }[];
    };
    expect(inventory.domains.map((entry) => [entry.domain, entry.trusted.map((ca) => [ca.role, ca.commonName])])).toEqual([
      ["docker-api", [["issuing", "swarm docker-api CA"]]],
      ["etcd-client", [["issuing", "swarm etcd-client CA"]]],
      ["etcd-peer", [["issuing", "swarm etcd-peer CA"]]],
    ]);
    const dockerApi = inventory.domains.find((entry) => entry.domain === "docker-api");
    expect(dockerApi?.certificates.map((entry) => entry.name)).toEqual(["sw-db-1", "sw-node-1", "sw-node-2"]);
    const peer = inventory.domains.find((entry) => entry.domain === "etcd-peer")?.certificates[0];
    expect(peer).toMatchObject({
      name: "sw-node-1",
      commonName: "sw-node-1",
      installedOn: "sw-node-1",
      usages: ["server", "client"],
      ipAddresses: ["10.10.1.21", "127.0.0.1", "203.0.113.21"],
    });
    const fingerprint = openssl("x509", "-in", crtOf(project, "etcd-peer", "sw-node-1"), "-noout", "-fingerprint", "-sha256");
    expect(fingerprint.split("=")[1]?.trim().replace(/:/g, "").toLowerCase()).toBe(peer?.sha256);
  });

  it("delivers node certificates to their node and each domain's CAs to the nodes holding a certificate of it", () => {
    const delivery = new Map(first.files.map((file) => [file.path, file.delivery]));
    expect(delivery.get("pki/docker-api/certs/sw-node-2.crt")).toEqual({ kind: "host", nodes: ["sw-node-2"] });
    expect(delivery.get("pki/docker-api/ca.crt")).toEqual({ kind: "host", nodes: ["sw-db-1", "sw-node-1", "sw-node-2"] });
    expect(delivery.get("pki/etcd-peer/ca.crt")).toEqual({ kind: "host", nodes: ["sw-node-1"] });
  });
});

describe("committed certificate state", () => {
  it("reuses everything on a rebuild: no writes, byte-identical out/", async () => {
    const again = await build(BASE, project, true);
    expect(again.stateWrites).toEqual([]);
    expect(again.pendingIssues).toEqual([]);
    expect(contents(again)).toEqual(contents(first));
  });

  it("builds a fresh clone (pki/ without secrets/) to the same out/, in check mode and in build mode", async () => {
    const clone = freshClone(project);
    const check = await build(BASE, clone, false);
    expect(check.pendingIssues).toEqual([]);
    expect(check.stateWrites).toEqual([]);
    expect(contents(check)).toEqual(contents(first));
    const full = await build(BASE, clone, true);
    expect(full.stateWrites).toEqual([]);
    expect(contents(full)).toEqual(contents(first));
  });

  it("tolerates CRLF line endings in a checkout", async () => {
    const clone = freshClone(project);
    const file = crtOf(clone, "docker-api", "sw-db-1");
    writeFileSync(file, readFileSync(file, "utf8").replace(/\n/g, "\r\n"));
    const check = await build(BASE, clone, false);
    expect(check.pendingIssues).toEqual([]);
    expect(contents(check)).toEqual(contents(first));
  });

  it("writes no PKI state when the model declares no CA", async () => {
    const dir = tempDir();
    const result = await build({ ...BASE, withPki: false }, dir, true);
    expect(result.stateWrites).toEqual([]);
    expect(result.files.map((file) => file.path)).toEqual(["manifest.json"]);
  });
});

describe("a changed request in check mode", () => {
  // Each row: a config edit, and the line `build --check` must print for it.
  const renamedNode2: Spec = {
    ...BASE,
    nodes: BASE.nodes.map(([h, ip, pub]) => (h === "sw-node-2" ? [h, "10.10.1.99", pub] : [h, ip, pub])),
  };
  const rows: { edit: string; spec: Spec; pending: string[] }[] = [
    {
      edit: "a node's private IP",
      spec: renamedNode2,
      pending: ["pki/docker-api/certs/sw-node-2.crt: IP SANs changed (10.10.1.22 → 10.10.1.99)"],
    },
    {
      edit: "a public IP added",
      spec: { ...BASE, nodes: BASE.nodes.map(([h, ip, pub]) => (h === "sw-db-1" ? [h, ip, "198.51.100.7"] : [h, ip, pub])) },
      pending: ["pki/docker-api/certs/sw-db-1.crt: IP SANs changed (added 198.51.100.7)"],
    },
    {
      edit: "a new node",
      spec: { ...BASE, nodes: [...BASE.nodes, ["sw-node-4", "10.10.1.24"]] },
      pending: ["pki/docker-api/certs/sw-node-4.crt: not issued yet"],
    },
    {
      edit: "the cluster domain",
      spec: { ...BASE, domain: "prod.internal" },
      pending: [
        ...["sw-db-1", "sw-node-1", "sw-node-2"].map(
          (h) => `pki/docker-api/certs/${h}.crt: DNS SANs changed (${h}.swarm.internal → ${h}.prod.internal)`,
        ),
        "pki/etcd-client/certs/sw-node-1.crt: DNS SANs changed (sw-node-1.swarm.internal → sw-node-1.prod.internal)",
        "pki/etcd-peer/certs/sw-node-1.crt: DNS SANs changed (sw-node-1.swarm.internal → sw-node-1.prod.internal)",
      ],
    },
    {
      edit: "the cluster name, which names every CA",
      spec: { ...BASE, clusterName: "other" },
      pending: DOMAINS.map((domain) => `pki/${domain}/ca.crt: CA commonName changed (swarm ${domain} CA → other ${domain} CA)`),
    },
  ];

  for (const row of rows) {
    it(`reports ${row.edit} and writes nothing`, async () => {
      const result = await build(row.spec, freshClone(project), false);
      expect(result.pendingIssues).toEqual(row.pending);
      expect(result.stateWrites).toEqual([]);
    });
  }

  it("reports a missing CA without creating one", async () => {
    const result = await build(BASE, tempDir(), false);
    expect(result.pendingIssues[0]).toBe("pki/docker-api/ca.crt: CA not created yet");
    expect(result.pendingIssues).toContain("pki/etcd-peer/certs/sw-node-1.crt: not issued yet");
    expect(result.stateWrites).toEqual([]);
  });

  it("reports a certificate signed by another CA", async () => {
    const clone = freshClone(project);
    const ca = caOf(clone, "docker-api");
    // A stranger's CA with the same name: only the signature tells them apart.
    copyFileSync(selfSignedPair(path.join(clone, "stranger"), { cn: "swarm docker-api CA", key: "ec" }).certFile, ca);
    const result = await build(BASE, clone, false);
    expect(result.pendingIssues).toContain("pki/docker-api/certs/sw-node-1.crt: not issued by the current CA (pki/docker-api/ca.crt)");
    // The other domains are untouched by a stranger in this one.
    expect(result.pendingIssues.filter((line) => !line.startsWith("pki/docker-api/"))).toEqual([]);
  });
});

describe("re-issuing a changed certificate", () => {
  const moved: Spec = { ...BASE, nodes: BASE.nodes.map(([h, ip, pub]) => (h === "sw-node-2" ? [h, "10.10.1.99", pub] : [h, ip, pub])) };

  it("refuses without the CA key, naming the certificate, the field and the missing key", async () => {
    const clone = freshClone(project);
    const error = await build(moved, clone, true).then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: "pki/ca-key-missing", construct: "cluster/pki/docker-api/sw-node-2", field: "ipAddresses" });
    expect(problems[0]?.message).toContain("IP SANs changed (10.10.1.22 → 10.10.1.99)");
    expect(problems[0]?.message).toContain("the CA private key secrets/pki/docker-api/ca.key is missing");
    expect(problems[0]?.hint).toMatch(/restore secrets\/pki\/docker-api\/ca\.key .*or remove pki\/docker-api\//);
  });

  it("refuses to issue a new node's certificate without the CA key, one problem per certificate", async () => {
    const grown: Spec = { ...moved, nodes: [...moved.nodes, ["sw-node-4", "10.10.1.24"]] };
    await expect(build(grown, freshClone(project), true)).rejects.toMatchObject({
      problems: [
        { code: "pki/ca-key-missing", construct: "cluster/pki/docker-api/sw-node-2", field: "ipAddresses" },
        {
          code: "pki/ca-key-missing",
          construct: "cluster/pki/docker-api/sw-node-4",
          field: "",
          message:
            "pki/docker-api/certs/sw-node-4.crt must be issued (it is new), but the CA private key secrets/pki/docker-api/ca.key is missing, so nothing can be signed",
        },
      ],
    });
  });

  it("re-issues only that certificate once the CA key is there; the others stay byte for byte", async () => {
    const clone = freshClone(project);
    mkdirSync(path.join(clone, "secrets/pki/docker-api"), { recursive: true });
    cpSync(path.join(project, "secrets/pki/docker-api/ca.key"), path.join(clone, "secrets/pki/docker-api/ca.key"));

    const result = await build(moved, clone, true);
    expect(result.pendingIssues).toEqual([]);
    expect(relative(clone, result)).toEqual(["pki/docker-api/certs/sw-node-2.crt", "secrets/pki/docker-api/sw-node-2.key"]);
    await persist(result, clone);

    const crt = crtOf(clone, "docker-api", "sw-node-2");
    expect(openssl("verify", "-CAfile", caOf(clone, "docker-api"), crt).trim()).toBe(`${crt}: OK`);
    expect(openssl("x509", "-in", crt, "-noout", "-ext", "subjectAltName")).toContain("IP Address:10.10.1.99");
    expect(statSync(path.join(clone, "secrets/pki/docker-api/sw-node-2.key")).mode & 0o777).toBe(0o600);

    const before = contents(first);
    const after = contents(result);
    const changed = [...after.keys()].filter((file) => after.get(file) !== before.get(file));
    expect(changed).toEqual(["manifest.json", "pki/docker-api/certs/sw-node-2.crt", "pki/inventory.json"]);
    for (const file of [
      "docker-api/ca.crt",
      "docker-api/certs/sw-node-1.crt",
      "docker-api/certs/sw-db-1.crt",
      "etcd-peer/certs/sw-node-1.crt",
    ]) {
      expect(readFileSync(path.join(clone, "pki", file), "utf8")).toBe(readFileSync(path.join(project, "pki", file), "utf8"));
    }

    // And the next build, now from the new committed state, is stable again.
    const next = await build(moved, clone, false);
    expect(next.pendingIssues).toEqual([]);
    expect(contents(next)).toEqual(after);
  });

  it("refuses a CA key that does not belong to the CA certificate", async () => {
    const clone = freshClone(project);
    mkdirSync(path.join(clone, "secrets/pki/docker-api"), { recursive: true });
    execFileSync("openssl", [
      "genpkey",
      "-algorithm",
      "EC",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-out",
      path.join(clone, "secrets/pki/docker-api/ca.key"),
    ]);
    await expect(build(moved, clone, true)).rejects.toMatchObject({
      problems: [{ code: "pki/ca-key-mismatch", construct: "cluster/pki/docker-api" }],
    });
  });

  it("refuses to rename the CA, which would mean a new CA", async () => {
    await expect(build({ ...BASE, clusterName: "other" }, freshClone(project), true)).rejects.toMatchObject({
      problems: [{ code: "pki/ca-renamed", field: "commonName" }],
    });
  });

  it("refuses to overwrite a CA key whose certificate is missing", async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, "secrets/pki/docker-api"), { recursive: true });
    cpSync(path.join(project, "secrets/pki/docker-api/ca.key"), path.join(dir, "secrets/pki/docker-api/ca.key"));
    await expect(build(BASE, dir, true)).rejects.toMatchObject({ problems: [{ code: "pki/ca-certificate-missing" }] });
  });
});

describe("ClusterPki", () => {
  it("finds a node's certificate in each domain, with the usages of that domain", async () => {
    const cluster = makeCluster(BASE);
    const pki = cluster.node.findChild("pki") as ClusterPki;
    await Testing.synthResult(cluster, { generators: [pkiGenerator] });
    expect(pki.certificateFor("sw-node-1")).toMatchObject({
      commonName: "sw-node-1",
      dnsNames: ["sw-node-1", "sw-node-1.swarm.internal", "localhost"],
      ipAddresses: ["10.10.1.21", "203.0.113.21", "127.0.0.1"],
      usages: ["server"],
      installedOn: "sw-node-1",
    });
    expect(pki.certificateFor("sw-node-1", "etcd-peer")?.usages).toEqual(["server", "client"]);
    expect(pki.certificateFor("sw-node-1", "etcd-client")?.usages).toEqual(["server", "client"]);
    // Not an etcd member: nothing in the etcd domains.
    expect(pki.certificateFor("sw-node-2", "etcd-peer")).toBeUndefined();
    expect(pki.certificateFor("nowhere")).toBeUndefined();
  });

  it("gives a certificate to a node declared after it too", async () => {
    const cluster = makeCluster(BASE);
    new Node(cluster, "sw-late", { tier: "db", privateIp: "10.10.1.50" });
    const files = await Testing.synth(cluster, { generators: [pkiGenerator] });
    expect(files.has("pki/docker-api/certs/sw-late.crt")).toBe(true);
    expect((cluster.node.findChild("pki") as ClusterPki).certificateFor("sw-late")?.ipAddresses).toContain("10.10.1.50");
  });
});

describe("canonicalIp (IP SANs compared with what OpenSSL prints)", () => {
  it.each([
    ["10.10.1.21", "10.10.1.21"],
    ["fd00::1", "fd00:0:0:0:0:0:0:1"],
    ["FD00:0000::0001", "fd00:0:0:0:0:0:0:1"],
    ["::1", "0:0:0:0:0:0:0:1"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2:3:4:5:6"],
    ["::ffff:10.10.1.21", "0:0:0:0:0:ffff:a0a:115"],
  ])("%s → %s", (input, expected) => {
    expect(canonicalIp(input)).toBe(expected);
  });
});
