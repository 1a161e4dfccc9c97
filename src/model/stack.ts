import type { Construct } from "constructs";
import { deepMerge, type DeepPartial } from "../core/deep-merge.js";
import type { StackService } from "../imports/docker-stack-v3.js";
import { ClusterConstruct, lazyOnceLocked, type Lazy } from "./base.js";
import type { OverlayNetwork } from "./network.js";
import { nodesOf, type Node, type SwarmRole } from "./node.js";
import { propsShape } from "./props-shape.js";
import type { Secret } from "./secret.js";
import { TIER_LABEL, type Tier } from "./tier.js";
import { constructsOfType } from "./tree-index.js";

/** A stack has no props yet: its name is its id. Declared, so that props given by mistake are reported. */
export type StackProps = Record<never, never>;

export const STACK_PROPS = propsShape<StackProps>()({});

/** A Docker stack (`docker stack deploy -c out/stacks/<name>.yml <name>`): its services and configs. */
export class Stack extends ClusterConstruct {
  readonly name: string;

  constructor(scope: Construct, name: string, props: StackProps = {}) {
    super(scope, name);
    this.acceptProps(props, STACK_PROPS);
    this.name = name;
  }

  get services(): Service[] {
    return constructsOfType(this, Service);
  }

  get configs(): StackConfig[] {
    return constructsOfType(this, StackConfig);
  }
}

export interface StackConfigProps {
  /**
   * The file's content; a function is called at synthesis, once the whole tree is known (a construct that
   * renders its configuration from the model passes its renderer here).
   */
  readonly contents: Lazy<string>;
}

export const STACK_CONFIG_PROPS = propsShape<StackConfigProps>()({ contents: "required" });

/**
 * A Docker config of a stack: a file the stack's services mount. Its id is its file name, unique in the
 * stack (`nginx.conf`, `web-site-www.conf`); the file is written to out/ beside the stack file, and the
 * stack file names the config after a hash of the content, because Docker configs are immutable and a new
 * name is what makes `docker stack deploy` roll the services that use it.
 */
export class StackConfig extends ClusterConstruct {
  readonly name: string;
  readonly stack: Stack;
  private readonly source: () => string;

  constructor(scope: Stack, name: string, props: StackConfigProps) {
    super(scope, name);
    props = this.acceptProps(props, STACK_CONFIG_PROPS);
    this.name = name;
    this.stack = scope;
    this.source = lazyOnceLocked(this, props.contents);
  }

  get contents(): string {
    return this.source();
  }
}

/** Where a service's tasks may run; every condition must hold (Swarm ANDs constraints). */
export interface Placement {
  /** Nodes of this tier (`node.labels.type == <tier label>`). */
  readonly tier?: Tier;
  /** Nodes carrying every one of these labels. */
  readonly labels?: Readonly<Record<string, string>>;
  /** One node, by hostname; for stateful members with an identity (a Galera node). */
  readonly hostname?: string;
  /** Managers or workers only. */
  readonly role?: SwarmRole;
  /**
   * A node label whose values the tasks are spread over evenly (a Swarm placement preference,
   * `spread: node.labels.<label>`): `"zone"` puts replicas in every zone of the nodes selected, so a
   * zone's loss costs only its share of them.
   * @default no preference: Swarm spreads tasks over nodes, whatever their zone
   */
  readonly spreadOver?: string;
}

export interface PortMapping {
  readonly published: number;
  readonly target: number;
  /** @default "tcp" */
  readonly protocol?: "tcp" | "udp";
  /**
   * `ingress` publishes on every node through the routing mesh; `host` only on nodes running a task.
   * @default "ingress"
   */
  readonly mode?: "ingress" | "host";
}

export interface ConfigMount {
  readonly config: StackConfig;
  /** Path inside the container. */
  readonly target: string;
}

/** A container health check; Swarm replaces a task that turns unhealthy, and an update waits for health. */
/** Resources Swarm reserves on a node for each task of a service. */
export interface ServiceReservations {
  /** Memory, e.g. `1G`. */
  readonly memory?: string;
  /** CPUs, e.g. `0.5`. */
  readonly cpus?: number;
}

export interface ServiceHealthcheck {
  /** Command run inside the container, exec form (`["CMD", …]`) or shell form (`["CMD-SHELL", "…"]`). */
  readonly test: readonly string[];
  /** Go durations, e.g. `10s`. */
  readonly interval?: string;
  readonly timeout?: string;
  readonly retries?: number;
  /** Failures during this first period do not count (a slow start is not a failure). */
  readonly startPeriod?: string;
}

export interface ServiceProps {
  readonly image: string;
  /**
   * `global` runs one task on every node the placement selects.
   * @default "replicated"
   */
  readonly mode?: "replicated" | "global";
  /**
   * Task count of a replicated service; `"one-per-node"` derives it from the number of nodes the placement
   * selects and spreads the tasks one per node.
   * @default 1
   */
  readonly replicas?: number | "one-per-node";
  readonly placement?: Placement;
  /** Overlays the service joins. Not with `hostNetwork`. */
  readonly networks?: readonly OverlayNetwork[];
  /**
   * Runs the tasks in their node's network namespace (the stack file attaches them to Docker's predefined
   * `host` network): they see the node's interfaces and their listeners bind the node's addresses, so
   * nothing but the host firewall stands between them and the node's public addresses. For agents that
   * must observe the host itself (node-exporter). Excludes `networks`: a task then has no overlay address,
   * so other services cannot reach it by name; address it by its node's `privateIp`. The HostFirewall
   * lets only the private network reach its listeners.
   * @default false
   */
  readonly hostNetwork?: boolean;
  readonly ports?: readonly PortMapping[];
  /** Reach the container as written, as do all the props' strings: a `$` is never substituted by Docker. */
  readonly environment?: Readonly<Record<string, string>>;
  readonly secrets?: readonly Secret[];
  readonly configs?: readonly ConfigMount[];
  /** Replaces the image's entrypoint; the image's default command is then dropped too, so set `command`. */
  readonly entrypoint?: readonly string[];
  readonly command?: readonly string[];
  /** Volume mounts in the short `source:target[:mode]` syntax. */
  readonly volumes?: readonly string[];
  readonly healthcheck?: ServiceHealthcheck;
  /**
   * How long Docker waits after SIGTERM before it kills the container, e.g. `120s`.
   * @default "10s" (Docker's)
   */
  readonly stopGracePeriod?: string;
  /** Memory limit, e.g. `128M`. */
  readonly memoryLimit?: string;
  /**
   * What Swarm sets aside on a node for each task: a node takes a task only while its unreserved memory and
   * CPUs cover it, so the failure analysis checks that the survivors of a loss have room for the tasks that move.
   * @default none: Swarm places the task wherever its constraints allow
   */
  readonly reservations?: ServiceReservations;
  /**
   * On the request path (front, app, SQL proxy): the analysis reports it as a single point of failure
   * when one task or one node carries it.
   * @default false
   */
  readonly critical?: boolean;
}

export const PLACEMENT_FIELDS = propsShape<Placement>()({
  tier: "optional",
  labels: "optional object",
  hostname: "optional",
  role: "optional",
  spreadOver: "optional",
});

export const SERVICE_PROPS = propsShape<ServiceProps>()({
  image: "required",
  mode: "optional",
  replicas: "optional",
  placement: { presence: "optional", fields: PLACEMENT_FIELDS },
  networks: "optional list",
  hostNetwork: "optional",
  ports: { presence: "optional", each: { published: "required", target: "required", protocol: "optional", mode: "optional" } },
  environment: "optional object",
  secrets: "optional list",
  configs: { presence: "optional", each: { config: "required", target: "required" } },
  entrypoint: "optional list",
  command: "optional list",
  volumes: "optional list",
  healthcheck: {
    presence: "optional",
    fields: { test: "required list", interval: "optional", timeout: "optional", retries: "optional", startPeriod: "optional" },
  },
  stopGracePeriod: "optional",
  memoryLimit: "optional",
  reservations: { presence: "optional", fields: { memory: "optional", cpus: "optional" } },
  critical: "optional",
});

/** A service of a stack. */
export class Service extends ClusterConstruct {
  readonly name: string;
  /** As declared, plus what addMounts() adds before the tree is locked. */
  props: ServiceProps;
  private readonly patches: DeepPartial<StackService>[] = [];
  private eligibleOnceLocked: readonly Node[] | undefined;

  constructor(scope: Stack, name: string, props: ServiceProps) {
    super(scope, name);
    this.name = name;
    this.props = this.acceptProps(props, SERVICE_PROPS);
  }

  get mode(): "replicated" | "global" {
    return this.props.mode ?? "replicated";
  }

  get networks(): readonly OverlayNetwork[] {
    return this.props.networks ?? [];
  }

  get hostNetwork(): boolean {
    return this.props.hostNetwork ?? false;
  }

  get ports(): readonly PortMapping[] {
    return this.props.ports ?? [];
  }

  /** Node labels the placement requires, the tier included as its `type` label. */
  get requiredLabels(): Record<string, string> {
    const placement = this.props.placement ?? {};
    return { ...placement.labels, ...(placement.tier ? { type: TIER_LABEL[placement.tier] } : {}) };
  }

  /** Swarm placement constraints, in a fixed order. */
  get constraints(): string[] {
    const placement = this.props.placement ?? {};
    const constraints: string[] = [];
    if (placement.role) constraints.push(`node.role == ${placement.role}`);
    if (placement.hostname) constraints.push(`node.hostname == ${placement.hostname}`);
    for (const [key, value] of Object.entries(this.requiredLabels).sort(([a], [b]) => (a < b ? -1 : 1))) {
      constraints.push(`node.labels.${key} == ${value}`);
    }
    return constraints;
  }

  /** Swarm placement preferences: the label the tasks spread over, if any. */
  get preferences(): { spread: string }[] {
    const spreadOver = this.props.placement?.spreadOver;
    return spreadOver === undefined ? [] : [{ spread: `node.labels.${spreadOver}` }];
  }

  /** Nodes the placement selects: where tasks can run. */
  get eligibleNodes(): Node[] {
    if (this.eligibleOnceLocked) return [...this.eligibleOnceLocked];
    const placement = this.props.placement ?? {};
    const labels = Object.entries(this.requiredLabels);
    const eligible = nodesOf(this)
      .filter((node) => labels.every(([key, value]) => node.labels[key] === value))
      .filter((node) => !placement.hostname || node.hostname === placement.hostname)
      .filter((node) => !placement.role || node.swarmRole === placement.role);
    // A locked tree gains no nodes: the generators ask per node, which made this quadratic at 1,000 nodes.
    if (this.node.locked) this.eligibleOnceLocked = eligible;
    return [...eligible];
  }

  /** `front_nginx`: the name `docker stack deploy` gives the service (its stack's name, then its own). */
  get dockerName(): string {
    const stack = this.node.scope;
    return stack instanceof Stack ? `${stack.name}_${this.name}` : this.name;
  }

  /** `name:port` as other services on a shared overlay reach it (through the service's virtual IP). */
  address(port: number): string {
    return `${this.name}:${port}`;
  }

  /** Tasks that run when every eligible node is up. */
  get replicaCount(): number {
    if (this.mode === "global") return this.eligibleNodes.length;
    const replicas = this.props.replicas ?? 1;
    return replicas === "one-per-node" ? this.eligibleNodes.length : replicas;
  }

  /** True when tasks are spread one per node, so one node's loss costs one task. */
  get spreadOnePerNode(): boolean {
    return this.mode === "global" || this.props.replicas === "one-per-node";
  }

  /**
   * Escape hatch: a patch merged over this service's generated stack entry (objects merge, arrays and
   * scalars replace, `null` deletes). Typed from the docker CLI's stack file schema. The patch is raw stack-file
   * text: `docker stack deploy` substitutes `${VAR}` in it (`$$` is a literal `$`).
   */
  override(patch: DeepPartial<StackService>): this {
    this.patches.push(patch);
    return this;
  }

  /**
   * Mounts a family adds to a service it observes (the folder of a status socket, a config file), before the
   * tree is locked; the stack file declares the configs and volumes as if they had been declared with it.
   */
  addMounts(extra: {
    readonly volumes?: readonly string[];
    readonly configs?: readonly ConfigMount[];
    readonly secrets?: readonly Secret[];
  }): this {
    this.props = {
      ...this.props,
      secrets: [...(this.props.secrets ?? []), ...(extra.secrets ?? [])],
      volumes: [...(this.props.volumes ?? []), ...(extra.volumes ?? [])],
      configs: [...(this.props.configs ?? []), ...(extra.configs ?? [])],
    };
    return this;
  }

  /** The patches given to `override()`, in order. */
  get overrides(): readonly DeepPartial<StackService>[] {
    return this.patches;
  }

  applyOverrides(service: StackService): StackService {
    return this.patches.reduce<StackService>((merged, patch) => deepMerge(merged, patch), service);
  }
}
