import { analyseHa } from "../../src/analysis/ha.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ignitionSchema } from "../helpers/validators.js";
import { contentsText, fromDataUrl } from "../../generators/ignition/data-url.js";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { SystemdUnit } from "../../src/index.js";
import { copyOf, filesUnder, hostCluster, SSH_KEY, synthHosts } from "../helpers/host-families.fixture.js";

// ajv-draft-04 is CommonJS: under NodeNext its default import is the module, whose `default` is the class.

const workDir = mkdtempSync(path.join(tmpdir(), "ignition-test-"));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

/** Runs the real `ignition-validate` on a config written to a temporary file. */
function ignitionValidate(name: string, text: string): { status: number | null; output: string } {
  const file = path.join(workDir, name);
  writeFileSync(file, text);
  const run = spawnSync("ignition-validate", [file], { encoding: "utf8" });
  if (run.error) throw run.error; // a missing tool fails the test, it never skips it
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

function storageFile(config: IgnitionConfig, filePath: string): string | undefined {
  return fromDataUrl(config.storage?.files?.find((file) => file.path === filePath)?.contents?.source);
}

describe("ignition generator", async () => {
  const model = hostCluster();
  const files = await synthHosts(model.cluster);
  const configs = filesUnder(files, /^nodes\/[^/]+\/config\.ign$/);
  const parsed = new Map(configs.map(([file, text]) => [file.split("/")[1] as string, JSON.parse(text) as IgnitionConfig]));

  it("writes one config per node", () => {
    expect([...parsed.keys()].sort()).toEqual(model.cluster.nodes.map((node) => node.hostname).sort());
  });

  it("passes ignition-validate and the Ignition 3.3 schema, without warnings", () => {
    for (const [file, text] of configs) {
      const result = ignitionValidate(file.replaceAll("/", "_"), text);
      expect(result, file).toEqual({ status: 0, output: "" });
      expect(ignitionSchema(JSON.parse(text)), `${file}: ${JSON.stringify(ignitionSchema.errors)}`).toBe(true);
    }
  });

  // Each row breaks a valid config in one way; the validators must notice, or the test above proves nothing.
  const broken: [string, (config: IgnitionConfig) => void, { schemaAllows: boolean }][] = [
    ["an unsupported spec version", (c) => void (c.ignition.version = "3.9.0"), { schemaAllows: true }],
    ["a file without path", (c) => void delete (c.storage?.files?.[0] as { path?: string }).path, { schemaAllows: false }],
    ["a relative file path", (c) => void ((c.storage?.files?.[0] as { path: string }).path = "etc/hostname"), { schemaAllows: true }],
    ["an invalid data URL", (c) => void ((c.storage?.files?.[0]?.contents ?? {}).source = "data:,a b%ZZ"), { schemaAllows: true }],
    ["a unit without name", (c) => void delete (c.systemd?.units?.[0] as { name?: string }).name, { schemaAllows: false }],
  ];
  it.each(broken)("rejects a config with %s", (name, breakIt, { schemaAllows }) => {
    const config = structuredClone(parsed.get("sw-node-1")) as IgnitionConfig;
    breakIt(config);
    expect(ignitionValidate(`broken-${name.replaceAll(" ", "-")}.ign`, JSON.stringify(config)).status).not.toBe(0);
    // The schema cannot express every rule (it does not pin the version or check URLs): where it can, it must catch it.
    if (!schemaAllows) expect(ignitionSchema(config)).toBe(false);
  });

  it("is 2-space JSON in spec key order, with a trailing newline", () => {
    const text = files.get("nodes/sw-node-1/config.ign") ?? "";
    expect(text.endsWith("}\n")).toBe(true);
    expect(text).toContain('\n  "ignition": {\n    "version": "3.3.0"\n  },');
    expect(Object.keys(JSON.parse(text) as object)).toEqual(["ignition", "passwd", "storage", "systemd"]);
  });

  it("gives the core user the cluster's SSH keys and each node its hostname", () => {
    for (const [hostname, config] of parsed) {
      expect(config.passwd?.users).toEqual([{ name: "core", sshAuthorizedKeys: [SSH_KEY] }]);
      expect(storageFile(config, "/etc/hostname")).toBe(`${hostname}\n`);
      expect(storageFile(config, "/etc/ssh/sshd_config.d/10-no-root-login.conf")).toMatch(/^PermitRootLogin no$/m);
    }
  });

  it("lists every node in /etc/hosts, sorted by address, on every node", () => {
    const expected = [...model.cluster.nodes]
      .sort((a, b) => a.privateIp.localeCompare(b.privateIp, "en", { numeric: true }))
      .map((node) => `${node.privateIp} ${node.hostname}.swarm.internal ${node.hostname}`);
    for (const [hostname, config] of parsed) {
      const hosts = storageFile(config, "/etc/hosts") ?? "";
      const entries = hosts.split("\n").filter((line) => line.startsWith("10."));
      expect(entries).toEqual(expected);
      expect(hosts).toMatch(/^127\.0\.0\.1 localhost$/m);
      expect(copyOf(files, hostname, `files/etc/hosts`)).toBe(hosts);
    }
    expect(expected[0]).toBe("10.10.1.11 sw-front-1.swarm.internal sw-front-1");
  });

  it("writes files with overwrite, a decimal mode and a readable copy each", () => {
    for (const [hostname, config] of parsed) {
      for (const file of config.storage?.files ?? []) {
        expect(file.overwrite).toBe(true);
        // Small files inline as text; only a file beyond 4 KiB would be gzip-compressed (none in this cluster).
        expect(file.contents?.source).toMatch(/^data:,/);
        expect(copyOf(files, hostname, `files${file.path}`), file.path).toBe(contentsText(file.contents));
      }
    }
    const daemon = parsed.get("sw-front-1")?.storage?.files?.find((file) => file.path === "/etc/docker/daemon.json");
    expect(daemon?.mode).toBe(420); // 0o644, as the spec wants it: a decimal number
  });

  it("embeds each unit with the same text as the systemd family writes", () => {
    for (const [hostname, config] of parsed) {
      for (const unit of config.systemd?.units ?? []) {
        expect(unit.enabled).toBe(true);
        if (unit.contents === undefined) expect(copyOf(files, hostname, `systemd/${unit.name}`) !== undefined, unit.name).toBe(false);
        else expect(unit.contents).toBe(copyOf(files, hostname, `systemd/${unit.name}`));
      }
    }
  });

  // Flatcar socket-activates Docker: without an enabled docker.service, a worker's dockerd would only start
  // on the first API call, so it would not rejoin the swarm after a reboot.
  it("enables the OS's docker.service on every node, managers and workers alike, without replacing it", () => {
    for (const [hostname, config] of parsed) {
      const docker = config.systemd?.units?.filter((unit) => unit.name === "docker.service");
      expect(docker, hostname).toEqual([{ name: "docker.service", enabled: true }]);
    }
    expect(parsed.get("sw-node-1")?.systemd?.units?.map((unit) => unit.name)).toEqual([
      "docker.service",
      "etcd-member.service",
      "etcd-member.path",
      "docker-tcp.socket",
    ]);
    expect(parsed.get("sw-front-1")?.systemd?.units).toEqual([{ name: "docker.service", enabled: true }]);
  });

  it("lets a node's own docker.service replace the enabled OS unit, and still validates", async () => {
    const model = hostCluster();
    new SystemdUnit(model.front, "docker.service", {
      contents: "[Service]\nExecStart=/usr/bin/dockerd\n\n[Install]\nWantedBy=multi-user.target\n",
    });
    const text = (await synthHosts(model.cluster)).get("nodes/sw-front-1/config.ign") ?? "";
    const units = (JSON.parse(text) as IgnitionConfig).systemd?.units ?? [];
    expect(units.filter((unit) => unit.name === "docker.service")).toEqual([
      expect.objectContaining({ contents: expect.stringContaining("ExecStart=/usr/bin/dockerd") }),
    ]);
    expect(ignitionValidate("own-docker.ign", text)).toEqual({ status: 0, output: "" });
  });

  it("applies overrideIgnition last, and the result still validates", async () => {
    const patched = hostCluster();
    patched.front.overrideIgnition({
      kernelArguments: { shouldExist: ["console=ttyS0"] },
      passwd: { users: [{ name: "core", sshAuthorizedKeys: [SSH_KEY], groups: ["docker"] }] },
    });
    const out = await synthHosts(patched.cluster);
    const text = out.get("nodes/sw-front-1/config.ign") ?? "";
    const config = JSON.parse(text) as IgnitionConfig;
    expect(config.kernelArguments?.shouldExist).toEqual(["console=ttyS0"]);
    expect(config.passwd?.users?.[0]?.groups).toEqual(["docker"]);
    expect(text).not.toBe(files.get("nodes/sw-front-1/config.ign"));
    expect(out.get("nodes/sw-node-1/config.ign")).toBe(files.get("nodes/sw-node-1/config.ign"));
    expect(ignitionValidate("patched.ign", text).status).toBe(0);
  });

  it("is byte-identical on rebuild", async () => {
    expect(await synthHosts(hostCluster().cluster)).toEqual(files);
  });

  it("installs each domain's trust bundle and the node's certificate in it, never a private key", () => {
    const ca = "-----BEGIN CERTIFICATE-----\nY2E=\n-----END CERTIFICATE-----\n";
    const node1 = "-----BEGIN CERTIFICATE-----\nbm9kZQ==\n-----END CERTIFICATE-----\n";
    const { cluster } = hostCluster();
    const out = ignitionGenerator.generate({
      cluster,
      pki: {
        authorities: new Map([
          ["docker-api", { caCertificatePem: ca, trustBundlePem: ca, certificates: new Map([["sw-node-1", node1]]) }],
          ["etcd-peer", { caCertificatePem: ca, trustBundlePem: ca, certificates: new Map([["sw-node-2", node1]]) }],
        ]),
      },
      ha: analyseHa(cluster),
    });
    const byPath = new Map(out.map((file) => [file.path, file.content]));
    expect(copyOf(byPath, "sw-node-1", "files/etc/ssl/swarm/docker-api/ca.pem")).toBe(ca);
    expect(copyOf(byPath, "sw-node-1", "files/etc/ssl/swarm/docker-api/cert.pem")).toBe(node1);
    // A domain that issued the node nothing leaves no folder on it.
    expect(copyOf(byPath, "sw-node-1", "files/etc/ssl/swarm/etcd-peer/ca.pem")).toBeUndefined();
    expect(copyOf(byPath, "sw-node-2", "files/etc/ssl/swarm/etcd-peer/cert.pem")).toBe(node1);
    expect(copyOf(byPath, "sw-front-1", "files/etc/ssl/swarm/docker-api/cert.pem") !== undefined).toBe(false);
    expect([...byPath.keys()].filter((file) => file.endsWith("key.pem"))).toEqual([]);
    expect([...byPath.values()].some((content) => content.includes("PRIVATE KEY"))).toBe(false);
    expect(ignitionValidate("with-ca.ign", byPath.get("nodes/sw-node-1/config.ign") ?? "").status).toBe(0);
  });
});
