import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { Cluster, type ClusterProps } from "./model/cluster.js";
import { Node } from "./model/node.js";
import type { Tier } from "./model/tier.js";
import { resolvePki } from "./pki/resolve.js";
import type { Generator } from "./synth/generator.js";
import { GENERATORS } from "./synth/registry.js";
import { synthesize, type SynthResult } from "./synth/synthesize.js";

export interface TestSynthOptions {
  /** Generators to run; all families by default. */
  readonly generators?: readonly Generator[];
  /** Folder holding `pki/` and `secrets/pki/`; a fresh temporary one (removed afterwards) by default. */
  readonly projectDir?: string;
  /** The Docker secrets' versions, as a project's `secret-versions.json` holds them; every secret at 1 by default. */
  readonly secretVersions?: Readonly<Record<string, number>>;
}

export interface TestClusterOptions extends Partial<ClusterProps> {
  /**
   * Nodes to add, by tier (at most 9 each), named and addressed as in the reference cluster: `front: 2`
   * adds sw-front-1 (10.10.1.11, public 203.0.113.11) and sw-front-2; app nodes are sw-node-N (.2N; the
   * first three are Swarm managers), proxy nodes sw-proxy-N (.3N), database nodes sw-db-N (.4N). The
   * addresses are in the default privateNetwork, 10.10.1.0/24.
   * @default no nodes
   */
  readonly nodes?: Partial<Readonly<Record<Tier, number>>>;
}

/** Where each tier's nodes sit in the 10.10.1.0/24 test network, and what they are called. */
const TEST_TIERS: Readonly<Record<Tier, { readonly hostname: string; readonly block: number; readonly publicIp: boolean }>> = {
  front: { hostname: "sw-front", block: 10, publicIp: true },
  app: { hostname: "sw-node", block: 20, publicIp: false },
  proxy: { hostname: "sw-proxy", block: 30, publicIp: false },
  db: { hostname: "sw-db", block: 40, publicIp: false },
};

/** An operator key in the OpenSSH format, so Ignition's user section is exercised as in a real cluster. */
const TEST_SSH_KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@test";

/**
 * Test helpers shipped with the library (cdk8s' `Testing.app` and `Testing.synth`): a small valid cluster
 * and its files synthesized in memory, so a generator test is three lines:
 * `const cluster = Testing.cluster(); new MyConstruct(cluster, …); const files = await Testing.synth(cluster);`
 */
export const Testing = {
  /** A valid cluster named "test" on 10.10.1.0/24, domain swarm.internal, one SSH key; any field can be given. */
  cluster(options: TestClusterOptions = {}): Cluster {
    const { nodes = {}, ...props } = options;
    const cluster = new Cluster({
      name: "test",
      privateNetwork: "10.10.1.0/24",
      domain: "swarm.internal",
      sshAuthorizedKeys: [TEST_SSH_KEY],
      ...props,
    });
    for (const [tier, { hostname, block, publicIp }] of Object.entries(TEST_TIERS) as [Tier, (typeof TEST_TIERS)[Tier]][]) {
      const count = nodes[tier] ?? 0;
      if (!Number.isInteger(count) || count < 0 || count > 9)
        throw new RangeError(`Testing.cluster: nodes.${tier} must be 0 to 9, not ${count}`);
      for (let number = 1; number <= count; number++) {
        new Node(cluster, `${hostname}-${number}`, {
          tier,
          privateIp: `10.10.1.${block + number}`,
          ...(publicIp ? { publicIp: `203.0.113.${block + number}` } : {}),
          ...(tier === "app" && number <= 3 ? { swarmRole: "manager" as const } : {}),
        });
      }
    }
    return cluster;
  },

  async synthResult(cluster: Cluster, options: TestSynthOptions = {}): Promise<SynthResult> {
    const projectDir = options.projectDir ?? mkdtempSync(path.join(tmpdir(), "swarm-cluster-test-"));
    try {
      return await synthesize(cluster, {
        generators: options.generators ?? GENERATORS,
        resolvePki,
        pki: {
          stateDir: path.join(projectDir, "pki"),
          secretsDir: path.join(projectDir, "secrets", "pki"),
          allowIssue: true,
        },
        configName: "(built by a test)",
        ...(options.secretVersions ? { secretVersions: options.secretVersions } : {}),
      });
    } finally {
      if (!options.projectDir) rmSync(projectDir, { recursive: true, force: true });
    }
  },

  /** The synthesized out/ as a map of relative path → content. */
  async synth(cluster: Cluster, options: TestSynthOptions = {}): Promise<Map<string, string>> {
    const result = await Testing.synthResult(cluster, options);
    return new Map(result.files.map((file) => [file.path, file.content]));
  },
};
