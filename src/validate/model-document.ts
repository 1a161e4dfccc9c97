/**
 * The model as plain JSON: what the JSON Schema in src/imports/model.schema.json describes. The schema is
 * derived from these types by ts-json-schema-generator (`swarm-cluster import`), so the constraints live
 * once, in JSDoc tags (here and on the constrained values in model-scalars.ts).
 *
 * Arrays keep the cluster's declaration order (`cluster.nodes`, `stack.services`…), which is how a
 * document path such as `/nodes/3/privateIp` is mapped back to its construct (see document-path.ts).
 */
import type { Cluster } from "../model/cluster.js";
import type { Service } from "../model/stack.js";
import type {
  AbsolutePath,
  Cidr,
  ClusterName,
  CpuCount,
  DnsName,
  DockerName,
  Environment,
  Hostname,
  ImageReference,
  InterfaceName,
  Ipv4Address,
  LabelKey,
  Labels,
  MemorySize,
  Mtu,
  Port,
  SshPublicKey,
  StackName,
  TaskCount,
  Zone,
} from "./model-scalars.js";

export type Tier = "front" | "app" | "proxy" | "db";
export type OperatingSystem = "flatcar" | "fedora-coreos";
export type SwarmRole = "manager" | "worker";
export type ServiceMode = "replicated" | "global";

export interface ClusterSpec {
  name: ClusterName;
  privateNetwork: Cidr;
  domain: DnsName;
  sshAuthorizedKeys: SshPublicKey[];
  os: OperatingSystem;
}

export interface NodeSpec {
  hostname: Hostname;
  tier: Tier;
  privateIp: Ipv4Address;
  publicIp?: Ipv4Address;
  privateInterface: InterfaceName;
  swarmRole: SwarmRole;
  labels: Labels;
  zone?: Zone;
  /** The node's memory. */
  memory?: MemorySize;
  cpus?: CpuCount;
  /** The root disk's size. */
  disk?: MemorySize;
  /** The swap file's size. */
  swap?: MemorySize;
}

export interface NetworkSpec {
  name: DockerName;
  subnet: Cidr;
  mtu: Mtu;
  encrypted: boolean;
}

export interface PlacementSpec {
  tier?: Tier;
  labels?: Labels;
  hostname?: Hostname;
  role?: SwarmRole;
  /** The node label tasks are spread over (a Swarm placement preference). */
  spreadOver?: LabelKey;
}

export interface PortSpec {
  published: Port;
  target: Port;
  protocol: "tcp" | "udp";
  mode: "ingress" | "host";
}

export interface ServiceSpec {
  name: DockerName;
  image: ImageReference;
  mode: ServiceMode;
  /** Task count, or `one-per-node` (one task on each node the placement selects). */
  replicas?: TaskCount | "one-per-node";
  placement: PlacementSpec;
  /** Names of the overlay networks the service is attached to. */
  networks: DockerName[];
  ports: PortSpec[];
  environment: Environment;
  /** Names of the Docker secrets the service reads. */
  secrets: DockerName[];
  memoryLimit?: MemorySize;
  reservations?: { memory?: MemorySize; cpus?: CpuCount };
  critical: boolean;
}

export interface StackSpec {
  name: StackName;
  services: ServiceSpec[];
}

export interface SecretSpec {
  name: DockerName;
  description: string;
}

export interface SiteSpec {
  name: DockerName;
  /**
   * Domain names served; the first is the canonical one.
   * @minItems 1
   */
  domains: DnsName[];
  root: AbsolutePath;
}

export interface ModelDocument {
  cluster: ClusterSpec;
  nodes: NodeSpec[];
  networks: NetworkSpec[];
  stacks: StackSpec[];
  secrets: SecretSpec[];
  sites: SiteSpec[];
}

/**
 * The cluster as a ModelDocument, defaults resolved. The config is JavaScript once esbuild strips its types,
 * so values are copied as found (a number where a string belongs reaches the schema check, which names it);
 * only the shape the walk relies on (arrays, objects) is guarded.
 */
export function toModelDocument(cluster: Cluster): ModelDocument {
  return {
    cluster: {
      name: cluster.name,
      privateNetwork: cluster.privateNetwork,
      domain: cluster.domain,
      sshAuthorizedKeys: list(cluster.sshAuthorizedKeys),
      os: cluster.os,
    },
    nodes: cluster.nodes.map((node) => ({
      hostname: node.hostname,
      tier: node.tier,
      privateIp: node.privateIp,
      ...defined("publicIp", node.publicIp),
      privateInterface: node.privateInterface,
      swarmRole: node.swarmRole,
      labels: record(node.labels),
      ...defined("zone", node.zone),
      ...defined("memory", node.memory),
      ...defined("cpus", node.cpus),
      ...defined("disk", node.disk),
      ...defined("swap", node.swap),
    })),
    networks: cluster.networks.map((network) => ({
      name: network.name,
      subnet: network.subnet,
      mtu: network.mtu,
      encrypted: network.encrypted,
    })),
    stacks: cluster.stacks.map((stack) => ({ name: stack.name, services: stack.services.map(serviceSpec) })),
    secrets: cluster.secrets.map((secret) => ({ name: secret.name, description: secret.description })),
    sites: cluster.sites.map((site) => ({ name: site.name, domains: list(site.domains), root: site.root })),
  };
}

function serviceSpec(service: Service): ServiceSpec {
  const props = service.props;
  const placement = props.placement ?? {};
  return {
    name: service.name,
    image: props.image,
    mode: service.mode,
    ...defined("replicas", props.replicas),
    placement: {
      ...defined("tier", placement.tier),
      ...defined("labels", placement.labels ? record(placement.labels) : undefined),
      ...defined("hostname", placement.hostname),
      ...defined("role", placement.role),
      ...defined("spreadOver", placement.spreadOver),
    },
    networks: list(props.networks).map(nameOf),
    ports: list(props.ports).map((port) => ({
      published: port.published,
      target: port.target,
      protocol: port.protocol ?? "tcp",
      mode: port.mode ?? "ingress",
    })),
    environment: record(props.environment),
    secrets: list(props.secrets).map(nameOf),
    ...defined("memoryLimit", props.memoryLimit),
    ...defined("reservations", props.reservations ? { ...props.reservations } : undefined),
    critical: props.critical ?? false,
  };
}

/** A reference given as a string instead of the construct still yields a name the schema can check. */
function nameOf(reference: { readonly name: string } | string): string {
  return typeof reference === "string" ? reference : reference.name;
}

/** A copy without undefined values, as JSON has it (the `type` label of a node of an unknown tier is one). */
function record<T>(value: Readonly<Record<string, T | undefined>> | undefined): Record<string, T> {
  return Object.fromEntries(Object.entries(value ?? {}).filter((entry): entry is [string, T] => entry[1] !== undefined));
}

function list<T>(value: readonly T[] | undefined): T[] {
  return Array.isArray(value) ? [...(value as readonly T[])] : [];
}

/** `{ key: value }` when the value is set; JSON has no `undefined`, and a missing optional key is valid. */
function defined<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return value === undefined ? {} : ({ [key]: value } as { [P in K]?: V });
}
