import path from "node:path";
import { loadConfig } from "../config/load.js";
import type { Cluster } from "../model/cluster.js";
import { resolvePki } from "../pki/resolve.js";
import { readSecretVersions } from "../docker-secrets/versions.js";
import { GENERATORS } from "../synth/registry.js";
import { synthesize, type SynthResult } from "../synth/synthesize.js";
import type { ProjectPaths } from "./project.js";

/**
 * Loads the config and synthesizes it in memory: the shared first half of `build`, `--check` and `diff`. The
 * locked tree comes along for the commands that describe the model itself (`dns`).
 */
export async function compileProject(paths: ProjectPaths, allowIssue: boolean): Promise<SynthResult & { readonly cluster: Cluster }> {
  for (const generator of GENERATORS) generator.preload?.();
  const cluster = await loadConfig(paths.configFile);
  const result = await synthesize(cluster, {
    generators: GENERATORS,
    resolvePki,
    pki: { ...paths.pki, allowIssue },
    configName: path.basename(paths.configFile),
    secretVersions: readSecretVersions(paths.secretVersionsFile),
  });
  return { ...result, cluster };
}
