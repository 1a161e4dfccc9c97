import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliResult, runCli } from "../helpers/cli.js";
import { copyOf } from "../helpers/host-families.fixture.js";
import { readTree } from "../helpers/project.js";
import { type ClientFiles, clientFiles, type DomainFiles, EtcdMember, run } from "./daemons.fixture.js";

/**
 * A CA rotation with an overlap, driven through the CLI as an operator drives it (`build`, `operator-cert`,
 * `rotate-ca … start|switch|finish`), checked with a real etcd, run for real on loopback with the member's
 * files each build gives sw-node-1. During the overlap a client certificate of the old CA and one of the new
 * CA both open etcd; once the old CA is retired, etcd refuses the old one.
 */
const CONFIG = `import { Cluster, ClusterPki, EtcdCluster, Node, defineCluster } from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "rot",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],
  });
  const member = new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  new EtcdCluster(cluster, "etcd", { members: [member] });
  new ClusterPki(cluster, "pki");
  return cluster;
});
`;

const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-ca-rotation-"));
const project = path.join(dir, "project");
const config = path.join(project, "cluster.config.ts");
const cli = (...args: string[]): CliResult => runCli([...args, "--config", config]);
const DOMAIN = "etcd-client";

function build(): Map<string, string> {
  const result = cli("build");
  expect(result.status, result.stderr).toBe(0);
  return readTree(path.join(project, "out"));
}

const certificates = (pem: string): number => pem.match(/-----BEGIN CERTIFICATE-----/g)?.length ?? 0;

/** The member's etcd-client and etcd-peer files as the host would hold them after this build. */
function hostFiles(out: Map<string, string>, stage: string): { client: DomainFiles; peer: DomainFiles } {
  const files = (domain: string): DomainFiles => {
    const folder = path.join(dir, "host", stage, domain);
    mkdirSync(folder, { recursive: true });
    const target = { ca: path.join(folder, "ca.pem"), cert: path.join(folder, "cert.pem"), key: path.join(folder, "key.pem") };
    writeFileSync(target.ca, copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/ca.pem`) ?? "");
    writeFileSync(target.cert, copyOf(out, "sw-node-1", `files/etc/ssl/swarm/${domain}/cert.pem`) ?? "");
    writeFileSync(target.key, readFileSync(path.join(project, "secrets/pki", domain, "sw-node-1.key")), { mode: 0o600 });
    return target;
  };
  return { client: files("etcd-client"), peer: files("etcd-peer") };
}

/** An operator certificate minted by the CLI into `name/`, used with the trust bundle the client holds now. */
function mint(name: string): ClientFiles {
  const folder = path.join(dir, name);
  const result = cli("operator-cert", "--domain", DOMAIN, "--ttl", "2h", "--name", name, "--out", folder);
  expect(result.status, result.stderr).toBe(0);
  return { dir: folder, ca: path.join(folder, "ca.pem"), cert: path.join(folder, "cert.pem"), key: path.join(folder, "key.pem") };
}

/** The same client certificate, verifying the server with `bundle` (the client's CA file follows the rotation too). */
function trusting(client: ClientFiles, bundle: string, name: string): ClientFiles {
  return clientFiles(
    path.join(dir, name),
    readFileSync(bundle, "utf8"),
    readFileSync(client.cert, "utf8"),
    readFileSync(client.key, "utf8"),
  );
}

let etcd: EtcdMember;
beforeAll(async () => {
  mkdirSync(project);
  writeFileSync(config, CONFIG);
  mkdirSync(path.join(dir, "etcd"));
  etcd = await EtcdMember.create(path.join(dir, "etcd"));
});
afterAll(async () => {
  await etcd?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("operator-cert", () => {
  it("mints a client-only certificate of the requested lifetime, key 0600, and prints where, never the key", () => {
    build();
    const folder = path.join(dir, "first-operator");
    const result = cli("operator-cert", "--domain", "docker-api", "--ttl", "24h", "--out", folder);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain(`wrote ${folder}/{ca,cert,key}.pem: a docker-api client certificate for operator, valid until`);
    expect(result.stdout).not.toContain("PRIVATE KEY");
    expect(statSync(path.join(folder, "key.pem")).mode & 0o777).toBe(0o600);
    const text = run("openssl", [
      "x509",
      "-in",
      path.join(folder, "cert.pem"),
      "-noout",
      "-subject",
      "-issuer",
      "-enddate",
      "-ext",
      "extendedKeyUsage",
    ]);
    expect(text.output).toContain("subject=CN = operator");
    expect(text.output).toContain("issuer=CN = rot docker-api CA");
    expect(text.output).toMatch(/TLS Web Client Authentication\s*$/);
    const notAfter = Date.parse(/notAfter=(.*)/.exec(text.output)?.[1] ?? "");
    expect(Math.abs(notAfter - (Date.now() + 24 * 3_600_000))).toBeLessThan(5 * 60_000);
    // Verifies against its own domain's CA only.
    expect(run("openssl", ["verify", "-CAfile", path.join(project, "pki/docker-api/ca.crt"), path.join(folder, "cert.pem")]).status).toBe(
      0,
    );
    expect(
      run("openssl", ["verify", "-CAfile", path.join(project, "pki/etcd-client/ca.crt"), path.join(folder, "cert.pem")]).status,
    ).not.toBe(0);
  });

  it("refuses a lifetime over 7 days, a domain whose daemons verify no operator, and a missing CA key", () => {
    const long = cli("operator-cert", "--ttl", "8d", "--out", path.join(dir, "too-long"));
    expect(long.status).toBe(1);
    expect(long.stderr).toContain("--ttl 8d is longer than the 7 days an operator certificate may live");
    expect(cli("operator-cert", "--domain", "etcd-peer", "--out", path.join(dir, "peer")).status).not.toBe(0);

    // A clone without secrets/: pki/ is there, the CA key is not.
    const clone = path.join(dir, "clone");
    cpSync(project, clone, { recursive: true, filter: (source) => !source.includes(`${path.sep}secrets`) });
    const missing = runCli(["operator-cert", "--config", path.join(clone, "cluster.config.ts"), "--out", path.join(dir, "no-key")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("the docker-api CA key secrets/pki/docker-api/ca.key is missing, so nothing can be signed");
  });

  it("refuses to write into out/", () => {
    const result = cli("operator-cert", "--out", path.join(project, "out", "operator"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("out/operator is inside out/, which is committed");
  });
});

describe("rotate-ca", () => {
  it("refuses the steps out of order", () => {
    expect(cli("rotate-ca", DOMAIN, "switch").stderr).toContain(`no rotation of ${DOMAIN} is started`);
    expect(cli("rotate-ca", DOMAIN, "finish").stderr).toContain(`no old ${DOMAIN} CA to retire`);
    expect(cli("rotate-ca", "nowhere", "start").stderr).toContain("pki/nowhere/ca.crt is missing");
  });

  it("keeps a certificate of the old CA and one of the new CA working through the overlap, and refuses the old one after", async () => {
    const before = build();
    const oldClient = mint("old-operator");
    const memberCertificate = copyOf(before, "sw-node-1", `files/etc/ssl/swarm/${DOMAIN}/cert.pem`);

    // 1. start: the new CA is trusted beside the old one; nothing is re-issued yet.
    const start = cli("rotate-ca", DOMAIN, "start");
    expect(start.status, start.stderr).toBe(0);
    expect(start.stdout).toContain(`created the new ${DOMAIN} CA: pki/${DOMAIN}/ca.next.crt`);
    const started = build();
    expect(certificates(started.get(`pki/${DOMAIN}/ca.crt`) ?? "")).toBe(2);
    expect(copyOf(started, "sw-node-1", `files/etc/ssl/swarm/${DOMAIN}/ca.pem`)).toBe(started.get(`pki/${DOMAIN}/ca.crt`));
    expect(copyOf(started, "sw-node-1", `files/etc/ssl/swarm/${DOMAIN}/cert.pem`)).toBe(memberCertificate);
    // Only this domain moves.
    expect(certificates(started.get("pki/etcd-peer/ca.crt") ?? "")).toBe(1);

    // 2. switch: the new CA issues; the member's certificate is re-issued by it; both stay trusted.
    expect(cli("rotate-ca", DOMAIN, "switch").status).toBe(0);
    const switched = build();
    const inventory = JSON.parse(switched.get("pki/inventory.json") ?? "{}") as {
      domains: { domain: string; trusted: { role: string }[] }[];
    };
    expect(inventory.domains.find((entry) => entry.domain === DOMAIN)?.trusted.map((ca) => ca.role)).toEqual(["issuing", "rotating"]);
    expect(copyOf(switched, "sw-node-1", `files/etc/ssl/swarm/${DOMAIN}/cert.pem`)).not.toBe(memberCertificate);
    const newClient = mint("new-operator");
    const overlap = hostFiles(switched, "overlap");
    await etcd.start(overlap, trusting(newClient, overlap.client.ca, "new-during-overlap"));
    const oldDuringOverlap = trusting(oldClient, overlap.client.ca, "old-during-overlap");
    expect(etcd.put(oldDuringOverlap, "rotation/old", "accepted").status).toBe(0);
    expect(etcd.put(trusting(newClient, overlap.client.ca, "new-during-overlap"), "rotation/new", "accepted").status).toBe(0);
    await etcd.stop();

    // 3. finish: the old CA leaves every bundle, and etcd refuses its certificates.
    const finish = cli("rotate-ca", DOMAIN, "finish");
    expect(finish.status, finish.stderr).toBe(0);
    const finished = build();
    expect(certificates(finished.get(`pki/${DOMAIN}/ca.crt`) ?? "")).toBe(1);
    const after = hostFiles(finished, "after");
    const newAfter = trusting(newClient, after.client.ca, "new-after");
    await etcd.start(after, newAfter);
    expect(etcd.get(newAfter, "rotation/old").output).toContain("accepted");
    const mark = etcd.logMark();
    expect(etcd.get(trusting(oldClient, after.client.ca, "old-after"), "rotation/old").status).not.toBe(0);
    expect(etcd.logSince(mark)).toMatch(/rejected connection[^\n]*certificate signed by unknown authority/);
  }, 180_000);
});
