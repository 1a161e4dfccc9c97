import type { Construct } from "constructs";
import { deepMerge, type DeepPartial } from "../core/deep-merge.js";
import type { IgnitionConfig } from "../imports/ignition-v3.3.js";
import { ClusterConstruct } from "./base.js";
import { HostFile } from "./host-file.js";
import { SystemdUnit } from "./systemd-unit.js";
import { TIER_LABEL, type Tier } from "./tier.js";

export type SwarmRole = "manager" | "worker";

export interface NodeProps {
  /** Tier the node serves; sets its `type` label (front, app, sql-proxy, database). */
  readonly tier: Tier;
  /** Address on the cluster's private network; Swarm, etcd and the overlays use it. */
  readonly privateIp: string;
  /** Public address, when the node has one; added to its certificate. */
  readonly publicIp?: string;
  /**
   * Interface that carries the private network.
   * @default "eth1"
   */
  readonly privateInterface?: string;
  /**
   * Role in the Swarm.
   * @default "worker"
   */
  readonly swarmRole?: SwarmRole;
  /** Extra node labels beyond `type`, e.g. `{ proxysql: "true" }`. */
  readonly labels?: Readonly<Record<string, string>>;
}

/** A host of the cluster. Its id is its hostname. */
export class Node extends ClusterConstruct {
  readonly hostname: string;
  readonly tier: Tier;
  readonly privateIp: string;
  readonly publicIp: string | undefined;
  readonly privateInterface: string;
  readonly swarmRole: SwarmRole;
  readonly labels: Readonly<Record<string, string>>;
  /** The labels as declared, before the tier's `type` label is added (validation reads them). */
  readonly declaredLabels: Readonly<Record<string, string>>;
  private ignitionPatches: DeepPartial<IgnitionConfig>[] = [];

  constructor(scope: Construct, hostname: string, props: NodeProps) {
    super(scope, hostname);
    this.hostname = hostname;
    this.tier = props.tier;
    this.privateIp = props.privateIp;
    this.publicIp = props.publicIp;
    this.privateInterface = props.privateInterface ?? "eth1";
    this.swarmRole = props.swarmRole ?? "worker";
    this.declaredLabels = props.labels ?? {};
    this.labels = { ...props.labels, type: TIER_LABEL[props.tier] };
  }

  get files(): HostFile[] {
    return this.node.children.filter((c): c is HostFile => c instanceof HostFile);
  }

  get units(): SystemdUnit[] {
    return this.node.children.filter((c): c is SystemdUnit => c instanceof SystemdUnit);
  }

  /**
   * Escape hatch: a patch merged over this node's generated Ignition config (objects merge, arrays and
   * scalars replace, `null` deletes). Typed from the official Ignition 3.3 schema.
   */
  overrideIgnition(patch: DeepPartial<IgnitionConfig>): this {
    this.ignitionPatches.push(patch);
    return this;
  }

  /** The patches given to `overrideIgnition()`, in order. */
  get ignitionOverrides(): readonly DeepPartial<IgnitionConfig>[] {
    return this.ignitionPatches;
  }

  applyIgnitionOverrides(config: IgnitionConfig): IgnitionConfig {
    return this.ignitionPatches.reduce<IgnitionConfig>((merged, patch) => deepMerge(merged, patch), config);
  }
}
