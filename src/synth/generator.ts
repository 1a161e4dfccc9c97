import type { HaReport } from "../analysis/findings.js";
import type { Problem } from "../core/problems.js";
import type { Cluster } from "../model/cluster.js";
import type { PkiMaterial } from "../pki/material.js";

/**
 * How a change to a file reaches the running cluster, for `swarm-cluster diff`:
 * - `host`: read by nodes at first boot (Ignition) — a change needs a day-2 apply or re-provisioning;
 * - `stack`: deployed live by `docker stack deploy`;
 * - `swarm`: a script that changes Swarm-wide state (overlays, node labels), run again on a manager;
 * - `operator`: read by people or by the operator's tools (reports, the manifest, public certificates).
 */
export type Delivery =
  | { readonly kind: "host"; readonly nodes: readonly string[] }
  | { readonly kind: "stack"; readonly stack: string }
  | { readonly kind: "swarm" }
  | { readonly kind: "operator" };

/** A file a generator returns; the core writes it to out/<path>. */
export interface GeneratedFile {
  /** Relative POSIX path inside out/. */
  readonly path: string;
  readonly content: string;
  /** Path of the construct the file was produced from. */
  readonly construct: string;
  readonly delivery: Delivery;
  /**
   * The value `content` serializes, when a generator has it (a stack file's document): the schema checks
   * validate it instead of parsing the text back, which cost more than rendering it.
   */
  readonly document?: unknown;
}

/** A file as the pipeline holds it: what the generator returned, tagged with the generator's name. */
export interface EmittedFile extends GeneratedFile {
  readonly generator: string;
}

/** What a generator may read: the locked tree and what earlier phases resolved. Nothing here writes. */
export interface SynthContext {
  readonly cluster: Cluster;
  readonly pki: PkiMaterial;
  readonly ha: HaReport;
}

/**
 * One artifact family's writer. Reads the model, returns files, never touches the disk, and never reads
 * another generator's files: what a file holds comes from the model (a StackConfig or HostFile carries its
 * content), so generators run in any order.
 */
export interface Generator {
  /** Family name; matches its folder under generators/. */
  readonly name: string;
  /**
   * What would stop this generator, found before any generator runs (the one validation phase): every
   * problem of every family is then reported at once.
   */
  validate?(cluster: Cluster): Problem[];
  /**
   * Starts loading what generate() needs (a WebAssembly renderer) without waiting, so that it loads while
   * the config is bundled; called once, before the config is loaded. Never throws: a failure shows in generate().
   */
  preload?(): void;
  /** Files only; asynchronous when a family needs to load something first (a WebAssembly renderer). */
  generate(context: SynthContext): GeneratedFile[] | Promise<GeneratedFile[]>;
}

const GENERATOR = Symbol.for("swarm-cluster.generator");

/** Marks a family's generator, so the registry finds it among the exports of generators/index.ts. */
export function defineGenerator<G extends Generator>(generator: G): G {
  return Object.assign(generator, { [GENERATOR]: true });
}

export function isGenerator(value: unknown): value is Generator {
  return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[GENERATOR] === true;
}
