import { ClusterConstruct, resolveLazy, type Lazy } from "./base.js";
import type { Node } from "./node.js";

export interface SystemdUnitProps {
  /** Unit contents; a function is called at synthesis, once the whole tree is known. */
  readonly contents: Lazy<string>;
  /**
   * Whether the unit is enabled (its [Install] section acted on at boot).
   * @default true
   */
  readonly enabled?: boolean;
}

/** A systemd unit on a node; its id is the unit name, e.g. `etcd-member.service`. */
export class SystemdUnit extends ClusterConstruct {
  readonly unitName: string;
  readonly enabled: boolean;
  private readonly source: Lazy<string>;

  constructor(scope: Node, unitName: string, props: SystemdUnitProps) {
    super(scope, unitName);
    this.unitName = unitName;
    this.enabled = props.enabled ?? true;
    this.source = props.contents;
  }

  get contents(): string {
    return resolveLazy(this.source);
  }
}
