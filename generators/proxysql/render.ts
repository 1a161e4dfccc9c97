import type { GaleraBackend } from "../xtradb/xtradb-cluster.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

/** Hostgroup numbers of the Galera routing; fixed so query rules written later can name them. */
export const HOSTGROUPS = { writer: 10, backupWriter: 20, reader: 30, offline: 9999 } as const;

/** Port of ProxySQL's REST API, which serves its built-in Prometheus exporter at /metrics. */
export const PROXYSQL_METRICS_PORT = 6070;

const template = loadTemplate("proxysql", "proxysql.cnf.hbs");

/** What proxysql.cnf is rendered from; the credentials are paths of Docker secrets, never values. */
export interface ProxySqlInputs {
  readonly serverVersion: string;
  readonly secrets: { readonly admin: string; readonly monitor: string; readonly users: string };
  readonly backends: readonly GaleraBackend[];
  readonly maxConnectionsPerBackend: number;
  readonly memberMaxConnections: number;
}

/** proxysql.cnf: the Galera hostgroups, the backends derived from the XtraDB cluster, credentials @included. */
export function renderProxySqlCnf(inputs: ProxySqlInputs): string {
  return template({
    notice: GENERATED_NOTICE,
    hostgroups: HOSTGROUPS,
    metricsPort: PROXYSQL_METRICS_PORT,
    serverVersion: inputs.serverVersion,
    secrets: inputs.secrets,
    backends: inputs.backends.map((backend) => ({
      host: backend.host,
      port: backend.port,
      node: backend.node.hostname,
      maxConnections: inputs.maxConnectionsPerBackend,
    })),
    memberMaxConnections: inputs.memberMaxConnections,
  });
}
