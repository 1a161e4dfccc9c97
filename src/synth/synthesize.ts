import type { IConstruct } from "constructs";
import { analyseHa } from "../analysis/ha.js";
import type { HaReport } from "../analysis/findings.js";
import { ConfigError, isFatal, type Problem } from "../core/problems.js";
import { compareStrings } from "../core/stable-json.js";
import { isPreparable, type Preparable } from "../model/base.js";
import type { Cluster } from "../model/cluster.js";
import type { PkiOptions, PkiResolver, StateWrite } from "../pki/material.js";
import { validateModel } from "../validate/index.js";
import { sortProblems } from "../validate/problem.js";
import { propsProblems } from "../validate/props-problems.js";
import { checkFileSet } from "./file-set.js";
import { checkOutputSchemas } from "./output-schemas.js";
import type { EmittedFile, Generator } from "./generator.js";
import { unexpectedFailure } from "./unexpected.js";
import { buildManifest, manifestFile } from "./manifest.js";

export interface SynthOptions {
  /** Every family's generator; they run in any order. */
  readonly generators: readonly Generator[];
  readonly resolvePki: PkiResolver;
  readonly pki: PkiOptions;
  /** Name of the config file compiled, recorded in out/manifest.json. */
  readonly configName: string;
  /** The Docker secrets' versions (the project's `secret-versions.json`); every secret is at 1 without it. */
  readonly secretVersions?: Readonly<Record<string, number>>;
}

export interface SynthResult {
  /** Every file of out/, manifest included, sorted by path. */
  readonly files: readonly EmittedFile[];
  readonly ha: HaReport;
  /** Warnings and notes of the model's validation, for the CLI to print (the availability findings are in `ha`). */
  readonly problems: readonly Problem[];
  /** PKI state to persist alongside out/. */
  readonly stateWrites: readonly StateWrite[];
  /** Certificates that needed issuing (for --check). */
  readonly pendingIssues: readonly string[];
}

/**
 * Synthesis in fixed phases, as cdk8s does: prepare → lock the tree → the one validation phase (the model's
 * schema and rules, every construct's own checks, every generator's preconditions, and the availability
 * analysis: all problems at once) → resolve certificates → run the generators → check the file set, and each
 * stack file and Ignition config against its official schema → manifest. Nothing here writes to disk; the
 * caller decides whether to write or compare. Whatever goes wrong comes out as a ConfigError of Problems,
 * never as a JavaScript error.
 */
export async function synthesize(cluster: Cluster, options: SynthOptions): Promise<SynthResult> {
  cluster.useSecretVersions(options.secretVersions ?? {});
  const problems = explainedByProps(cluster, () => {
    prepareTree(cluster);
    cluster.node.lock();
    return guarded("validating the model", cluster, () =>
      sortProblems([...validateModel(cluster), ...options.generators.flatMap((generator) => generator.validate?.(cluster) ?? [])]),
    );
  });
  if (problems.some(isFatal)) throw new ConfigError(problems.filter(isFatal));
  // Only a model that compiles is analysed: its findings are never fatal, so a rejected model needs none.
  const ha = guarded("analysing availability", cluster, () => analyseHa(cluster));

  const pki = await options.resolvePki(cluster, options.pki);

  const files: EmittedFile[] = [];
  for (const generator of options.generators) {
    const generated = await guardedAsync(`generating the ${generator.name} files`, cluster, () =>
      generator.generate({ cluster, pki: pki.material, ha }),
    );
    for (const file of generated) files.push({ ...file, generator: generator.name });
  }

  const fileProblems = [...checkFileSet(files), ...checkOutputSchemas(cluster, files)];
  if (fileProblems.length > 0) throw new ConfigError(fileProblems);

  files.push(manifestFile(buildManifest(files, options.configName)));
  files.sort((a, b) => compareStrings(a.path, b.path));
  return { files, ha, problems, stateWrites: pki.writes, pendingIssues: pki.pending };
}

/**
 * Lets each Preparable construct complete itself, once, in tree order; what a prepare adds may itself be
 * preparable, so the walk repeats until nothing new appears.
 */
export function prepareTree(cluster: Cluster): void {
  const prepared = new Set<IConstruct>();
  for (;;) {
    const pending = cluster.node.findAll().filter((construct) => isPreparable(construct) && !prepared.has(construct));
    if (pending.length === 0) return;
    for (const construct of pending) {
      prepared.add(construct);
      guarded("preparing", construct, () => (construct as IConstruct & Preparable).prepare());
    }
  }
}

/**
 * Preparing and validating a tree whose props are missing or malformed may trip over them; when it does,
 * the props problems are what the user needs, not "failed while preparing".
 */
function explainedByProps<T>(cluster: Cluster, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const props = propsProblems(cluster.node.findAll());
    if (props.length === 0) throw error;
    const others = error.problems.filter((found) => found.code !== "construct/unexpected-failure");
    throw new ConfigError(sortProblems([...props, ...others]));
  }
}

/** {@link guarded} for a step that may return a promise (a generator that loads its renderer first). */
async function guardedAsync<T>(step: string, construct: IConstruct, run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([unexpectedFailure(step, construct, error)]);
  }
}

/** Runs one step of synthesis; an exception that is not a ConfigError becomes a located Problem. */
function guarded<T>(step: string, construct: IConstruct, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError([unexpectedFailure(step, construct, error)]);
  }
}
