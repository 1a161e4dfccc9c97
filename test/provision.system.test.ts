import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignitionSchema } from "./helpers/validators.js";
import { fromDataUrl } from "../generators/ignition/data-url.js";
import type { IgnitionConfig } from "../src/imports/ignition-v3.3.js";
import { repoRoot, runCli, type CliResult } from "./helpers/cli.js";
import { readTree } from "./helpers/project.js";

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.

const HOSTS = ["sw-node-1", "sw-node-2", "sw-node-3"];
// Every node here is an etcd member: it holds a key in each trust domain.
const DOMAINS = ["docker-api", "etcd-client", "etcd-peer"] as const;
const keyPath = (domain: string): string => `/etc/ssl/swarm/${domain}/key.pem`;
const PRIVATE_KEY = /-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/;

// A small project of its own: 3 managers, their PKI and etcd. `build` issues the CA and the node keys into it.
const CONFIG = `import { Cluster, ClusterPki, EtcdCluster, Node, defineCluster } from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "prov",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],
  });
  const members = [
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" }),
    new Node(cluster, "sw-node-2", { tier: "app", privateIp: "10.10.1.22", swarmRole: "manager" }),
    new Node(cluster, "sw-node-3", { tier: "app", privateIp: "10.10.1.23", swarmRole: "manager" }),
  ];
  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members });
  return cluster;
});
`;

let project: string;
const config = (): string => path.join(project, "cluster.config.ts");
const out = (): string => path.join(project, "out");
const overlays = (): string => path.join(project, "secrets", "ignition");
const keyFile = (host: string, domain = "docker-api"): string => path.join(project, "secrets", "pki", domain, `${host}.key`);

// Every CLI run of this file, so the last test can check that none printed key material.
const runs: CliResult[] = [];
function cli(args: readonly string[]): CliResult {
  const result = runCli(args);
  runs.push(result);
  return result;
}
const provision = (...args: string[]): CliResult => cli(["provision", "--config", config(), ...args]);

function overlayOf(host: string): IgnitionConfig {
  return JSON.parse(readFileSync(path.join(overlays(), `${host}.ign`), "utf8")) as IgnitionConfig;
}

/** Runs `fn` with the node's key file replaced (or removed, for undefined), then puts the real key back. */
function withKey(host: string, replacement: string | undefined, fn: () => void): void {
  const saved = `${keyFile(host)}.saved`;
  renameSync(keyFile(host), saved);
  try {
    if (replacement !== undefined) writeFileSync(keyFile(host), replacement, { mode: 0o600 });
    fn();
  } finally {
    rmSync(keyFile(host), { force: true });
    renameSync(saved, keyFile(host));
  }
}

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-provision-"));
  writeFileSync(config(), CONFIG);
  const build = cli(["build", "--config", config()]);
  expect(build.stderr).toBe("");
  expect(build.status).toBe(0);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("provision refuses, writing nothing,", () => {
  it("when a node's key is missing (a fresh clone), naming the node and both ways to get a key", () => {
    withKey("sw-node-2", undefined, () => {
      const result = provision();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "sw-node-2: the node's private key secrets/pki/docker-api/sw-node-2.key is missing (a fresh clone has no secrets/), so its overlay cannot install /etc/ssl/swarm/docker-api/key.pem",
      );
      expect(result.stderr).toContain("restore secrets/ from your secret store");
      expect(result.stderr).toContain(
        "remove pki/docker-api/certs/sw-node-2.crt, run `swarm-cluster build` with the CA key secrets/pki/docker-api/ca.key",
      );
      // The other nodes have their keys, yet no overlay is written: a run is all or nothing.
      expect(result.stderr).not.toContain("sw-node-1:");
      expect(existsSync(overlays())).toBe(false);
    });
  });

  it("when a node's key belongs to another certificate", () => {
    withKey("sw-node-3", readFileSync(keyFile("sw-node-1"), "utf8"), () => {
      const result = provision();
      expect(result.status).toBe(1);
      expect(result.stderr).toContain(
        "sw-node-3: secrets/pki/docker-api/sw-node-3.key does not belong to the node's certificate pki/docker-api/certs/sw-node-3.crt",
      );
      expect(existsSync(overlays())).toBe(false);
    });
  });

  it("when a node's key file is not a key", () => {
    withKey("sw-node-1", "not a key\n", () => {
      const result = provision("--node", "sw-node-1");
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("sw-node-1: secrets/pki/docker-api/sw-node-1.key is not a readable PEM private key");
      expect(existsSync(overlays())).toBe(false);
    });
  });

  it("for a node the config does not declare", () => {
    const result = provision("--node", "sw-node-9");
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("sw-node-9: no such node in the config");
    expect(result.stderr).toContain("choose among: sw-node-1, sw-node-2, sw-node-3");
    expect(existsSync(overlays())).toBe(false);
  });

  it("to write overlays into out/", () => {
    const result = provision("--out", path.join(out(), "keys"));
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("out/keys is inside out/, which is committed");
    expect(existsSync(path.join(out(), "keys"))).toBe(false);
  });

  it("to write overlays into a git work tree that does not ignore them", () => {
    const repo = mkdtempSync(path.join(tmpdir(), "swarm-cluster-provision-repo-"));
    try {
      execFileSync("git", ["init", "-q"], { cwd: repo });
      const target = path.join(repo, "user-data");
      const result = provision("--out", target);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("git does not ignore");
      expect(existsSync(target)).toBe(false);
      // Once ignored, the same folder is accepted.
      writeFileSync(path.join(repo, ".gitignore"), "user-data/\n");
      expect(provision("--out", target, "--node", "sw-node-1").status).toBe(0);
      expect(readdirSync(target)).toEqual(["sw-node-1.ign"]);
    } finally {
      rmSync(repo, { recursive: true, force: true });
    }
  });
});

describe("provision", () => {
  let before: Map<string, string>;
  let result: CliResult;
  beforeAll(() => {
    before = readTree(out());
    result = provision();
  });

  it("writes one overlay per node to secrets/ignition/", () => {
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readdirSync(overlays()).sort()).toEqual(HOSTS.map((host) => `${host}.ign`));
    for (const host of HOSTS) expect(result.stdout).toContain(`wrote secrets/ignition/${host}.ign (user-data for ${host})`);
  });

  it("writes overlays that pass ignition-validate and the Ignition 3.3 schema", () => {
    for (const host of HOSTS) {
      const file = path.join(overlays(), `${host}.ign`);
      const run = spawnSync("ignition-validate", [file], { encoding: "utf8" });
      if (run.error) throw run.error; // a missing tool fails the test, it never skips it
      expect({ status: run.status, output: `${run.stdout}${run.stderr}` }, host).toEqual({ status: 0, output: "" });
      expect(ignitionSchema(overlayOf(host)), `${host}: ${JSON.stringify(ignitionSchema.errors)}`).toBe(true);
    }
  });

  it("adds the node's key of each domain (root, 0600) to a config that is otherwise out/'s config.ign byte for byte", () => {
    const keyPaths: string[] = DOMAINS.map(keyPath);
    for (const host of HOSTS) {
      const overlay = overlayOf(host);
      const files = overlay.storage?.files ?? [];
      for (const domain of DOMAINS) {
        const keyEntries = files.filter((file) => file.path === keyPath(domain));
        expect(keyEntries, `${host} ${domain}`).toHaveLength(1);
        const [entry] = keyEntries;
        expect(entry?.mode).toBe(384);
        expect(entry?.user).toEqual({ name: "root" });
        expect(entry?.contents?.source).toMatch(/^data:;base64,/);
        expect(fromDataUrl(entry?.contents?.source)).toBe(readFileSync(keyFile(host, domain), "utf8"));
        // The key sits beside the certificate it belongs to.
        const at = files.findIndex((file) => file.path === keyPath(domain));
        expect(files[at - 1]?.path).toBe(`/etc/ssl/swarm/${domain}/cert.pem`);
      }

      const publicPart = { ...overlay, storage: { ...overlay.storage, files: files.filter((file) => !keyPaths.includes(file.path)) } };
      const committed = readFileSync(path.join(out(), "nodes", host, "config.ign"), "utf8");
      expect(`${JSON.stringify(publicPart, null, 2)}\n`).toBe(committed);
    }
  });

  it("leaves out/ unchanged, with no private key in it", () => {
    const after = readTree(out());
    expect(after).toEqual(before);
    for (const [file, content] of after) expect(content, file).not.toMatch(PRIVATE_KEY);
  });

  it("keeps the overlays private: files 0600, folder 0700, in a folder git ignores", () => {
    expect(statSync(overlays()).mode & 0o777).toBe(0o700);
    for (const host of HOSTS) expect(statSync(path.join(overlays(), `${host}.ign`)).mode & 0o777).toBe(0o600);
    // The repository's own .gitignore covers the same layout beside cluster.config.ts.
    const ignored = spawnSync("git", ["check-ignore", "-q", "secrets/ignition/sw-node-1.ign"], { cwd: repoRoot });
    expect(ignored.error).toBeUndefined();
    expect(ignored.status).toBe(0);
  });

  it("rewrites an existing overlay with mode 0600 again, and only the nodes asked for", () => {
    const file = path.join(overlays(), "sw-node-2.ign");
    chmodSync(file, 0o644);
    chmodSync(overlays(), 0o755);
    writeFileSync(path.join(overlays(), "sw-node-1.ign"), "stale\n");
    const again = provision("--node", "sw-node-2", "--node", "sw-node-3");
    expect(again.status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(overlays()).mode & 0o777).toBe(0o700);
    expect(readFileSync(path.join(overlays(), "sw-node-1.ign"), "utf8")).toBe("stale\n");
    expect(readdirSync(overlays()).sort()).toEqual(HOSTS.map((host) => `${host}.ign`));
  });

  it("notes on stderr when out/ is not what the config compiles to", () => {
    const committed = path.join(out(), "nodes", "sw-node-1", "config.ign");
    const original = readFileSync(committed, "utf8");
    writeFileSync(committed, original.replace("3.3.0", "3.3.0 "));
    try {
      const stale = provision("--node", "sw-node-1");
      expect(stale.status).toBe(0);
      expect(stale.stderr).toContain("note: out/nodes/sw-node-1/config.ign is not what the config compiles to");
      // The overlay follows the config, not the stale file.
      expect(overlayOf("sw-node-1").ignition.version).toBe("3.3.0");
    } finally {
      writeFileSync(committed, original);
    }
  });

  it("--quiet prints neither the files written nor notes", () => {
    const committed = path.join(out(), "nodes", "sw-node-1", "config.ign");
    const original = readFileSync(committed, "utf8");
    writeFileSync(committed, original.replace("3.3.0", "3.3.0 "));
    try {
      const quiet = provision("--node", "sw-node-1", "--quiet");
      expect([quiet.status, quiet.stdout, quiet.stderr]).toEqual([0, "", ""]);
      expect(overlayOf("sw-node-1").ignition.version).toBe("3.3.0");
    } finally {
      writeFileSync(committed, original);
    }
  });

  it("--help documents --node and --out", () => {
    const help = cli(["provision", "--help"]);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain("--node <hostname...>");
    expect(help.stdout).toContain("--out <dir>");
  });
});

describe("no run", () => {
  it("ever printed key material", () => {
    expect(runs.length).toBeGreaterThan(10);
    for (const run of runs) {
      expect(run.stdout).not.toContain("PRIVATE KEY");
      expect(run.stderr).not.toContain("PRIVATE KEY");
    }
  });
});
