import { Construct, type IConstruct } from "constructs";
import type { SourceLocation } from "../core/source-location.js";
import { captureConfigFrame, resolveFrame, type RawFrame } from "../core/source-location.js";
import { Node } from "./node.js";
import { constructsOfType } from "./tree-index.js";
import { acceptProps } from "./props-faults.js";
import { propsShape } from "./props-shape.js";
import { OverlayNetwork } from "./network.js";
import { Stack } from "./stack.js";
import { Secret } from "./secret.js";
import { Site } from "./site.js";
import type { Tier } from "./tier.js";

export type OperatingSystem = "flatcar" | "fedora-coreos";

export interface ClusterProps {
  /** Name of the cluster; prefixes certificate subjects and the Prometheus `cluster` label. */
  readonly name: string;
  /** The private network every node has an address in, e.g. `10.10.1.0/24`. */
  readonly privateNetwork: string;
  /** Internal DNS domain appended to hostnames in /etc/hosts and certificates, e.g. `swarm.internal`. */
  readonly domain: string;
  /** Public SSH keys installed for the `core` user on every node. */
  readonly sshAuthorizedKeys: readonly string[];
  /**
   * CoreOS-family distribution the Ignition files are written for.
   * @default "flatcar"
   */
  readonly os?: OperatingSystem;
}

export const CLUSTER_PROPS = propsShape<ClusterProps>()({
  name: "required",
  privateNetwork: "required",
  domain: "required",
  sshAuthorizedKeys: "required list",
  os: "optional",
});

/**
 * Root of the construct tree: one cluster, its nodes, overlay networks, stacks, secrets and sites.
 * Everything the generators write is derived from this tree.
 */
export class Cluster extends Construct {
  /** The cluster a construct belongs to. */
  static of(construct: IConstruct): Cluster {
    const root = construct.node.root;
    if (!(root instanceof Cluster)) throw new Error(`${construct.node.path} is not inside a Cluster`);
    return root;
  }

  readonly name: string;
  readonly privateNetwork: string;
  readonly domain: string;
  readonly sshAuthorizedKeys: readonly string[];
  readonly os: OperatingSystem;
  private readonly declaredAt: RawFrame | undefined;
  private secretVersions: Readonly<Record<string, number>> = {};

  constructor(props: ClusterProps) {
    // The root id is the tree's first path segment, so construct paths read `cluster/sw-node-1`.
    super(undefined as unknown as Construct, "cluster");
    this.declaredAt = captureConfigFrame();
    props = acceptProps(this, props, CLUSTER_PROPS);
    this.name = props.name;
    this.privateNetwork = props.privateNetwork;
    this.domain = props.domain;
    this.sshAuthorizedKeys = props.sshAuthorizedKeys;
    this.os = props.os ?? "flatcar";
  }

  get location(): SourceLocation | undefined {
    return resolveFrame(this.declaredAt);
  }

  get path(): string {
    return "cluster";
  }

  /** Every construct of a type anywhere in the tree, in declaration order. */
  all<T extends IConstruct>(type: abstract new (...args: never[]) => T): T[] {
    return constructsOfType(this, type);
  }

  get nodes(): Node[] {
    return this.all(Node);
  }

  get networks(): OverlayNetwork[] {
    return this.all(OverlayNetwork);
  }

  get stacks(): Stack[] {
    return this.all(Stack);
  }

  get secrets(): Secret[] {
    return this.all(Secret);
  }

  get sites(): Site[] {
    return this.all(Site);
  }

  /**
   * The versions of the Docker secrets, from the project's committed `secret-versions.json` (which
   * `swarm-cluster secrets --rotate` bumps); a secret not listed is at version 1.
   */
  useSecretVersions(versions: Readonly<Record<string, number>>): void {
    this.secretVersions = versions;
  }

  secretVersion(name: string): number {
    return Object.hasOwn(this.secretVersions, name) ? (this.secretVersions[name] as number) : 1;
  }

  nodesInTier(tier: Tier): Node[] {
    return this.nodes.filter((node) => node.tier === tier);
  }

  get managers(): Node[] {
    return this.nodes.filter((node) => node.swarmRole === "manager");
  }

  /** Nodes whose labels include every given key=value pair (what a Swarm placement constraint selects). */
  nodesWithLabels(labels: Readonly<Record<string, string>>): Node[] {
    return this.nodes.filter((node) => Object.entries(labels).every(([key, value]) => node.labels[key] === value));
  }

  network(name: string): OverlayNetwork | undefined {
    return this.networks.find((network) => network.name === name);
  }
}
