import { ConfigError } from "../core/problems.js";
import { analyseHa } from "../analysis/ha.js";
import type { HaReport } from "../analysis/findings.js";
import type { IConstruct } from "constructs";
import { isPreparable, type ClusterConstruct, type Preparable } from "../model/base.js";
import type { Cluster } from "../model/cluster.js";
import type { PkiOptions, PkiResolver, StateWrite } from "../pki/material.js";
import { validateModel } from "../validate/index.js";
import { checkFileSet } from "./file-set.js";
import { checkOutputSchemas } from "./output-schemas.js";
import type { EmittedFile, Generator } from "./generator.js";
import { buildManifest, manifestFile } from "./manifest.js";
import { compareStrings } from "../core/stable-json.js";

export interface SynthOptions {
  /** Generators in the order they run; the stack linker comes last. */
  readonly generators: readonly Generator[];
  readonly resolvePki: PkiResolver;
  readonly pki: PkiOptions;
  /** Name of the config file compiled, recorded in out/manifest.json. */
  readonly configName: string;
}

export interface SynthResult {
  /** Every file of out/, manifest included, sorted by path. */
  readonly files: readonly EmittedFile[];
  readonly ha: HaReport;
  /** PKI state to persist alongside out/. */
  readonly stateWrites: readonly StateWrite[];
  /** Certificates that needed issuing (for --check). */
  readonly pendingIssues: readonly string[];
}

/**
 * Synthesis in fixed phases, as cdk8s does: prepare → lock the tree → validate every construct (all problems at
 * once) → analyse availability → resolve certificates → run each generator → check the file set, and each
 * stack file and Ignition config against its official schema → manifest.
 * Nothing here writes to disk; the caller decides whether to write or compare.
 */
export async function synthesize(cluster: Cluster, options: SynthOptions): Promise<SynthResult> {
  prepareTree(cluster);
  cluster.node.lock();

  const problems = validateModel(cluster);
  if (problems.length > 0) throw new ConfigError(problems);

  const ha = analyseHa(cluster);
  const pki = await options.resolvePki(cluster, options.pki);

  const emitted = new Map<string, EmittedFile>();
  const files: EmittedFile[] = [];
  for (const generator of options.generators) {
    for (const file of generator.generate({ cluster, pki: pki.material, ha, emitted })) {
      const tagged: EmittedFile = { ...file, generator: generator.name };
      files.push(tagged);
      if (!emitted.has(file.path)) emitted.set(file.path, tagged);
    }
  }

  const fileProblems = [...checkFileSet(files), ...checkOutputSchemas(cluster, files)];
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);

  files.push(manifestFile(buildManifest(files, options.configName)));
  files.sort((a, b) => compareStrings(a.path, b.path));
  return { files, ha, stateWrites: pki.writes, pendingIssues: pki.pending };
}

/**
 * Lets each Preparable construct complete itself, once, in tree order; what a prepare adds may itself be
 * preparable, so the walk repeats until nothing new appears.
 */
function prepareTree(cluster: Cluster): void {
  const prepared = new Set<IConstruct>();
  for (;;) {
    const pending = cluster.node.findAll().filter((construct) => isPreparable(construct) && !prepared.has(construct));
    if (pending.length === 0) return;
    for (const construct of pending) {
      prepared.add(construct);
      try {
        (construct as IConstruct & Preparable).prepare();
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        const declared = construct as Partial<ClusterConstruct>;
        throw new ConfigError([
          {
            code: "construct/prepare-failed",
            construct: construct.node.path,
            field: "",
            message: error instanceof Error ? error.message : String(error),
            hint: "change the construct's props as the message says",
            location: declared.location,
          },
        ]);
      }
    }
  }
}
