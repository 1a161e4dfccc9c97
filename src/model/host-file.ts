import { ClusterConstruct, resolveLazy, type Lazy } from "./base.js";
import type { Node } from "./node.js";

export interface HostFileProps {
  /** Absolute path on the host. */
  readonly path: string;
  /** File contents; a function is called at synthesis, once the whole tree is known. */
  readonly contents: Lazy<string>;
  /**
   * Permission bits.
   * @default 0o644
   */
  readonly mode?: number;
}

/** A file written on a node at first boot (an Ignition `storage.files` entry). */
export class HostFile extends ClusterConstruct {
  readonly filePath: string;
  readonly mode: number;
  private readonly source: Lazy<string>;

  constructor(scope: Node, id: string, props: HostFileProps) {
    super(scope, id);
    this.filePath = props.path;
    this.mode = props.mode ?? 0o644;
    this.source = props.contents;
  }

  get contents(): string {
    return resolveLazy(this.source);
  }
}
