import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the ProxySql's own checks report. */
export const PROXYSQL_MESSAGES = defineMessages({
  "proxysql/max-connections-per-backend-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a connection count: proxysql.cnf would give each member max_connections=${String(value)}`,
    "give a whole number, 1 or more, or leave it out to divide the members' max_connections between the ProxySQL tasks",
  ),
  "proxysql/no-replicas": entry<Record<string, never>>(
    () => "0 replicas: no ProxySQL would run, so the application could not reach the database",
    "leave `replicas` out (one per node the placement selects) or give 1 or more",
  ),
  "proxysql/server-version-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a version: it is written into a quoted string of proxysql.cnf`,
    'give a MySQL version such as "8.0.39" (letters, digits, ".", "-", "_" and "+")',
  ),
  "proxysql/backend-limit-starved": entry<{ memberMax: number; reserved: number; tasks: number; share: number }>(
    ({ memberMax, reserved, tasks, share }) =>
      `the derived per-member limit falls to 1: (max_connections ${memberMax} − ${reserved} reserved) ÷ ${tasks} ProxySQL tasks is ${share}, ` +
      `yet each task gets 1 connection per member, so together they may open ${tasks} where the members leave them ${Math.max(0, memberMax - reserved)}`,
    "raise the XtraDbCluster's `maxConnections`, run fewer ProxySQL tasks, or set `maxConnectionsPerBackend` knowing the members may refuse connections",
    "warning",
  ),
});
