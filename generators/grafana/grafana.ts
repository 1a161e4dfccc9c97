import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import type { AvailabilitySource } from "../../src/analysis/findings.js";
import { singleReplicaStateFindings } from "../../src/analysis/stateful-data.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { passOnAcceptedRisks } from "../../src/analysis/accepted-risks.js";
import { PLACEMENT_FIELDS, Service, Stack, StackConfig, type ConfigMount, type Placement } from "../../src/model/stack.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import type { Monitoring } from "../monitoring/monitoring.js";
import { SCRAPE_PORTS } from "../monitoring/prometheus-config.js";
import { FrontProxy } from "../nginx/front-proxy.js";
import { ProxySql } from "../proxysql/proxysql.js";
import { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { buildDashboards, type DashboardInputs, type GeneratedDashboard } from "./dashboards.js";
import { GRAFANA_MESSAGES } from "./messages.js";
import { DASHBOARDS_DIRECTORY, PROVISIONING_DIRECTORY, dashboardJson, dashboardProvidersYaml, datasourcesYaml } from "./provisioning.js";

/**
 * Grafana 12.2 (Oct. 2025), the `grafana/grafana` repository Grafana Labs publishes the OSS image under from 12.4
 * on (grafana/grafana-oss stops there); the seed's 5.3 predates file provisioning of dashboards by folder, the
 * `__FILE` settings and serve_from_sub_path.
 */
export const GRAFANA_IMAGE = "grafana/grafana:12.2.1";

/** Grafana's HTTP port in the container. */
export const GRAFANA_PORT = 3000;

export interface GrafanaProps {
  /** Stack Grafana is deployed in (the Monitoring's, the seed's `stats`). */
  readonly stack: Stack;
  /** Overlay Grafana joins: the one Prometheus is on (and the front, to be served under its admin entry). */
  readonly network: OverlayNetwork;
  /** The Monitoring whose Prometheus is the data source and whose scrape interval the panels follow. */
  readonly monitoring: Monitoring;
  /** The admin's password, read from this Docker secret's file (GF_SECURITY_ADMIN_PASSWORD__FILE). */
  readonly adminPassword: Secret;
  /** The FrontProxy whose admin entry serves Grafana at `https://<admin hostname>/grafana/`. */
  readonly front?: FrontProxy;
  /** @default GRAFANA_IMAGE */
  readonly image?: string;
  /**
   * Where Grafana runs. Its volume holds only sessions and preferences (data source and dashboards are files),
   * but pin it to keep them.
   * @default { tier: "app", role: "manager" }
   */
  readonly placement?: Placement;
  /** @default "256M" */
  readonly memoryLimit?: string;
}

export const GRAFANA_PROPS = propsShape<GrafanaProps>()({
  stack: "required",
  network: "required",
  monitoring: "required",
  adminPassword: "required",
  front: "optional",
  image: "optional",
  placement: { presence: "optional", fields: PLACEMENT_FIELDS },
  memoryLimit: "optional",
});

/** The path segment Grafana is served under on the admin entry. */
const ADMIN_PATH = "grafana";

/**
 * Grafana with the Prometheus data source and the dashboards provisioned from files, the dashboards drawn from
 * the model with Grafana's Foundation SDK: the seed's three (nodes, services, Prometheus) and one for each kind
 * of service the cluster runs (XtraDB/Galera, ProxySQL, nginx + php-fpm, etcd), with a row per tier or cluster
 * and a panel per node. Sign-up is off and the admin password comes from a Docker secret. Its service is made
 * once the config has run (prepare), so the dashboards see every node and construct wherever declared.
 */
/** The node-local volume of Grafana's own database. */
const DATA_VOLUME = "grafana-data";

export class Grafana extends ClusterConstruct implements Preparable, AvailabilitySource {
  private readonly props: GrafanaProps;
  private made: Service | undefined;
  private drawn: GeneratedDashboard[] | undefined;

  constructor(scope: Construct, id: string, props: GrafanaProps) {
    super(scope, id);
    this.props = this.acceptProps(props, GRAFANA_PROPS);
  }

  /** The Grafana service (made in the prepare phase). */
  get service(): Service {
    if (!this.made) throw new Error("Grafana's service is made when the tree is prepared");
    return this.made;
  }

  prepare(): void {
    const props = this.props;
    // A missing required prop is reported in the validation phase; nothing is made without it.
    if (!props.stack || !props.monitoring || !props.adminPassword) return;
    const stack = props.stack;
    const config = (name: string, target: string, contents: () => string): ConfigMount => ({
      config: new StackConfig(stack, name, { contents }),
      target,
    });
    // Which dashboards there are is known now; what they show is drawn once the tree is locked (Grafana's own
    // service, made below, included).
    const uids = buildDashboards(this.dashboardInputs()).map((dashboard) => dashboard.uid);
    const configs = [
      config("grafana-datasources.yaml", `${PROVISIONING_DIRECTORY}/datasources/swarm-cluster.yaml`, () =>
        datasourcesYaml({
          prometheusUrl: `http://${props.monitoring.prometheus.address(SCRAPE_PORTS.prometheus)}`,
          scrapeInterval: props.monitoring.settings.scrapeInterval,
        }),
      ),
      config("grafana-dashboards.yaml", `${PROVISIONING_DIRECTORY}/dashboards/swarm-cluster.yaml`, () =>
        dashboardProvidersYaml({ folder: Cluster.of(this).name }),
      ),
      ...uids.map((uid) =>
        config(`grafana-dashboard-${uid}.json`, `${DASHBOARDS_DIRECTORY}/${uid}.json`, () => dashboardJson(this.dashboard(uid))),
      ),
    ];

    const served = props.front?.admin;
    const name = "grafana";
    const rootUrl = served?.urlOf(ADMIN_PATH);
    const health = `http://localhost:${GRAFANA_PORT}${rootUrl ? `/${ADMIN_PATH}` : ""}/api/health`;
    const service = new Service(stack, name, {
      image: props.image ?? GRAFANA_IMAGE,
      placement: props.placement ?? { tier: "app", role: "manager" },
      networks: present([props.network]),
      environment: {
        GF_SECURITY_ADMIN_PASSWORD__FILE: props.adminPassword.mountPath,
        GF_USERS_ALLOW_SIGN_UP: "false",
        GF_USERS_ALLOW_ORG_CREATE: "false",
        // No calls home from the cluster.
        GF_ANALYTICS_REPORTING_ENABLED: "false",
        GF_ANALYTICS_CHECK_FOR_UPDATES: "false",
        GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES: "false",
        ...(rootUrl
          ? {
              // Served at /grafana/ on the admin entry, over TLS: links and cookies follow.
              GF_SERVER_ROOT_URL: rootUrl,
              GF_SERVER_SERVE_FROM_SUB_PATH: "true",
              GF_SECURITY_COOKIE_SECURE: "true",
            }
          : {}),
      },
      secrets: [props.adminPassword],
      configs,
      volumes: [`${DATA_VOLUME}:/var/lib/grafana`],
      memoryLimit: props.memoryLimit ?? "256M",
      // The image's busybox has wget; /api/health answers once the database is open.
      healthcheck: { test: ["CMD", "wget", "-q", "--spider", health], interval: "30s", timeout: "5s", retries: 3 },
    });
    cisException(service, {
      "5.13": "Grafana writes its plugins, logs and temporary files outside its data volume at start",
    });
    this.made = service;
    // `acceptRisk(grafana, …)` in a config speaks of this service, which the config cannot reach.
    passOnAcceptedRisks(this, service);
    served?.expose(service, { path: ADMIN_PATH, port: GRAFANA_PORT }, this);
  }

  /** One of the dashboards, drawn from the whole (locked) tree; the set is drawn once. */
  private dashboard(uid: string): Dashboard {
    this.drawn ??= buildDashboards(this.dashboardInputs());
    const found = this.drawn.find((dashboard) => dashboard.uid === uid);
    if (!found) throw new Error(`no dashboard ${uid}: the model changed after the tree was prepared`);
    return found.dashboard;
  }

  /** The model as the dashboards read it. */
  private dashboardInputs(): DashboardInputs {
    const cluster = Cluster.of(this);
    const tiers = [...new Set(cluster.nodes.map((node) => node.tier))].map((tier) => ({
      tier,
      nodes: cluster.nodes.filter((node) => node.tier === tier).map((node) => node.hostname),
    }));
    const hostnames = (services: readonly Service[]) => [
      ...new Set(services.flatMap((service) => service.eligibleNodes.map((node) => node.hostname))),
    ];
    const fronts = cluster.all(FrontProxy);
    return {
      clusterName: cluster.name,
      tiers,
      stacks: cluster.all(Stack).map((stack) => ({ stack: stack.name, services: stack.services.map((service) => service.dockerName) })),
      galera: cluster.all(XtraDbCluster).map((galera) => ({
        name: galera.clusterName,
        voters: galera.voterNodes.length,
        members: galera.dataNodes.map((node) => node.hostname),
      })),
      proxysqlNodes: hostnames(cluster.all(ProxySql).map((proxy) => proxy.service)),
      nginxNodes: hostnames(fronts.map((front) => front.service)),
      phpNodes: hostnames(fronts.map((front) => front.php)),
      etcdMembers: cluster.all(EtcdCluster).flatMap((etcd) => etcd.members.map((node) => node.hostname)),
    };
  }

  /** One task with a node-local database: what a reschedule or the node's loss takes with it. */
  availabilityFindings(): Problem[] {
    if (!this.made) return [];
    return singleReplicaStateFindings({
      service: this.made,
      volume: DATA_VOLUME,
      // The data source and dashboards are provisioned files: only what people made in Grafana is in the volume.
      holds: "its users, their preferences and the dashboards saved in Grafana",
      stops: "the dashboards cannot be viewed",
    });
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const { network, monitoring, front } = this.props;
    if (network && monitoring && !monitoring.prometheus.networks.includes(network)) {
      problems.push(GRAFANA_MESSAGES.problem("grafana/prometheus-unreachable", this, "network", { network: network.node.id }));
    }
    if (front && !front.admin) problems.push(GRAFANA_MESSAGES.problem("grafana/no-admin-entry", this, "front", { front: front.node.path }));
    return problems;
  }
}
