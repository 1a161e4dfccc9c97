import { GENERATED_NOTICE } from "../../src/synth/header.js";

/**
 * The Galera servers an XtraDbCluster can run: Percona XtraDB Cluster (the seed's) and MariaDB with Galera.
 * Both replicate through a Galera 4 provider; they differ in option names, in what their image's entrypoint
 * configures by itself, and in their state-transfer (SST) tools.
 */
export const GALERA_ENGINES = ["percona-xtradb-cluster", "mariadb-galera"] as const;
export type GaleraEngine = (typeof GALERA_ENGINES)[number];

/** The facts of one Galera cluster, whatever the engine: each engine's renderer names them its own way. */
export interface GaleraFacts {
  readonly clusterName: string;
  /** Where each data member answers on Galera's group port (4567), in member order: service names or addresses. */
  readonly memberAddresses: readonly string[];
  /** State snapshot transfer method: how a joining member receives a full copy. */
  readonly sstMethod: string;
  /** Galera's write-set cache (gcache.size): how far behind a member may fall and still catch up by IST. */
  readonly gcacheSize: string;
  /** CA, certificate and key files every member and garbd present on Galera's channels. */
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly maxConnections: number;
}

/** What differs between the engines, apart from option names. */
export interface EngineProfile {
  readonly image: string;
  /** Where the image reads a drop-in my.cnf from, after its own settings. */
  readonly cnfTarget: string;
  /** The server program the image's entrypoint is given. */
  readonly server: string;
  /** SST methods the engine ships, the default first. */
  readonly sstMethods: readonly string[];
  /** The client the image's entrypoint hands to init scripts it sources (root over the local socket). */
  readonly initClient: string;
  /** `mysqladmin ping` under the name the image ships. */
  readonly ping: readonly string[];
}

export const ENGINE_PROFILES: Readonly<Record<GaleraEngine, EngineProfile>> = {
  "percona-xtradb-cluster": {
    image: "percona/percona-xtradb-cluster:8.0.39-30.1",
    cnfTarget: "/etc/percona-xtradb-cluster.conf.d/swarm-cluster.cnf",
    server: "mysqld",
    sstMethods: ["xtrabackup-v2"],
    initClient: '"${mysql[@]}"',
    ping: ["mysqladmin", "ping", "--silent"],
  },
  "mariadb-galera": {
    // The official image ships the Galera 4 provider at Debian's path and both SST tools.
    image: "mariadb:10.11.10",
    cnfTarget: "/etc/mysql/conf.d/swarm-cluster.cnf",
    server: "mariadbd",
    sstMethods: ["mariabackup", "rsync"],
    initClient: "docker_process_sql",
    ping: ["mariadb-admin", "ping", "--silent"],
  },
};

/** Galera's own default write-set cache. */
export const DEFAULT_GCACHE_SIZE = "128M";

/** Where Debian's galera-4 package (and the official MariaDB image) installs the provider. */
export const MARIADB_GALERA_PROVIDER = "/usr/lib/galera/libgalera_smm.so";

export interface CnfOption {
  readonly section: "mysqld" | "sst";
  readonly name: string;
  readonly value: string;
  /** Why it is set, written above it (one comment line per line). */
  readonly why?: string;
}

const providerOptions = (facts: GaleraFacts, tls: boolean): string =>
  [
    `gcache.size=${facts.gcacheSize}`,
    ...(tls ? [`socket.ssl_ca=${facts.tls.ca}`, `socket.ssl_cert=${facts.tls.cert}`, `socket.ssl_key=${facts.tls.key}`] : []),
  ].join(";");

/**
 * The options one engine's members need, from the facts. PXC's image entrypoint writes the cluster name,
 * address and node address itself (from the CLUSTER_NAME / CLUSTER_JOIN the service passes it), and PXC
 * configures Galera's TLS from the ssl-* files when pxc-encrypt-cluster-traffic is on; MariaDB's image
 * knows nothing of Galera, so its members get every wsrep setting here and TLS per channel.
 */
export function galeraOptions(engine: GaleraEngine, facts: GaleraFacts): CnfOption[] {
  const common: CnfOption[] = [
    { section: "mysqld", name: "max_connections", value: String(facts.maxConnections), why: "ProxySQL divides this between its tasks" },
  ];
  if (engine === "percona-xtradb-cluster") {
    return [
      {
        section: "mysqld",
        name: "pxc-encrypt-cluster-traffic",
        value: "ON",
        why:
          "replication, IST and SST travel encrypted (PXC 8.0's default, stated so it stays a choice).\n" +
          "Every member and garbd present the same CA and certificate, from Docker secrets: the ones PXC generates\n" +
          "by itself differ per member, and a member presenting another CA's certificate cannot join",
      },
      { section: "mysqld", name: "ssl-ca", value: facts.tls.ca },
      { section: "mysqld", name: "ssl-cert", value: facts.tls.cert },
      { section: "mysqld", name: "ssl-key", value: facts.tls.key },
      ...common,
      { section: "mysqld", name: "pxc_strict_mode", value: "ENFORCING", why: "unsupported operations are refused, not replicated badly" },
      { section: "mysqld", name: "wsrep_sst_method", value: facts.sstMethod },
      { section: "mysqld", name: "wsrep_provider_options", value: `"${providerOptions(facts, false)}"` },
    ];
  }
  return [
    { section: "mysqld", name: "binlog_format", value: "ROW", why: "Galera replicates row events only" },
    { section: "mysqld", name: "default_storage_engine", value: "InnoDB" },
    { section: "mysqld", name: "innodb_autoinc_lock_mode", value: "2", why: "interleaved: Galera's appliers need it" },
    { section: "mysqld", name: "ssl_ca", value: facts.tls.ca },
    { section: "mysqld", name: "ssl_cert", value: facts.tls.cert },
    { section: "mysqld", name: "ssl_key", value: facts.tls.key },
    ...common,
    { section: "mysqld", name: "wsrep_on", value: "ON" },
    { section: "mysqld", name: "wsrep_provider", value: MARIADB_GALERA_PROVIDER },
    { section: "mysqld", name: "wsrep_cluster_name", value: facts.clusterName },
    {
      section: "mysqld",
      name: "wsrep_cluster_address",
      value: `gcomm://${facts.memberAddresses.join(",")}`,
      why: "every member; the start script adds --wsrep-new-cluster on the one member that bootstraps",
    },
    { section: "mysqld", name: "wsrep_sst_method", value: facts.sstMethod },
    {
      section: "mysqld",
      name: "wsrep_provider_options",
      value: `"${providerOptions(facts, true)}"`,
      why: "the group channel (replication, IST) encrypted with the members' one CA and certificate",
    },
    { section: "sst", name: "encrypt", value: "3", why: "the state transfer encrypted with the same files" },
    { section: "sst", name: "tca", value: facts.tls.ca },
    { section: "sst", name: "tcert", value: facts.tls.cert },
    { section: "sst", name: "tkey", value: facts.tls.key },
  ];
}

/** The members' my.cnf drop-in for `engine`. */
export function renderGaleraCnf(engine: GaleraEngine, facts: GaleraFacts): string {
  const lines = [
    `# ${GENERATED_NOTICE}`,
    `# Read by every member of Galera cluster "${facts.clusterName}" (${engine}) after the image's own settings, so its settings win.`,
  ];
  for (const section of ["mysqld", "sst"] as const) {
    const options = galeraOptions(engine, facts).filter((option) => option.section === section);
    if (options.length === 0) continue;
    lines.push(`[${section}]`);
    for (const option of options) {
      if (option.why) lines.push(...`${option.why[0]?.toUpperCase()}${option.why.slice(1)}.`.split("\n").map((line) => `# ${line}`));
      lines.push(`${option.name}=${option.value}`);
    }
  }
  return `${lines.join("\n")}\n`;
}

/** garbd's arguments: it reads no my.cnf, so the group, the members and the TLS files are given here. */
export function garbdArguments(facts: GaleraFacts): string[] {
  // An empty ssl_cipher lets OpenSSL choose (garbd aborts when the option is unset).
  return [
    "garbd",
    "--group",
    facts.clusterName,
    "--address",
    `gcomm://${facts.memberAddresses.join(",")}`,
    "--options",
    `socket.ssl_ca=${facts.tls.ca};socket.ssl_cert=${facts.tls.cert};socket.ssl_key=${facts.tls.key};socket.ssl_cipher=`,
  ];
}
