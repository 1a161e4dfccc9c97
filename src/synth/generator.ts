import type { Cluster } from "../model/cluster.js";
import type { HaReport } from "../analysis/findings.js";
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
  /** Files returned by the generators that ran before this one (the stack generator links configs). */
  readonly emitted: ReadonlyMap<string, EmittedFile>;
}

/** One artifact family. Reads the model, returns files, never touches the disk. */
export interface Generator {
  /** Family name; matches its folder under generators/. */
  readonly name: string;
  generate(context: SynthContext): GeneratedFile[];
}
