import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Cluster } from "./model/cluster.js";
import { resolvePki } from "./pki/resolve.js";
import type { Generator } from "./synth/generator.js";
import { GENERATORS } from "./synth/registry.js";
import { synthesize, type SynthResult } from "./synth/synthesize.js";

export interface TestSynthOptions {
  /** Generators to run; all families by default. */
  readonly generators?: readonly Generator[];
  /** Folder holding `pki/` and `secrets/pki/`; a fresh temporary one (removed afterwards) by default. */
  readonly projectDir?: string;
}

/**
 * Test helpers shipped with the library (cdk8s' `Testing.synth`): synthesize a cluster in memory and get
 * its files, so a generator test is three lines.
 */
export const Testing = {
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
