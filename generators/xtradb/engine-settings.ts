import type { Problem } from "../../src/core/problems.js";
import { ENGINE_PROFILES, GALERA_ENGINES, type GaleraEngine } from "./galera-engine.js";
import { XTRADB_MESSAGES } from "./messages.js";
import type { Declared } from "../../src/validate/problem.js";

/** What the engine checks read of an XtraDbCluster (by shape: the construct imports this module). */
interface EngineChoice extends Declared {
  readonly engine: unknown;
  readonly sstMethod: string;
  readonly arbitratorNode: unknown;
  readonly arbitratorImage: string | undefined;
}

/** Variables only Percona's image reads: it makes local accounts for its own SST and health tools. */
const PXC_ONLY = ["CLUSTER_NAME", "XTRABACKUP_PASSWORD_FILE", "CLUSTERCHECK_PASSWORD_FILE", "MONITOR_PASSWORD_FILE"];

/**
 * A member's environment for its engine's image. The start script's variables (CLUSTER_JOIN, PXC_PEERS,
 * PXC_ARBITRATOR) serve both. MariaDB's image reads the MYSQL_* names as aliases of its MARIADB_* ones; it
 * knows no cluster name (the my.cnf holds it) and makes no SST account: mariabackup, run by the donor as
 * the server's `mysql` user, logs in as mysql@localhost through the socket, which the image creates on
 * request with the grants a backup needs.
 */
export function engineEnvironment(engine: GaleraEngine, environment: Record<string, string>): Record<string, string> {
  if (engine !== "mariadb-galera") return environment;
  const kept = Object.fromEntries(Object.entries(environment).filter(([name]) => !PXC_ONLY.includes(name)));
  return {
    ...kept,
    MARIADB_MYSQL_LOCALHOST_USER: "1",
    MARIADB_MYSQL_LOCALHOST_GRANTS: "RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR",
  };
}

/** The engine named and its SST method: both must be ones the options can be rendered for. */
export function engineProblems(cluster: EngineChoice): Problem[] {
  const engine: unknown = cluster.engine;
  if (!GALERA_ENGINES.includes(engine as GaleraEngine)) {
    return [XTRADB_MESSAGES.problem("xtradb/engine-unknown", cluster, "engine", { value: engine, engines: GALERA_ENGINES })];
  }
  const { sstMethods } = ENGINE_PROFILES[engine as GaleraEngine];
  if (!sstMethods.includes(cluster.sstMethod)) {
    const args = { value: cluster.sstMethod, engine: engine as string, methods: sstMethods };
    return [XTRADB_MESSAGES.problem("xtradb/sst-method-unsupported", cluster, "sstMethod", args)];
  }
  if (engine === "mariadb-galera" && cluster.arbitratorNode && cluster.arbitratorImage === undefined) {
    return [XTRADB_MESSAGES.problem("xtradb/arbitrator-image-needed", cluster, "arbitratorImage", {})];
  }
  return [];
}
