import type { Construct } from "constructs";
import { ClusterConstruct } from "../model/base.js";
import type { OverlayNetwork } from "../model/network.js";
import type { Secret } from "../model/secret.js";
import { Service, type Placement } from "../model/service.js";
import type { Stack } from "../model/stack.js";
import { StackConfig } from "../model/stack-config.js";
import type { XtraDbCluster } from "./xtradb-cluster.js";

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
   */
  readonly credentials: ProxySqlCredentials;
  /** @default "proxysql/proxysql:2.7.1" */
  readonly image?: string;
}

/** ProxySQL in front of the Galera cluster: one writer at a time, readers spread, members health-checked. */
export class ProxySql extends ClusterConstruct {
  readonly service: Service;
  readonly database: XtraDbCluster;
  readonly credentials: ProxySqlCredentials;
  readonly configFile: string;
  readonly stackName: string;

  /** Where the application connects: the ProxySQL service's MySQL port on the shared overlay. */
  get endpoint(): string {
    return this.service.address(3306);
  }

  constructor(scope: Construct, id: string, props: ProxySqlProps) {
    super(scope, id);
    this.database = props.database;
    this.credentials = props.credentials;
    this.stackName = props.stack.name;
    this.configFile = `proxysql/${props.stack.name}-proxysql.cnf`;
    const config = new StackConfig(props.stack, "proxysql-cnf", { file: this.configFile });
    this.service = new Service(props.stack, "proxysql", {
      image: props.image ?? "proxysql/proxysql:2.7.1",
      replicas: props.replicas ?? "one-per-node",
      placement: props.placement,
      networks: props.networks,
      configs: [{ config, target: "/etc/proxysql.cnf" }],
      secrets: [props.credentials.admin, props.credentials.monitor, props.credentials.users],
      critical: true,
    });
  }
}
