import type { Construct, IConstruct } from "constructs";
import { deepMerge, type DeepPartial } from "../core/deep-merge.js";
import type { IgnitionConfig } from "../imports/ignition-v3.3.js";
import { ClusterConstruct, lazyOnceLocked, type Lazy } from "./base.js";
import { propsShape } from "./props-shape.js";
import { TIER_LABEL, type Tier } from "./tier.js";
import { constructsOfType } from "./tree-index.js";

export type SwarmRole = "manager" | "worker";

/** The node label that carries a node's `zone`: placements spread over it (`node.labels.zone`). */
export const ZONE_LABEL = "zone";

export interface NodeProps {
  /** Tier the node serves; sets its `type` label (front, app, sql-proxy, database). */
  readonly tier: Tier;
  /** Address on the cluster's private network; Swarm, etcd and the overlays use it. */
  readonly privateIp: string;
  /** Public address, when the node has one; added to its certificate. */
  readonly publicIp?: string;
  /** Public IPv6 address, when the node has one: DNS answers it in AAAA records for the sites it fronts. */
  readonly publicIpv6?: string;
  /**
   * The node's memory (RAM), e.g. `4G`: what services sized from the hardware (php-fpm's pool) divide, and
   * what Swarm hands out to the tasks that reserve memory (`reservations.memory` of a Service).
   * @default unknown: nothing is sized from it, and the failure analysis takes its memory as unlimited
   */
  readonly memory?: string;
  /**
   * The node's CPUs, e.g. `2`: what Swarm hands out to the tasks that reserve CPU (`reservations.cpus`).
   * @default unknown: the failure analysis takes its CPU as unlimited
   */
  readonly cpus?: number;
  /**
   * The size of the node's root disk, e.g. `40G`: what a swap file must fit in.
   * @default unknown: nothing is checked against it
   */
  readonly disk?: string;
  /**
   * The size of a swap file for a node with little memory, e.g. `2G` (the seed's optional swap file); written
   * by `HostExtras` as /var/swapfile with a systemd swap unit.
   * @default no swap file
   */
  readonly swap?: string;
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
  /**
   * The failure domain the node shares with others (an availability zone, a datacentre, a rack): set as
   * its `zone` label, spread over by `placement.spreadOver: "zone"`, and lost as a whole by the
   * availability analysis.
   * @default none: the node is a failure domain of its own
   */
  readonly zone?: string;
}

export const NODE_PROPS = propsShape<NodeProps>()({
  tier: "required",
  privateIp: "required",
  publicIp: "optional",
  publicIpv6: "optional",
  memory: "optional",
  cpus: "optional",
  disk: "optional",
  swap: "optional",
  privateInterface: "optional",
  swarmRole: "optional",
  labels: "optional object",
  zone: "optional",
});

/** A host of the cluster. Its id is its hostname. */
export class Node extends ClusterConstruct {
  readonly hostname: string;
  readonly tier: Tier;
  readonly privateIp: string;
  readonly publicIp: string | undefined;
  readonly publicIpv6: string | undefined;
  readonly memory: string | undefined;
  readonly cpus: number | undefined;
  /** The root disk's size as declared, if any. */
  readonly disk: string | undefined;
  /** The swap file's size as declared, if any. */
  readonly swap: string | undefined;
  readonly privateInterface: string;
  readonly swarmRole: SwarmRole;
  readonly labels: Readonly<Record<string, string>>;
  /** The failure domain declared for the node, if any. */
  readonly zone: string | undefined;
  /** The labels as declared, before the tier's `type` label is added (validation reads them). */
  readonly declaredLabels: Readonly<Record<string, string>>;
  private ignitionPatches: DeepPartial<IgnitionConfig>[] = [];

  constructor(scope: Construct, hostname: string, props: NodeProps) {
    super(scope, hostname);
    props = this.acceptProps(props, NODE_PROPS);
    this.hostname = hostname;
    this.tier = props.tier;
    this.privateIp = props.privateIp;
    this.publicIp = props.publicIp;
    this.publicIpv6 = props.publicIpv6;
    this.memory = props.memory;
    this.cpus = props.cpus;
    this.disk = props.disk;
    this.swap = props.swap;
    this.privateInterface = props.privateInterface ?? "eth1";
    this.swarmRole = props.swarmRole ?? "worker";
    this.declaredLabels = props.labels ?? {};
    this.zone = props.zone;
    this.labels = { ...props.labels, ...(props.zone === undefined ? {} : { [ZONE_LABEL]: props.zone }), type: TIER_LABEL[props.tier] };
  }

  get files(): HostFile[] {
    return this.node.children.filter((c): c is HostFile => c instanceof HostFile);
  }

  get links(): HostLink[] {
    return this.node.children.filter((c): c is HostLink => c instanceof HostLink);
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

/** Every node of the tree that holds `construct`, in declaration order. */
export function nodesOf(construct: IConstruct): Node[] {
  return constructsOfType(construct.node.root, Node);
}

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
  private readonly source: () => string;

  constructor(scope: Node, id: string, props: HostFileProps) {
    super(scope, id);
    props = this.acceptProps(props, HOST_FILE_PROPS);
    this.filePath = props.path;
    this.mode = props.mode ?? 0o644;
    this.source = lazyOnceLocked(this, props.contents);
  }

  get contents(): string {
    return this.source();
  }
}

export interface HostLinkProps {
  /** Absolute path of the symbolic link on the node, e.g. `/etc/localtime`. */
  readonly path: string;
  /** What the link points to, e.g. `/usr/share/zoneinfo/Europe/Rome`. */
  readonly target: string;
}

export const HOST_LINK_PROPS = propsShape<HostLinkProps>()({ path: "required", target: "required" });

/** A symbolic link on a node, written by Ignition (`storage.links`); it replaces what is at its path. */
export class HostLink extends ClusterConstruct {
  readonly linkPath: string;
  readonly target: string;

  constructor(scope: Node, id: string, props: HostLinkProps) {
    super(scope, id);
    props = this.acceptProps(props, HOST_LINK_PROPS);
    this.linkPath = props.path;
    this.target = props.target;
  }
}

export const HOST_FILE_PROPS = propsShape<HostFileProps>()({ path: "required", contents: "required", mode: "optional" });

export interface SystemdUnitProps {
  /** Unit contents; a function is called at synthesis, once the whole tree is known. */
  readonly contents: Lazy<string>;
  /**
   * Whether the unit is enabled (its [Install] section acted on at boot).
   * @default true
   */
  readonly enabled?: boolean;
}

export const SYSTEMD_UNIT_PROPS = propsShape<SystemdUnitProps>()({ contents: "required", enabled: "optional" });

/** A systemd unit on a node; its id is the unit name, e.g. `etcd-member.service`. */
export class SystemdUnit extends ClusterConstruct {
  readonly unitName: string;
  readonly enabled: boolean;
  private readonly source: () => string;

  constructor(scope: Node, unitName: string, props: SystemdUnitProps) {
    super(scope, unitName);
    props = this.acceptProps(props, SYSTEMD_UNIT_PROPS);
    this.unitName = unitName;
    this.enabled = props.enabled ?? true;
    this.source = lazyOnceLocked(this, props.contents);
  }

  get contents(): string {
    return this.source();
  }
}
