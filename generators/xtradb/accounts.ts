/**
 * The database's accounts, one per duty, each with its own Docker secret and only the privileges its duty needs.
 * Grants are written for two server flavours: MySQL 8 (Percona XtraDB Cluster, what the stack runs) and
 * MariaDB (what Debian packages, on which the tests run the generated init script for real). They differ only
 * where the servers name a privilege differently.
 */
export type ServerFlavour = "mysql8" | "mariadb";

/**
 * How the secret holds the password, i.e. in which syntax its consumer reads it:
 * - `password`: the bare password (the application's `*_PASSWORD_FILE`, root);
 * - `client-option-file`: a MySQL client option file, `[client]` with `user=` and `password=` (read with
 *   `--defaults-extra-file`, so the password is never a command-line argument: xtrabackup, mysqladmin,
 *   mysqld_exporter's `--config.my-cnf`);
 * - `proxysql-monitor`: ProxySQL's `monitor_password="…"` line, which proxysql.cnf `@include`s.
 */
export type PasswordFormat = "password" | "client-option-file" | "proxysql-monitor";

/** The duties whose privileges `dutyGrants` lists (root keeps its own; the application's are `applicationGrants`). */
export const GRANTED_DUTIES = ["backup", "healthcheck", "exporter", "proxysql-monitor"] as const;
export type GrantedDuty = (typeof GRANTED_DUTIES)[number];

export type Duty = "root" | GrantedDuty | "application";

export interface AccountSpec {
  readonly duty: Duty;
  readonly user: string;
  /** `localhost` for a duty done inside a member's container (over the socket); `%` for one done over dbnet. */
  readonly host: "localhost" | "%";
  /** The secret's file name under /run/secrets. */
  readonly secretName: string;
  readonly format: PasswordFormat;
  /** Whole GRANT statements' privilege clauses: `<privileges> ON <object>`. Empty for root (it keeps its own). */
  readonly grants: readonly string[];
  /** `WITH MAX_USER_CONNECTIONS n`: a monitoring duty never takes the application's connections. */
  readonly maxConnections?: number;
}

/** The privileges of each duty, in each flavour. */
export function dutyGrants(duty: GrantedDuty, flavour: ServerFlavour): string[] {
  switch (duty) {
    // A backup taken with xtrabackup 8.0 on a member (PXC 8.0's own state transfers need no account: the server
    // makes an internal one per transfer) needs BACKUP_ADMIN for its backup lock and reads
    // performance_schema.log_status; mariabackup needs BINLOG MONITOR (MariaDB's name for
    // REPLICATION CLIENT since 10.5). Neither reads or writes table data through SQL: it copies the files.
    // The weekly backup (generators/backup) desyncs its member for the duration (SET GLOBAL wsrep_desync), which
    // takes SYSTEM_VARIABLES_ADMIN on MySQL 8 and SUPER on MariaDB (no narrower privilege covers wsrep variables).
    case "backup":
      return flavour === "mysql8"
        ? [
            "BACKUP_ADMIN, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, SYSTEM_VARIABLES_ADMIN ON *.*",
            "SELECT ON performance_schema.log_status",
          ]
        : ["RELOAD, PROCESS, SUPER, LOCK TABLES, BINLOG MONITOR ON *.*"];
    // A health check logs in and reads status variables (wsrep_ready, wsrep_local_state), which every account may
    // read: it needs no privilege at all.
    case "healthcheck":
      return ["USAGE ON *.*"];
    // mysqld_exporter's documented grants: PROCESS (processlist, InnoDB status), REPLICATION CLIENT (replica
    // status), SELECT on performance_schema (its collectors' tables), and no application data.
    case "exporter":
      return flavour === "mysql8"
        ? ["PROCESS, REPLICATION CLIENT ON *.*", "SELECT ON performance_schema.*"]
        : ["PROCESS, BINLOG MONITOR ON *.*", "SELECT ON performance_schema.*"];
    // ProxySQL's monitor: connect and ping checks, the Galera checks' status variables, read_only.
    case "proxysql-monitor":
      return flavour === "mysql8"
        ? ["REPLICATION CLIENT ON *.*", "SELECT ON performance_schema.*"]
        : ["BINLOG MONITOR ON *.*", "SELECT ON performance_schema.*"];
  }
}

/** The application's account: everything on its own schema, nothing elsewhere. */
export function applicationGrants(schema: string): string[] {
  return [`ALL PRIVILEGES ON \`${schema}\`.*`];
}

/** The image's own local accounts, made with well-known default passwords when none is given: dropped. */
export const IMAGE_DEFAULT_ACCOUNTS = ["'xtrabackup'@'localhost'", "'clustercheck'@'localhost'", "'monitor'@'localhost'"] as const;

/** A MySQL client option file for `user`: what a `client-option-file` secret holds. */
export function clientOptionFile(user: string, password: string): string {
  return `[client]\nuser=${user}\npassword=${password}\n`;
}
