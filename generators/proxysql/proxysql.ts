import { cisException } from "../docker-host/cis/exceptions.js";
import type { Construct } from "constructs";
import type { SqlProxyStage } from "../../src/analysis/request-path.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Secret } from "../../src/model/secret.js";
import { PLACEMENT_FIELDS, Service, StackConfig, type Placement, type Stack } from "../../src/model/stack.js";
import type { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import type { Problem } from "../../src/core/problems.js";
import { PROXYSQL_MESSAGES } from "./messages.js";
import { HOSTGROUPS, renderProxySqlCnf } from "./render.js";

export interface ProxySqlCredentials {
  readonly admin: Secret;
  readonly monitor: Secret;
  readonly users: Secret;
}

export interface ProxySqlProps {
  readonly stack: Stack;
  /** Overlays it serves on (appnet, for the application) and reaches the database on (dbnet). */
  readonly networks: readonly OverlayNetwork[];
  readonly database: XtraDbCluster;
  /** Where ProxySQL runs. */
  readonly placement: Placement;
  /**
   * Task count; `"one-per-node"` runs one on every node the placement selects, so no single node carries it.
   * @default "one-per-node"
   */
  readonly replicas?: number | "one-per-node";
  /**
   * Docker secrets holding credentials as ProxySQL config lines; the generated proxysql.cnf `@include`s each
   * where it belongs, so no password enters out/:
   * `admin` holds `admin_credentials="…"`, `monitor` holds `monitor_password="…"`, `users` holds `mysql_users=(…)`.
   *
   * `swarm-cluster secrets` writes all three (`users` from the XtraDB cluster's application password). The
   * `monitor` user exists in the XtraDB cluster: its accounts script creates it, with the password of the
   * `monitor` secret, when the first member bootstraps a new cluster (or when run again on a member).
   */
  readonly credentials: ProxySqlCredentials;
  /** @default "proxysql/proxysql:2.7.1" */
  readonly image?: string;
  /**
   * The server version ProxySQL announces to clients (`mysql-server_version`).
   * @default the version in the XtraDB image's tag (`8.0.39` for `…:8.0.39-30.1`), else "8.0"
   */
  readonly serverVersion?: string;
  /**
   * Connections each ProxySQL task may open to each member (`max_connections` of mysql_servers). Every task
   * opens its own, so together they must stay under the member's `max_connections`.
   * @default (XtraDB maxConnections − 10 kept for the operator, monitor and SST) ÷ ProxySQL tasks, at least 1
   */
  readonly maxConnectionsPerBackend?: number;
}

export const PROXYSQL_PROPS = propsShape<ProxySqlProps>()({
  stack: "required",
  networks: "required list",
  database: "required",
  placement: { presence: "required", fields: PLACEMENT_FIELDS },
  replicas: "optional",
  credentials: { presence: "required", fields: { admin: "required", monitor: "required", users: "required" } },
  image: "optional",
  serverVersion: "optional",
  maxConnectionsPerBackend: "optional",
});

/** Connections of a member's max_connections that ProxySQL leaves to others (root, the monitor, SST). */
const RESERVED_CONNECTIONS = 10;

/** ProxySQL in front of the Galera cluster: one writer at a time, readers spread, members health-checked. */
export class ProxySql extends ClusterConstruct implements SqlProxyStage {
  readonly service: Service;
  readonly database: XtraDbCluster;
  readonly credentials: ProxySqlCredentials;
  readonly stackName: string;
  private readonly props: ProxySqlProps;

  /** Where the application connects: the ProxySQL service's MySQL port on the shared overlay. */
  get endpoint(): string {
    return this.service.address(3306);
  }

  constructor(scope: Construct, id: string, props: ProxySqlProps) {
    super(scope, id);
    props = this.acceptProps(props, PROXYSQL_PROPS);
    this.props = props;
    this.database = props.database;
    this.credentials = props.credentials;
    // A missing required prop is reported by the validation phase: until then nothing here dereferences one.
    const credentials: Partial<ProxySqlCredentials> = props.credentials ?? {};
    this.stackName = props.stack?.name ?? "";
    const config = new StackConfig(props.stack, `${id}.cnf`, { contents: () => this.renderConfig() });
    this.service = new Service(props.stack, "proxysql", {
      image: props.image ?? "proxysql/proxysql:2.7.1",
      replicas: props.replicas ?? "one-per-node",
      placement: props.placement,
      networks: props.networks,
      configs: [{ config, target: "/etc/proxysql.cnf" }],
      secrets: present([credentials.admin, credentials.monitor, credentials.users]),
      // Its query cache and connection buffers; the cache is off unless a rule enables it.
      memoryLimit: "512M",
      critical: true,
    });
    cisException(this.service, {
      "5.13": "ProxySQL keeps its runtime configuration in a SQLite file in /var/lib/proxysql, inside the image",
      "5.27":
        "its image has no client to probe the admin port without the admin password in the command line; ProxySQL's own monitor checks the backends, and Swarm restarts it when it exits",
    });
    if (credentials.monitor) props.database?.grantMonitor(credentials.monitor);
    // The config lines `swarm-cluster secrets` writes into each secret: ProxySQL @includes them as they are.
    credentials.admin?.generateAs({ kind: "password", format: (password) => `admin_credentials="admin:${password}"\n` });
    credentials.monitor?.generateAs({ kind: "password", format: (password) => `monitor_password="${password}"\n` });
    const application = props.database?.database;
    if (application?.password) {
      credentials.users?.generateAs({
        kind: "derived",
        from: [application.password],
        format: ([password]) =>
          `mysql_users=(\n\t{ username="${application.user}", password="${password}", default_hostgroup=${HOSTGROUPS.writer} }\n)\n`,
      });
    }
  }

  /** Its place on the request path, for the failure simulation: php-fpm → this → the XtraDB cluster. */
  get sqlProxyStage(): SqlProxyStage["sqlProxyStage"] {
    return { proxy: this.service, database: this.database };
  }

  get serverVersion(): string {
    return this.props.serverVersion ?? versionOfImage(this.database.image) ?? "8.0";
  }

  /** Read at synthesis: the task count depends on the nodes the placement selects. */
  get maxConnectionsPerBackend(): number {
    if (this.props.maxConnectionsPerBackend !== undefined) return this.props.maxConnectionsPerBackend;
    const tasks = Math.max(1, this.service.replicaCount);
    return Math.max(1, Math.floor((this.database.maxConnections - RESERVED_CONNECTIONS) / tasks));
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const given: unknown = this.props.maxConnectionsPerBackend;
    if (given !== undefined && !(typeof given === "number" && Number.isInteger(given) && given >= 1)) {
      problems.push(
        PROXYSQL_MESSAGES.problem("proxysql/max-connections-per-backend-invalid", this, "maxConnectionsPerBackend", { value: given }),
      );
    }
    // A negative or fractional count is the proxysql Service's schema problem; zero is valid there, not here.
    if (this.props.replicas === 0) problems.push(PROXYSQL_MESSAGES.problem("proxysql/no-replicas", this, "replicas", {}));
    const version: unknown = this.props.serverVersion;
    if (version !== undefined && !(typeof version === "string" && /^[A-Za-z0-9._+-]+$/.test(version))) {
      problems.push(PROXYSQL_MESSAGES.problem("proxysql/server-version-invalid", this, "serverVersion", { value: version }));
    }
    if (given === undefined) problems.push(...this.starvedShare());
    return problems;
  }

  /**
   * The derived per-member limit is at least 1, even when the members' connections, less those reserved,
   * do not go round the tasks: then the tasks together may open more than the members leave them. A warning,
   * as the cluster still works under light load. (An invalid maxConnections is the XtraDbCluster's error.)
   */
  private starvedShare(): Problem[] {
    const memberMax = this.database.maxConnections;
    const tasks = this.service.replicaCount;
    if (!Number.isInteger(memberMax) || !Number.isInteger(tasks) || tasks < 1) return [];
    const share = (memberMax - RESERVED_CONNECTIONS) / tasks;
    if (share >= 1) return [];
    return [
      PROXYSQL_MESSAGES.problem("proxysql/backend-limit-starved", this, "maxConnectionsPerBackend", {
        memberMax,
        reserved: RESERVED_CONNECTIONS,
        tasks,
        share: Math.round(share * 100) / 100,
      }),
    ];
  }

  private renderConfig(): string {
    const { admin, monitor, users } = this.credentials;
    return renderProxySqlCnf({
      serverVersion: this.serverVersion,
      secrets: { admin: admin.mountPath, monitor: monitor.mountPath, users: users.mountPath },
      backends: this.database.backends,
      maxConnectionsPerBackend: this.maxConnectionsPerBackend,
      memberMaxConnections: this.database.maxConnections,
    });
  }
}

/** `8.0.39` from `percona/percona-xtradb-cluster:8.0.39-30.1`; undefined for a tag without a version. */
function versionOfImage(image: string): string | undefined {
  const tag = image.split("@")[0]?.split("/").pop()?.split(":")[1];
  return tag?.match(/^\d+\.\d+(\.\d+)?/)?.[0];
}
