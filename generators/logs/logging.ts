import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Node } from "../../src/model/node.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { PLACEMENT_FIELDS, type Placement, Service, StackConfig, type Stack } from "../../src/model/stack.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { CEREBRO_PORT, KIBANA_PORT, cerebroConf, kibanaStartScript, kibanaYaml } from "./dashboards-config.js";
import type { Retention } from "./lifecycle.js";
import { LogShipper, type ModuleServices } from "./log-shipper.js";
import { ENGINE_FIELDS, RETENTION_FIELDS, SEARCH_CREDENTIAL_FIELDS, SearchCluster, type SearchCredentials } from "./search-cluster.js";
import { IMAGES } from "./versions.js";
import { LOGS_MESSAGES } from "./messages.js";
import type { FrontProxy } from "../nginx/front-proxy.js";

/** Path segments of the admin entry Kibana and Cerebro are served under. */
const ADMIN_PATHS = { kibana: "kibana", cerebro: "cerebro" } as const;

/** The engine's shape, as the Logging's `engine` prop gives it (see SearchClusterProps). */
export interface EngineOptions {
  readonly nodes: readonly Node[];
  readonly masterEligible?: readonly Node[];
  /** @default "2G" */
  readonly memoryLimit?: string;
  /** @default 0.5 */
  readonly heapFraction?: number;
  /** @default "es-data" (see SearchClusterProps) */
  readonly dataVolume?: string;
  /** @default 1 */
  readonly replicas?: number;
}

export interface LoggingCredentials extends SearchCredentials {
  /** A line `secret = "<at least 64 random characters>"`: the key Cerebro signs its sessions with. */
  readonly cerebroSecret: Secret;
  /** At least 32 random characters: the key Kibana encrypts its sessions and saved objects' secrets with. */
  readonly kibanaEncryptionKey: Secret;
}

export interface LoggingProps {
  /** The stack of the whole family (the seed's `logs`). */
  readonly stack: Stack;
  /** The overlay the engine, its dashboards and Filebeat share. */
  readonly network: OverlayNetwork;
  readonly engine: EngineOptions;
  readonly retention?: Retention;
  readonly credentials: LoggingCredentials;
  /**
   * Where Kibana and Cerebro run; both keep nothing on their node (Kibana's objects live in the engine).
   * No port is published: they are reached through the fronts' admin host, over the overlay.
   * @default { tier: "app" } (the seed's dashboards reside on the app servers)
   */
  readonly dashboardsPlacement?: Placement;
  /**
   * Serve Kibana and Cerebro under the front's admin entry (`https://<admin hostname>/kibana/`, `/cerebro/`):
   * both also join `network`, an overlay the front's nginx is on, and still publish no port.
   */
  readonly admin?: { readonly front: FrontProxy; readonly network: OverlayNetwork };
  /** Services whose logs Filebeat parses with its nginx and MySQL modules. */
  readonly modules?: ModuleServices;
  /**
   * Nodes that run Packetbeat.
   * @default every node
   */
  readonly packetbeatNodes?: readonly Node[];
}

export const LOGGING_PROPS = propsShape<LoggingProps>()({
  stack: "required",
  network: "required",
  engine: { presence: "required", fields: ENGINE_FIELDS },
  retention: RETENTION_FIELDS,
  credentials: {
    presence: "required",
    fields: { ...SEARCH_CREDENTIAL_FIELDS, cerebroSecret: "required", kibanaEncryptionKey: "required" },
  },
  dashboardsPlacement: { presence: "optional", fields: PLACEMENT_FIELDS },
  admin: { presence: "optional", fields: { front: "required", network: "required" } },
  modules: { presence: "optional", fields: { nginx: "optional list", mysql: "optional list" } },
  packetbeatNodes: "optional list",
});

/**
 * The seed's ELK stack, current: an Elasticsearch cluster (SearchCluster), Kibana and Cerebro on its overlay,
 * Filebeat on every node and Packetbeat on the hosts (LogShipper).
 */
export class Logging extends ClusterConstruct {
  readonly engine: SearchCluster;
  readonly shipper: LogShipper;
  readonly kibana: Service;
  readonly cerebro: Service;
  private readonly adminFront: FrontProxy | undefined;

  constructor(scope: Construct, id: string, props: LoggingProps) {
    super(scope, id);
    props = this.acceptProps(props, LOGGING_PROPS);
    const { stack, network, credentials } = props;
    this.adminFront = props.admin?.front;
    const entry = props.admin?.front.admin;
    const dashboardNetworks = present([network, entry ? props.admin?.network : undefined]);
    const { cerebroSecret: _cerebro, kibanaEncryptionKey: _kibanaKey, ...engineCredentials } = credentials;
    this.engine = new SearchCluster(this, "engine", {
      stack,
      network,
      ...props.engine,
      ...(props.retention ? { retention: props.retention } : {}),
      credentials: engineCredentials,
    });
    this.shipper = new LogShipper(this, "shipper", {
      stack,
      network,
      engine: this.engine,
      password: credentials.filebeatPassword,
      ...(props.modules ? { modules: props.modules } : {}),
      ...(props.packetbeatNodes ? { packetbeatNodes: props.packetbeatNodes } : {}),
    });
    const placement = props.dashboardsPlacement ?? { tier: "app" };

    const kibanaUrl = entry?.urlOf(ADMIN_PATHS.kibana);
    const kibanaConfig = new StackConfig(stack, "kibana.yml", {
      contents: () => kibanaYaml({ endpoints: this.engine.endpoints, publicUrl: kibanaUrl }),
    });
    const kibanaStart = new StackConfig(stack, "kibana-start.sh", {
      contents: () =>
        kibanaStartScript({ password: credentials.kibanaPassword.mountPath, encryptionKey: credentials.kibanaEncryptionKey.mountPath }),
    });
    this.kibana = new Service(stack, "kibana", {
      image: IMAGES.kibana,
      entrypoint: ["/bin/bash", "/usr/share/kibana/config/start.sh"],
      command: [],
      placement,
      networks: dashboardNetworks,
      secrets: [credentials.kibanaPassword, credentials.kibanaEncryptionKey],
      configs: [
        { config: kibanaConfig, target: "/usr/share/kibana/config/kibana.yml" },
        { config: kibanaStart, target: "/usr/share/kibana/config/start.sh" },
      ],
      memoryLimit: "1G",
      healthcheck: {
        test: [
          "CMD-SHELL",
          `curl -s -o /dev/null -w '%{http_code}' http://localhost:${KIBANA_PORT}${kibanaUrl ? `/${ADMIN_PATHS.kibana}` : ""}/api/status | grep -qE '^(200|401)$'`,
        ],
        interval: "30s",
        timeout: "10s",
        retries: 5,
        startPeriod: "180s",
      },
    });
    cisException(this.kibana, { "5.13": "Kibana writes its UUID and optimizer cache under its data directory at start" });

    const cerebroConfig = new StackConfig(stack, "cerebro.conf", {
      contents: () =>
        cerebroConf({
          clusterName: `${Cluster.of(this).name}-logs`,
          endpoints: this.engine.endpoints,
          secretFile: credentials.cerebroSecret.mountPath,
          basePath: entry ? `/${ADMIN_PATHS.cerebro}/` : undefined,
        }),
    });
    this.cerebro = new Service(stack, "cerebro", {
      image: IMAGES.cerebro,
      command: ["-Dconfig.file=/etc/cerebro/application.conf"],
      placement,
      networks: dashboardNetworks,
      secrets: [credentials.cerebroSecret],
      configs: [{ config: cerebroConfig, target: "/etc/cerebro/application.conf" }],
      memoryLimit: "256M",
    });
    cisException(this.cerebro, {
      "5.13": "Cerebro (Play) writes its session database and temporary files at start",
      "5.27": "the image ships no HTTP client to probe with; Swarm restarts Cerebro when it exits",
    });
    // Both serve under their path themselves (Kibana's rewriteBasePath, Cerebro's basePath): no prefix stripped.
    entry?.expose(this.kibana, { path: ADMIN_PATHS.kibana, port: KIBANA_PORT }, this);
    entry?.expose(this.cerebro, { path: ADMIN_PATHS.cerebro, port: CEREBRO_PORT }, this);
  }

  override validateConstruct(): Problem[] {
    if (this.adminFront && !this.adminFront.admin)
      return [LOGS_MESSAGES.problem("logs/no-admin-entry", this, "admin.front", { front: this.adminFront.node.path })];
    return [];
  }

  /** Where the admin host proxies to, on the overlay: Kibana and Cerebro by service name. */
  get upstreams(): { readonly kibana: string; readonly cerebro: string } {
    return { kibana: this.kibana.address(KIBANA_PORT), cerebro: this.cerebro.address(CEREBRO_PORT) };
  }
}
