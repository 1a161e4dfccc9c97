import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Node } from "../../src/model/node.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { Service, Stack, StackConfig } from "../../src/model/stack.js";
import { ClusterPki } from "../pki/cluster-pki.js";
import type { ReplicaGroup } from "../../src/validate/replica-group.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import { FrontProxy } from "../nginx/front-proxy.js";
import { ProxySql } from "../proxysql/proxysql.js";
import { HOSTGROUPS as PROXYSQL_HOSTGROUPS } from "../proxysql/render.js";
import { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import { alertRulesYaml, type AlertRuleInputs } from "./alert-rules.js";
import { alertmanagerYaml, type SlackChannels } from "./alertmanager-config.js";
import { ALERTING_MESSAGES } from "./messages.js";
import { renderStartScript } from "./render.js";

/** Ports of an Alertmanager: its API (Prometheus and the UI) and the gossip between replicas. */
export const ALERTMANAGER_PORTS = { web: 9093, cluster: 9094 } as const;

/**
 * Current Alertmanager (0.31, Feb. 2026): the seed's v0.14 predates `slack_api_url_file` (0.22), the matchers
 * syntax and API v2. amtool 0.25 checks the configuration, which uses nothing newer than 0.22.
 */
export const ALERTMANAGER_IMAGE = "prom/alertmanager:v0.31.1";

/** Alerting as the Monitoring's `alerting` prop declares it. */
export interface AlertingOptions {
  /**
   * One Alertmanager per node, clustered with the others: at least two distinct nodes, so that alerts still go
   * out when one is lost.
   */
  readonly nodes: readonly Node[];
  /** The Slack incoming-webhook URL, mounted as a file the configuration names (never written to out/). */
  readonly slackWebhook: Secret;
  /** @default { critical: "#alerts-critical", warning: "#alerts", info: "#alerts-info" } */
  readonly slackChannels?: Partial<SlackChannels>;
  /** @default ALERTMANAGER_IMAGE */
  readonly image?: string;
  /** @default "128M" (the seed's limit for its monitoring services) */
  readonly memoryLimit?: string;
  /**
   * Days before a node's or a site's certificate expires that an alert fires.
   * @default 14
   */
  readonly certificateExpiryDays?: number;
}

export const ALERTING_OPTIONS = propsShape<AlertingOptions>()({
  nodes: "required list",
  slackWebhook: "required",
  slackChannels: { presence: "optional", fields: { critical: "optional", warning: "optional", info: "optional" } },
  image: "optional",
  memoryLimit: "optional",
  certificateExpiryDays: "optional",
});

export interface AlertingProps extends AlertingOptions {
  /** The Monitoring's stack: Alertmanager beside Prometheus. */
  readonly stack: Stack;
  /** The overlay Prometheus and the replicas share. */
  readonly network: OverlayNetwork;
}

export const ALERTING_PROPS = propsShape<AlertingProps>()({ ...ALERTING_OPTIONS, stack: "required", network: "required" });

const START_SCRIPT_TARGET = "/etc/alertmanager/start.sh";

const DEFAULT_CHANNELS: SlackChannels = { critical: "#alerts-critical", warning: "#alerts", info: "#alerts-info" };

/**
 * Alert rules derived from the model and a cluster of Alertmanagers. Each replica is its own service pinned to
 * its node, rather than one service of N replicas peering through `tasks.<service>`: Swarm may place two
 * replicas of one service on one node (the loss of that node then takes both), each replica's node-local
 * volume (silences, notification log) stays with it, and each peer and each of Prometheus' targets is a name
 * the model gives. The peers reach each other at `tasks.<service>`, the task's own address, not the virtual IP,
 * and each advertises its overlay address (alertmanager-start.sh).
 */
export class Alerting extends ClusterConstruct implements ReplicaGroup {
  /** Marks the construct for the availability analysis: a gossip cluster, working while one replica runs. */
  readonly replicaGroup = true;
  readonly replicaDescription = {
    component: "the Alertmanager cluster",
    codePrefix: "alerting/replicas",
    serves: "sends the alerts Prometheus fires",
    addReplica: "list another node in the Monitoring's `alerting.nodes`: one more Alertmanager, pinned there",
  };
  readonly rules: StackConfig;
  readonly replicas: readonly Service[];
  readonly certificateExpiryDays: number;
  private readonly nodes: readonly Node[];

  constructor(scope: Construct, id: string, props: AlertingProps) {
    super(scope, id);
    const options = this.acceptProps(props, ALERTING_PROPS);
    this.nodes = options.nodes ?? [];
    this.certificateExpiryDays = options.certificateExpiryDays ?? 14;
    const channels = { ...DEFAULT_CHANNELS, ...options.slackChannels };

    this.rules = new StackConfig(options.stack, "alert-rules.yml", { contents: () => alertRulesYaml(this.ruleInputs()) });
    const config = new StackConfig(options.stack, "alertmanager.yml", {
      contents: () => alertmanagerYaml({ slackWebhookFile: options.slackWebhook.mountPath, channels }),
    });

    const startScript = new StackConfig(options.stack, "alertmanager-start.sh", {
      contents: () => renderStartScript({ subnet: options.network.subnet, clusterPort: ALERTMANAGER_PORTS.cluster }),
    });

    const names = this.nodes.map((_, index) => `alertmanager-${index + 1}`);
    this.replicas = this.nodes.map((node, index) => {
      const replica = new Service(options.stack, names[index] ?? "", {
        image: options.image ?? ALERTMANAGER_IMAGE,
        // The script adds --cluster.advertise-address (the task's overlay address) and runs the image's binary.
        entrypoint: ["/bin/sh", START_SCRIPT_TARGET],
        command: [
          "--config.file=/etc/alertmanager/alertmanager.yml",
          "--storage.path=/alertmanager",
          `--web.listen-address=:${ALERTMANAGER_PORTS.web}`,
          `--cluster.listen-address=0.0.0.0:${ALERTMANAGER_PORTS.cluster}`,
          ...names.filter((_, other) => other !== index).map((peer) => `--cluster.peer=tasks.${peer}:${ALERTMANAGER_PORTS.cluster}`),
        ],
        placement: { hostname: node.hostname },
        networks: present([options.network]),
        volumes: ["alertmanager-data:/alertmanager"],
        configs: [
          { config, target: "/etc/alertmanager/alertmanager.yml" },
          { config: startScript, target: START_SCRIPT_TARGET },
        ],
        secrets: [options.slackWebhook],
        memoryLimit: options.memoryLimit ?? "128M",
        // The image's busybox has wget; /-/healthy answers once the replica serves.
        healthcheck: {
          test: ["CMD", "wget", "-q", "--spider", `http://localhost:${ALERTMANAGER_PORTS.web}/-/healthy`],
          interval: "30s",
          timeout: "5s",
          retries: 3,
        },
      });
      // It writes to its data volume only (silences, the notification log).
      return replica.override({ read_only: true });
    });
  }

  /** The replicas, for the availability analysis. */
  get replicaServices(): readonly Service[] {
    return this.replicas;
  }

  /** What Prometheus' `alerting:` section lists: every replica, by its service name. */
  get alertmanagerTargets(): string[] {
    return this.replicas.map((replica) => replica.address(ALERTMANAGER_PORTS.web));
  }

  /** Each replica's target and the hostname of the node it is pinned to. */
  get replicaNodes(): { readonly target: string; readonly hostname: string }[] {
    return this.replicas.map((replica, index) => ({
      target: replica.address(ALERTMANAGER_PORTS.web),
      hostname: this.nodes[index]?.hostname ?? "",
    }));
  }

  /** The thresholds the model sets: node, member and replica counts. */
  ruleInputs(): AlertRuleInputs {
    const cluster = Cluster.of(this);
    const etcd = cluster.all(EtcdCluster);
    const proxies = cluster.all(ProxySql);
    const fronts = cluster.all(FrontProxy);
    return {
      swarmNodes: cluster.nodes.length,
      desiredReplicas: cluster
        .all(Stack)
        .flatMap((stack) => stack.services.map((service) => ({ service: service.dockerName, replicas: service.replicaCount }))),
      etcdMembers: etcd.length > 0 ? etcd.reduce((sum, group) => sum + group.members.length, 0) : undefined,
      galeraClusters: cluster.all(XtraDbCluster).map((galera) => ({ name: galera.clusterName, voters: galera.voterNodes.length })),
      proxysqlOfflineHostgroup: proxies.length > 0 ? PROXYSQL_HOSTGROUPS.offline : undefined,
      frontProxy: fronts.length > 0,
      nodeCertificates: cluster.all(ClusterPki).length > 0,
      siteCertificates: fronts.some((front) => front.sites.length > 0),
      certificateExpiryDays: this.certificateExpiryDays,
    };
  }

  /** Fewer than two replicas, or two on one node, and the loss of one node silences every alert. */
  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (this.nodes.length < 2) {
      problems.push(ALERTING_MESSAGES.problem("alerting/single-alertmanager", this, "nodes", { count: this.nodes.length }));
    }
    const seen = new Set<string>();
    for (const node of this.nodes) {
      if (seen.has(node.hostname)) {
        problems.push(ALERTING_MESSAGES.problem("alerting/alertmanagers-share-node", this, "nodes", { hostname: node.hostname }));
      }
      seen.add(node.hostname);
    }
    if (!Number.isInteger(this.certificateExpiryDays) || this.certificateExpiryDays < 1) {
      problems.push(
        ALERTING_MESSAGES.problem("alerting/certificate-expiry-days", this, "certificateExpiryDays", { days: this.certificateExpiryDays }),
      );
    }
    return problems;
  }
}
