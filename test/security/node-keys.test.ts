import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { syntheticCluster } from "../../bench/synthetic-cluster.js";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { HostFile, Testing, type Cluster } from "../../src/index.js";
import { PkiState } from "../../src/pki/state.js";
import { isPrivateKeyFile, unsafeKeyFiles } from "../../src/provision/key-files.js";
import { planOverlays } from "../../src/provision/plan.js";
import { writeStateFiles } from "../../src/synth/write-out.js";

/**
 * Unit checks of the node keys' permissions: every node's whole user-data (its public Ignition config plus
 * the keys `swarm-cluster provision` adds) writes each private key 0600 or 0400, owned by root, and
 * provisioning refuses a config that would write one readable by others. The cluster is the synthetic one
 * shaped like the reference (every family, 8 nodes), its PKI issued into a temporary folder.
 */

const dir = mkdtempSync(path.join(tmpdir(), "node-keys-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const stateOf = (domain: string) => new PkiState({ stateDir: path.join(dir, "pki"), secretsDir: path.join(dir, "secrets", "pki") }, domain);

async function provisionPlan(cluster: Cluster) {
  const result = await Testing.synthResult(cluster, { projectDir: dir });
  writeStateFiles(result.stateWrites);
  return planOverlays(result, stateOf, []);
}

function pemPrivateKey(): string {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return privateKey.export({ type: "pkcs8", format: "pem" }).toString();
}

describe("private keys on the nodes", () => {
  let overlays: { hostname: string; config: IgnitionConfig }[] = [];
  let hostnames: string[] = [];

  beforeAll(async () => {
    const cluster = syntheticCluster(8);
    hostnames = cluster.nodes.map((node) => node.hostname);
    const plan = await provisionPlan(cluster);
    expect(plan.problems).toEqual([]);
    overlays = plan.overlays.map((overlay) => ({ hostname: overlay.hostname, config: JSON.parse(overlay.content) as IgnitionConfig }));
  }, 120_000);

  it("are root's alone on every node: mode 0600 or 0400, user and group root", () => {
    expect(overlays.map((overlay) => overlay.hostname).sort()).toEqual([...hostnames].sort());
    for (const { hostname, config } of overlays) {
      const keys = (config.storage?.files ?? []).filter(isPrivateKeyFile);
      // The node's Docker API key at least (every node serves the API); any other key file is held to the same rule.
      expect(
        keys.map((file) => file.path),
        hostname,
      ).toContain(HOST_TLS.dockerApi.key);
      for (const key of keys) {
        expect([0o600, 0o400], `${hostname} ${key.path}`).toContain(key.mode);
        expect(key.user?.name ?? "root", `${hostname} ${key.path}`).toBe("root");
        expect(key.group?.name ?? "root", `${hostname} ${key.path}`).toBe("root");
      }
      expect(unsafeKeyFiles(config), hostname).toEqual([]);
    }
  });

  it("the check catches a planted key readable by others, or owned by another user", () => {
    const [first] = overlays;
    if (!first) throw new Error("no overlay");
    const contents = { source: `data:;base64,${Buffer.from(pemPrivateKey()).toString("base64")}` };
    const planted: IgnitionConfig = {
      ...first.config,
      storage: {
        ...first.config.storage,
        files: [
          ...(first.config.storage?.files ?? []),
          { path: "/opt/app/tls/server.pem", contents, mode: 0o644 },
          { path: "/opt/app/tls/client.pem", contents, mode: 0o600, user: { name: "core" } },
          { path: "/opt/app/tls/other.pem", contents },
        ],
      },
    };
    expect(unsafeKeyFiles(planted)).toEqual([
      { path: "/opt/app/tls/server.pem", reason: "mode 0644 (must be 0600 or 0400)" },
      { path: "/opt/app/tls/client.pem", reason: "owner core (must be root)" },
      // Ignition's default mode for a file without one.
      { path: "/opt/app/tls/other.pem", reason: "mode 0644 (must be 0600 or 0400)" },
    ]);
  });

  it("provisioning refuses a node whose config writes a key file 0644, naming the node and the file", async () => {
    const cluster = syntheticCluster(8);
    const [node] = cluster.nodes;
    if (!node) throw new Error("no node");
    // A key by its name (its contents come later, by hand): the build lets it through, provisioning must not.
    new HostFile(node, "app-key", { path: "/etc/ssl/private/app.key", contents: "placeholder\n", mode: 0o644 });
    const plan = await provisionPlan(cluster);
    expect(plan.problems).toEqual([
      {
        hostname: node.hostname,
        message: expect.stringContaining("/etc/ssl/private/app.key with mode 0644 (must be 0600 or 0400)"),
        hint: expect.stringContaining("0o600"),
      },
    ]);
    expect(plan.overlays.map((overlay) => overlay.hostname)).not.toContain(node.hostname);
  }, 120_000);
});
