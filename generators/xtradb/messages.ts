import { entry, shown } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** MySQL's range of `max_connections` (the server clamps other values, or refuses to start on a non-number). */
export const MYSQL_MAX_CONNECTIONS = { min: 1, max: 100_000 } as const;

/** What the XtraDbCluster's own checks report. */
export const XTRADB_MESSAGES = defineMessages({
  "xtradb/max-connections-invalid": entry<{ value: unknown }>(
    ({ value }) => `${shown(value)} is not a connection count: the members' my.cnf would say max_connections=${String(value)}`,
    `give a whole number from ${MYSQL_MAX_CONNECTIONS.min} to ${MYSQL_MAX_CONNECTIONS.max} (MySQL's range; 151 by default)`,
  ),
  "xtradb/engine-unknown": entry<{ value: unknown; engines: readonly string[] }>(
    ({ value }) => `${shown(value)} is not a Galera engine this cluster can render options for`,
    ({ engines }) => `give one of ${engines.join(", ")} (the default is ${engines[0]})`,
  ),
  "xtradb/sst-method-unsupported": entry<{ value: unknown; engine: string; methods: readonly string[] }>(
    ({ value, engine }) => `${shown(value)} is not a state transfer method ${engine} ships: a joining member could never receive its copy`,
    ({ methods }) => `give one of ${methods.join(", ")}, or leave it out for ${methods[0]}`,
  ),
  "xtradb/arbitrator-image-needed": entry<Record<string, never>>(
    () => "MariaDB publishes no image with garbd, and the default arbitrator image is Percona's: the arbitrator has no image to run",
    "give `arbitratorImage`: an image with garbd from galera-arbitrator-4 (Galera 4), bash and coreutils, e.g. Debian's with that package",
  ),
  "xtradb/no-nodes": entry<Record<string, never>>(
    () => "no database node is listed, so the XtraDB cluster has no member and ProxySQL no backend",
    "list the db-tier nodes in `nodes` (two or more, with an arbitrator when there are two)",
  ),
});
