import { Construct } from "constructs";
import type { Problem } from "../core/problems.js";
import type { RawFrame, SourceLocation } from "../core/source-location.js";
import { captureConfigFrame, resolveFrame } from "../core/source-location.js";
import { acceptProps } from "./props-faults.js";
import type { PropsShape } from "./props-shape.js";

/**
 * Base of every construct in the cluster tree: records where in the config it was declared, so that an
 * error about it can point at `cluster.config.ts:line:column`.
 */
export abstract class ClusterConstruct extends Construct {
  private readonly declaredAt: RawFrame | undefined;

  protected constructor(scope: Construct, id: string) {
    super(scope, id);
    // A construct made by another one while the tree is prepared (after the config ran) points at the
    // line of its parent: the certificate ClusterPki adds for a node is reported where the node is.
    this.declaredAt = captureConfigFrame() ?? (scope instanceof ClusterConstruct ? scope.declaredAt : undefined);
  }

  /**
   * Checks the props given against the construct's declared shape (unknown keys with a did-you-mean, props
   * that are not an object, lists and objects of the wrong kind, missing required props) and returns what
   * the constructor may read. The faults are reported in the validation phase, with the config line;
   * nothing throws. Call it first: `props = this.acceptProps(props, MY_PROPS)`.
   */
  protected acceptProps<T>(props: T, fields: PropsShape<T>): T {
    return acceptProps(this, props, fields);
  }

  /** The declaration site in the user's config, when the construct was declared from one. */
  get location(): SourceLocation | undefined {
    return resolveFrame(this.declaredAt);
  }

  /** The construct path, e.g. `cluster/sw-node-1`; used in errors, the manifest and the HA report. */
  get path(): string {
    return this.node.path;
  }

  /**
   * The construct's own checks of its props and of what it derives from the tree, run in the validation
   * phase (after prepare and lock, before any generator), so every problem of the config is reported at once.
   * Constructs override it; report with a catalogue (`defineMessages`) so each problem has a code and a fix.
   */
  validateConstruct(): Problem[] {
    return [];
  }
}

/** A value that may be computed only once the whole tree is known (initial cluster, host lists, targets). */
export type Lazy<T> = T | (() => T);

export function resolveLazy<T>(value: Lazy<T>): T {
  return typeof value === "function" ? (value as () => T)() : value;
}

/**
 * A construct's lazy value, resolved once the tree is locked and remembered: every reader of a file's
 * contents (the generator, its hash in a stack file, the apply script) then gets the one rendering, where a
 * list of every node (Prometheus' targets, /etc/hosts) rendered per read made builds quadratic. Before the
 * lock each read resolves anew: the tree may still grow.
 */
export function lazyOnceLocked<T>(construct: Construct, value: Lazy<T>): () => T {
  let resolved: { readonly value: T } | undefined;
  return () => {
    if (resolved) return resolved.value;
    const current = resolveLazy(value);
    if (construct.node.locked) resolved = { value: current };
    return current;
  };
}

/**
 * A construct that completes itself once the whole config has run, before the tree is locked: one that
 * acts on "every node" must also see the nodes declared after it. Synthesis calls `prepare()` once on each.
 */
export interface Preparable {
  prepare(): void;
}

export function isPreparable(value: unknown): value is Preparable {
  return typeof (value as Partial<Preparable>).prepare === "function";
}
