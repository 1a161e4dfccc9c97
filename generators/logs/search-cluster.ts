import type { Construct } from "constructs";
import type { AvailabilitySource } from "../../src/analysis/findings.js";
import type { Problem } from "../../src/core/problems.js";
import { listed } from "../../src/core/wording.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import { HostFile, type Node } from "../../src/model/node.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { Service, StackConfig, type Stack } from "../../src/model/stack.js";
import type { MajorityGroup } from "../../src/validate/quorum-group.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { ES_CONFIG_DIR, ES_HTTP_PORT, elasticsearchYaml, engineStartScript } from "./engine-config.js";
import { LIFECYCLE_POLICY, type Retention, filebeatWriterRole, lifecyclePolicy, setupScript } from "./lifecycle.js";
import { heapProblems } from "./heap.js";
import { MIB, parseMemorySize } from "../../src/core/memory-size.js";
import { MAX_HEAP_FRACTION } from "./memory.js";
import { shardFindings } from "./shard-copies.js";
import { LOGS_MESSAGES } from "./messages.js";
import { IMAGES } from "./versions.js";

/** The secrets the engine reads: its superuser's password and the transport TLS files (PEM). */
export interface SearchCredentials {
  /** Password of the built-in `elastic` superuser, set when the cluster first starts. */
  readonly elasticPassword: Secret;
  /** Password the one-shot gives Kibana's built-in `kibana_system` user. */
  readonly kibanaPassword: Secret;
  /** Password the one-shot gives Filebeat's writer user. */
  readonly filebeatPassword: Secret;
  /** Transport TLS: the CA, and one certificate and key every node presents (checked against the CA, not by name). */
  readonly tls: { readonly ca: Secret; readonly cert: Secret; readonly key: Secret };
}

export interface SearchClusterProps {
  readonly stack: Stack;
  /** The overlay the engine, Kibana, Cerebro and Filebeat share. */
  readonly network: OverlayNetwork;
  /**
   * Nodes that run an Elasticsearch node, one each, pinned (each keeps its data in a node-local volume).
   * Every one holds data.
   */
  readonly nodes: readonly Node[];
  /**
   * Nodes whose Elasticsearch node is master-eligible: an odd count, so that a majority survives losses.
   * @default every node of `nodes`
   */
  readonly masterEligible?: readonly Node[];
  /** @default "2G" */
  readonly memoryLimit?: string;
  /**
   * Share of the memory limit given to the JVM heap; the rest is the file-system cache Lucene reads through.
   * @default 0.5 (Elastic's advice, and the most this accepts)
   */
  readonly heapFraction?: number;
  /**
   * Where each Elasticsearch node keeps its data: a named volume (node-local, one per node), or a host path such
   * as the mount point of a CephFS or RBD volume (`ceph.volumes.logs.hostPath`).
   * @default "es-data"
   */
  readonly dataVolume?: string;
  /**
   * Copies of each shard beyond its primary (`number_of_replicas` of the logs' index template). Elasticsearch
   * never puts two copies of a shard on one node, so N replicas survive the loss of N data nodes.
   * @default 1
   */
  readonly replicas?: number;
  readonly retention?: Retention;
  readonly credentials: SearchCredentials;
  /** @default IMAGES.elasticsearch */
  readonly image?: string;
}

/** The engine's own sizing fields, shared with Logging's `engine` prop. */
export const ENGINE_FIELDS = {
  nodes: "required list",
  masterEligible: "optional list",
  memoryLimit: "optional",
  heapFraction: "optional",
  dataVolume: "optional",
  replicas: "optional",
} as const;

export const RETENTION_FIELDS = {
  presence: "optional",
  fields: { deleteAfterDays: "optional", rolloverAfterDays: "optional", rolloverPrimaryShardSize: "optional" },
} as const;

/** The engine's credentials, which Logging's extend. */
export const SEARCH_CREDENTIAL_FIELDS = {
  elasticPassword: "required",
  kibanaPassword: "required",
  filebeatPassword: "required",
  tls: { presence: "required", fields: { ca: "required", cert: "required", key: "required" } },
} as const;

export const SEARCH_CLUSTER_PROPS = propsShape<SearchClusterProps>()({
  stack: "required",
  network: "required",
  ...ENGINE_FIELDS,
  retention: RETENTION_FIELDS,
  credentials: { presence: "required", fields: SEARCH_CREDENTIAL_FIELDS },
  image: "optional",
});

/** The kernel setting Elasticsearch's bootstrap checks require on its hosts (Lucene maps its segment files). */
export const MAX_MAP_COUNT = 262144;
const SYSCTL_PATH = "/etc/sysctl.d/90-elasticsearch.conf";
const START_SCRIPT = `${ES_CONFIG_DIR}/start.sh`;
const SETUP_DIR = "/etc/logs-setup";

/**
 * An Elasticsearch cluster: one pinned service per node (`es-1`, `es-2`, …), each with its node-local data
 * volume, discovering the others at their task addresses; the kernel setting it needs on exactly those
 * nodes; and a one-shot that installs the lifecycle policy and the users the other services log in as.
 * Its master-eligible nodes are a majority group the failure simulation counts.
 */
export class SearchCluster extends ClusterConstruct implements MajorityGroup, AvailabilitySource {
  readonly majorityGroup = true;
  readonly quorumKind = "elasticsearch";
  readonly quorumDescription = {
    component: "the search engine's master election",
    codePrefix: "logs/master",
    addVoter: "make more Elasticsearch nodes master-eligible (`masterEligible`), for an odd count of 3 or 5",
  } as const;
  readonly nodes: readonly Node[];
  readonly masterEligible: readonly Node[];
  readonly services: readonly Service[];
  readonly setup: Service;
  readonly replicas: number;
  readonly memoryLimit: string;
  readonly heapFraction: number;
  readonly retention: Retention;

  constructor(scope: Construct, id: string, props: SearchClusterProps) {
    super(scope, id);
    props = this.acceptProps(props, SEARCH_CLUSTER_PROPS);
    this.nodes = [...(props.nodes ?? [])];
    this.masterEligible = [...(props.masterEligible ?? this.nodes)];
    this.replicas = props.replicas ?? 1;
    this.memoryLimit = props.memoryLimit ?? "2G";
    this.heapFraction = props.heapFraction ?? MAX_HEAP_FRACTION;
    this.retention = props.retention ?? {};
    const { credentials, stack, network } = props;
    const names = this.nodes.map((_, index) => `es-${index + 1}`);
    const masterNames = names.filter((_, index) => this.masterEligible.includes(this.nodes[index] as Node));

    const config = new StackConfig(stack, "elasticsearch.yml", {
      contents: () =>
        elasticsearchYaml({
          clusterName: `${Cluster.of(this).name}-logs`,
          nodeNames: names,
          masterNames,
          zoneAware: this.zoneAware,
        }),
    });
    const start = new StackConfig(stack, "engine-start.sh", {
      contents: () =>
        engineStartScript({
          subnet: network.subnet,
          tls: { ca: credentials.tls.ca.mountPath, cert: credentials.tls.cert.mountPath, key: credentials.tls.key.mountPath },
        }),
    });

    this.services = this.nodes.map((node, index) => {
      const name = names[index] ?? "";
      const master = this.masterEligible.includes(node);
      const service = new Service(stack, name, {
        image: props.image ?? IMAGES.elasticsearch,
        entrypoint: ["/bin/bash", START_SCRIPT],
        command: [],
        placement: { hostname: node.hostname },
        networks: present([network]),
        // Read by elasticsearch.yml (`${ES_NODE_NAME}`, …): one config for every node.
        environment: {
          ES_NODE_NAME: name,
          // Ingest on every node: Filebeat's module pipelines run wherever its bulk request lands.
          ES_NODE_ROLES: master ? "master,data,ingest" : "data,ingest",
          ...(this.zoneAware ? { ES_NODE_ZONE: node.zone ?? "none" } : {}),
          ES_JAVA_OPTS: `-Xms${this.heapMiB}m -Xmx${this.heapMiB}m`,
          ELASTIC_PASSWORD_FILE: credentials.elasticPassword.mountPath,
        },
        secrets: [credentials.elasticPassword, credentials.tls.ca, credentials.tls.cert, credentials.tls.key],
        configs: [
          { config, target: `${ES_CONFIG_DIR}/elasticsearch.yml` },
          { config: start, target: START_SCRIPT },
        ],
        volumes: [`${props.dataVolume ?? "es-data"}:/usr/share/elasticsearch/data`],
        memoryLimit: this.memoryLimit,
        // The JVM takes its whole heap at start and Lucene fills the rest with cache: reserved, so Swarm never
        // packs it onto a node whose memory other reservations already hold.
        reservations: { memory: this.memoryLimit },
        // Up once the REST API answers, even if only to refuse an anonymous caller.
        healthcheck: {
          test: ["CMD-SHELL", `curl -s -o /dev/null -w '%{http_code}' http://localhost:${ES_HTTP_PORT}/ | grep -qE '^(200|401)$'`],
          interval: "30s",
          timeout: "10s",
          retries: 5,
          startPeriod: "120s",
        },
        // A node flushes and leaves the cluster cleanly given time; Docker's 10 s can cut it short.
        stopGracePeriod: "120s",
      });
      cisException(service, {
        "5.13": "Elasticsearch writes its keystore and the TLS files into its config directory at start",
      });
      return service;
    });

    // Only where an engine node runs: Elasticsearch refuses to start below it in production mode.
    for (const node of new Set(this.nodes)) {
      new HostFile(node, "sysctl-elasticsearch", {
        path: SYSCTL_PATH,
        contents: `# Elasticsearch (the logs stack) maps its index files: its bootstrap check requires at least ${MAX_MAP_COUNT}.\nvm.max_map_count = ${MAX_MAP_COUNT}\n`,
      });
    }

    const policy = new StackConfig(stack, "ilm-policy.json", { contents: () => lifecyclePolicy(this.retention) });
    const role = new StackConfig(stack, "filebeat-writer-role.json", { contents: () => filebeatWriterRole() });
    const setupFile = new StackConfig(stack, "logs-setup.sh", {
      contents: () =>
        setupScript({
          endpoints: this.endpoints,
          files: {
            elasticPassword: credentials.elasticPassword.mountPath,
            kibanaPassword: credentials.kibanaPassword.mountPath,
            filebeatPassword: credentials.filebeatPassword.mountPath,
            policy: `${SETUP_DIR}/ilm-policy.json`,
            role: `${SETUP_DIR}/filebeat-writer-role.json`,
          },
        }),
    });
    this.setup = new Service(stack, "logs-setup", {
      // The engine's image: it has bash and curl, and is already on the nodes.
      image: props.image ?? IMAGES.elasticsearch,
      entrypoint: ["/bin/bash", `${SETUP_DIR}/logs-setup.sh`],
      command: [],
      // On the engine's tier, whose nodes already hold the image.
      ...(this.nodes[0] ? { placement: { tier: this.nodes[0].tier } } : {}),
      networks: present([network]),
      secrets: [credentials.elasticPassword, credentials.kibanaPassword, credentials.filebeatPassword],
      configs: [
        { config: setupFile, target: `${SETUP_DIR}/logs-setup.sh` },
        { config: policy, target: `${SETUP_DIR}/ilm-policy.json` },
        { config: role, target: `${SETUP_DIR}/filebeat-writer-role.json` },
      ],
      memoryLimit: "64M",
    });
    // A one-shot: Swarm restarts it until it succeeds, then leaves it complete.
    this.setup.override({ read_only: true, deploy: { restart_policy: { condition: "on-failure", delay: "10s", window: "60s" } } });
    cisException(this.setup, { "5.27": "a one-shot that exits once the engine is set up: nothing stays up to probe" });
  }

  /** Spread each shard's copies over zones when the engine's nodes declare them. */
  get zoneAware(): boolean {
    return this.nodes.some((node) => node.zone !== undefined);
  }

  /** The REST API as the other services reach it: each node's service name. */
  get endpoints(): string[] {
    return this.services.map((service) => `http://${service.address(ES_HTTP_PORT)}`);
  }

  get memoryLimitBytes(): number | undefined {
    return parseMemorySize(this.memoryLimit);
  }

  /** The JVM heap of each node, in MiB: the fraction of the memory limit, rounded down. */
  get heapMiB(): number {
    return Math.floor(((this.memoryLimitBytes ?? 0) * this.heapFraction) / MIB);
  }

  get lifecyclePolicyName(): string {
    return LIFECYCLE_POLICY;
  }

  get voterNodes(): readonly Node[] {
    return this.masterEligible;
  }

  /** Engine nodes not yet master-eligible, then nodes of the same tiers that run none. */
  voterCandidates(): readonly Node[] {
    const tiers = new Set(this.nodes.map((node) => node.tier));
    const spare = Cluster.of(this).nodes.filter((node) => !this.nodes.includes(node) && tiers.has(node.tier));
    return [...this.nodes.filter((node) => !this.masterEligible.includes(node)), ...spare];
  }

  addVotersFix(nodes: readonly Node[]): string {
    return `run a master-eligible Elasticsearch node on ${listed(nodes.map((node) => node.hostname))} (\`nodes\` and \`masterEligible\` of ${this.path})`;
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (this.nodes.length === 0) problems.push(LOGS_MESSAGES.problem("logs/no-engine-nodes", this, "nodes", {}));
    const seen = new Set<Node>();
    for (const node of this.nodes) {
      if (seen.has(node)) problems.push(LOGS_MESSAGES.problem("logs/engine-node-twice", this, "nodes", { hostname: node.hostname }));
      seen.add(node);
    }
    for (const node of this.masterEligible) {
      if (!this.nodes.includes(node)) {
        problems.push(LOGS_MESSAGES.problem("logs/master-not-engine-node", this, "masterEligible", { hostname: node.hostname }));
      }
    }
    if (this.nodes.length > 0 && this.masterEligible.length % 2 === 0) {
      problems.push(LOGS_MESSAGES.problem("logs/master-count-even", this, "masterEligible", { count: this.masterEligible.length }));
    }
    problems.push(...this.memoryProblems());
    if (!Number.isInteger(this.replicas) || this.replicas < 0) {
      problems.push(LOGS_MESSAGES.problem("logs/replicas", this, "replicas", { value: this.replicas }));
    }
    for (const field of ["deleteAfterDays", "rolloverAfterDays"] as const) {
      const value = this.retention[field];
      if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
        problems.push(LOGS_MESSAGES.problem("logs/retention", this, `retention.${field}`, { field, value }));
      }
    }
    return problems;
  }

  private memoryProblems(): Problem[] {
    return heapProblems({ at: this, memoryLimit: this.memoryLimit, memoryBytes: this.memoryLimitBytes, heapFraction: this.heapFraction });
  }

  availabilityFindings(): Problem[] {
    const zones = Cluster.of(this).nodes.map((node) => node.zone);
    return shardFindings({ at: this, nodes: this.nodes, replicas: this.replicas, clusterZones: zones });
  }
}
