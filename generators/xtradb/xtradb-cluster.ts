import { cisException } from "../docker-host/cis/exceptions.js";
import type { Construct } from "constructs";
import { finding, type AvailabilitySource } from "../../src/analysis/findings.js";
import type { ReplicatedData } from "../../src/analysis/request-path.js";
import { listed } from "../../src/core/wording.js";
import { Cluster } from "../../src/model/cluster.js";
import type { MajorityGroup } from "../../src/validate/quorum-group.js";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { present, propsShape } from "../../src/model/props-shape.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Node } from "../../src/model/node.js";
import { Secret } from "../../src/model/secret.js";
import { Service, StackConfig, type ConfigMount, type Stack } from "../../src/model/stack.js";
import { MYSQL_MAX_CONNECTIONS, XTRADB_MESSAGES } from "./messages.js";
import { applicationGrants, clientOptionFile, dutyGrants, type AccountSpec, type ServerFlavour } from "./accounts.js";
import { renderAccountsScript, renderStartScript } from "./render.js";
import {
  DEFAULT_GCACHE_SIZE,
  ENGINE_PROFILES,
  garbdArguments,
  renderGaleraCnf,
  type GaleraEngine,
  type GaleraFacts,
} from "./galera-engine.js";
import { engineEnvironment, engineProblems } from "./engine-settings.js";

/** The CA, certificate and key every member and the arbitrator present on Galera's encrypted channels. */
export interface XtraDbTls {
  /** PEM of the CA that signed `cert`. */
  readonly ca: Secret;
  /** PEM server certificate, one for all members (Galera expects homogeneous nodes). */
  readonly cert: Secret;
  /** PEM private key of `cert`. */
  readonly key: Secret;
}

export interface XtraDbClusterProps {
  readonly stack: Stack;
  /** The overlay the Galera members and their proxies share (dbnet). */
  readonly network: OverlayNetwork;
  /** Database (db-tier) nodes, each holding one member: a member has an identity and a data dir. */
  readonly nodes: readonly Node[];
  /**
   * A node that runs the Galera arbitrator (garbd): a voter without data, so that two data nodes keep a
   * majority when one fails. Not one of `nodes`.
   */
  readonly arbitrator?: Node;
  /**
   * Docker secret holding the MySQL root password (bare). root logs in over the members' local socket only
   * (`docker exec`); every duty has its own account (see `accounts`).
   */
  readonly rootPassword: Secret;
  /**
   * Galera cluster name (`wsrep_cluster_name`).
   * @default "xtracluster"
   */
  readonly clusterName?: string;
  /**
   * The Galera server the members run: Percona XtraDB Cluster (the seed's) or MariaDB with Galera. The same
   * facts (cluster name, members, SST, gcache, TLS) are rendered to the engine's own option names.
   * @default "percona-xtradb-cluster"
   */
  readonly engine?: GaleraEngine;
  /** @default the engine's: "percona/percona-xtradb-cluster:8.0.39-30.1" or "mariadb:10.11.10" */
  readonly image?: string;
  /**
   * How a joining member receives a full copy (wsrep_sst_method).
   * @default "xtrabackup-v2" (PXC) or "mariabackup" (MariaDB; "rsync" also works, but blocks the donor)
   */
  readonly sstMethod?: string;
  /**
   * Galera's write-set cache per member (gcache.size): a member that was away for less than it holds
   * catches up by IST instead of a full copy.
   * @default "128M" (Galera's)
   */
  readonly gcacheSize?: string;
  /**
   * Image garbd runs from. The server image does not ship garbd (Percona packages it apart, as
   * percona-xtradb-cluster-garbd); the backup image of Percona's PXC operator does, built from the same
   * Galera 4 release line as the server. garbd starts through the members' start script: the image needs
   * bash and coreutils' `timeout`.
   * @default "percona/percona-xtradb-cluster-operator:1.16.0-pxc8.0-backup-pxb8.0.35" with PXC; with MariaDB,
   * which publishes no garbd image, required: an image with garbd from galera-arbitrator-4 (Galera 4, the
   * members' provider line), bash and coreutils, e.g. Debian's with that package installed.
   */
  readonly arbitratorImage?: string;
  /**
   * Docker secrets for Galera's TLS. PXC 8.0 encrypts replication, IST and SST by default
   * (`pxc-encrypt-cluster-traffic=ON`) and then needs the same CA and certificate on every member; the
   * certificates it generates by itself differ per member, so a second member could never join. Create
   * them once, e.g. with the image's `mysql_ssl_rsa_setup -d <dir>` (ca.pem, server-cert.pem,
   * server-key.pem) and `docker secret create`; the key never enters out/.
   * @default three secrets declared here, named `<id>_tls_ca`, `<id>_tls_cert`, `<id>_tls_key`
   */
  readonly tls?: XtraDbTls;
  /**
   * `max_connections` of each member (1 to 100000, MySQL's range), written into the members' my.cnf;
   * ProxySQL divides it between its tasks.
   * @default 151 (MySQL's default)
   */
  readonly maxConnections?: number;
  /**
   * How long a starting member may fail its health check before it counts: a joining member copies the
   * whole data set (SST) before mysqld answers. Past it, Swarm replaces the task and the copy starts over.
   * @default "1h"
   */
  readonly startPeriod?: string;
  /**
   * Where each member keeps its data directory: a named volume (node-local, one per member's node), or a host
   * path such as the mount point of each database node's RBD image (`ceph.volumes.database.hostPath`).
   * @default "xtradb-data"
   */
  readonly dataVolume?: string;
  /**
   * The application's database and user, created by the first member when it bootstraps a new cluster
   * (by the accounts script: the schema, and the user with every privilege on it only); the others receive them
   * with the data. `swarm-cluster secrets` makes the password.
   */
  readonly database?: ApplicationDatabase;
}

export interface ApplicationDatabase {
  readonly name: string;
  readonly user: string;
  /** Docker secret holding the user's password; the application reads the same secret. */
  readonly password: Secret;
}

export interface GaleraBackend {
  /** Service name, resolvable on the overlay. */
  readonly host: string;
  readonly port: number;
  readonly node: Node;
}

export const XTRADB_CLUSTER_PROPS = propsShape<XtraDbClusterProps>()({
  stack: "required",
  network: "required",
  nodes: "required list",
  arbitrator: "optional",
  rootPassword: "required",
  clusterName: "optional",
  engine: "optional",
  image: "optional",
  sstMethod: "optional",
  gcacheSize: "optional",
  arbitratorImage: "optional",
  tls: { presence: "optional", fields: { ca: "required", cert: "required", key: "required" } },
  maxConnections: "optional",
  startPeriod: "optional",
  dataVolume: "optional",
  database: { presence: "optional", fields: { name: "required", user: "required", password: "required" } },
});

/** In-container paths of the members' generated configs (the my.cnf drop-in's is the engine's). */
const START_SCRIPT_TARGET = "/usr/local/bin/swarm-cluster-start.sh";
const ACCOUNTS_SCRIPT_TARGET = "/docker-entrypoint-initdb.d/swarm-cluster-accounts.sh";
const ARBITRATOR_SERVICE = "garbd";
const BACKUP_USER = "backup";
const HEALTHCHECK_USER = "healthcheck";
const EXPORTER_USER = "exporter";

/**
 * A Percona XtraDB (Galera) cluster: one pinned member per database node, plus an optional arbitrator.
 * `engine: "mariadb-galera"` runs MariaDB with Galera instead, from the same facts (galera-engine.ts).
 *
 * Bootstrap: only the first member may start a new cluster (empty `CLUSTER_JOIN`, which is how the image
 * bootstraps), and only when its data dir is empty and no other member nor the arbitrator answers on
 * Galera's port for 30 s; the others, and garbd, start once a member answers, then join and receive a full
 * copy (SST). A member that already holds data always joins the others, so a restarted first member, or
 * one whose volume was emptied while the cluster ran on, never starts a second cluster (the xtradb start
 * script explains the timing and its limit: after a node loses its data, start its member once the others
 * are up).
 *
 * Restart after a full outage (every member down): a member shut down cleanly as the last one has
 * `safe_to_bootstrap: 1` in `grastate.dat` and re-forms the cluster by itself; the others join it. After a
 * crash no member has it; Galera may still restore the cluster when every member of the last primary view
 * comes back (pc.recovery). When it does not (members keep restarting): read `seqno` in each member's grastate.dat (when it is -1, the member's log shows
 * "Recovered position: <uuid>:<seqno>", which the image's entrypoint prints at each start), pick the member
 * with the highest, set `safe_to_bootstrap: 1` in its grastate.dat (the `xtradb-data` volume on its
 * node), and let Swarm restart it: it bootstraps, the others join. The same holds when Swarm restarts every
 * member at once, garbd or not (galera/restart-together below): they leave cleanly, none of them last.
 *
 * Updates: members are separate services, so a deploy that changes them all (a new image, their shared
 * my.cnf or start script) restarts them together and the cluster loses quorum; roll one member at a time,
 * as swarm/deploy.sh does (see availabilityFindings).
 */
export class XtraDbCluster extends ClusterConstruct implements AvailabilitySource, MajorityGroup, ReplicatedData {
  /** Marks the construct for the failure simulation: Galera's primary component needs a majority of voters. */
  readonly majorityGroup = true;
  /** A Galera primary component, for the checks of one kind of group (reboot windows keep its voters apart). */
  readonly quorumKind = "galera";
  readonly clusterName: string;
  readonly engine: GaleraEngine;
  readonly image: string;
  readonly sstMethod: string;
  readonly gcacheSize: string;
  readonly maxConnections: number;
  readonly tls: XtraDbTls;
  readonly members: readonly Service[];
  readonly arbitrator: Service | undefined;
  /** The nodes given, in order: member i runs on dataNodes[i]. */
  readonly dataNodes: readonly Node[];
  readonly arbitratorNode: Node | undefined;
  /** The arbitrator image given, if any (the MariaDB engine has no default). */
  readonly arbitratorImage: string | undefined;
  readonly stackName: string;
  private readonly monitorSecrets: Secret[] = [];
  /** The first member's own secrets: grantMonitor() adds the monitor secret, which the accounts script reads. */
  private readonly bootstrapSecrets: Secret[];
  /** The application's database, when one is declared. */
  readonly database: ApplicationDatabase | undefined;
  private readonly bootstrapConfigs: ConfigMount[];
  private readonly rootPassword: Secret;
  /** Secret of the account backups (xtrabackup or mariabackup run on a member) log in with: a client option file. */
  readonly backupCredentials: Secret;
  /** Secret of the account the members' health check logs in with: a client option file. */
  readonly healthcheckCredentials: Secret;
  /** Secret of the account a mysqld_exporter logs in with (`--config.my-cnf`): a client option file, host to add. */
  readonly exporterCredentials: Secret;

  constructor(scope: Construct, id: string, props: XtraDbClusterProps) {
    super(scope, id);
    props = this.acceptProps(props, XTRADB_CLUSTER_PROPS);
    // A missing required prop is reported by the validation phase: until then nothing here dereferences one.
    const nodes = props.nodes ?? [];
    const networks = present([props.network]);
    this.rootPassword = props.rootPassword;
    props.rootPassword?.generateAs({ kind: "password" });
    props.database?.password?.generateAs({ kind: "password" });
    const dutySecret = (duty: string, user: string, description: string): Secret => {
      const secret = new Secret(this, `${id}_${duty}`, {
        description: `MySQL client option file ([client] user=${user}, password=…): ${description}`,
      });
      secret.generateAs({ kind: "password", format: (password) => clientOptionFile(user, password) });
      return secret;
    };
    this.backupCredentials = dutySecret("backup", BACKUP_USER, `XtraDB cluster ${id}'s backup account (a backup taken on a member)`);
    this.healthcheckCredentials = dutySecret("healthcheck", HEALTHCHECK_USER, `XtraDB cluster ${id}'s health-check account`);
    this.exporterCredentials = dutySecret("exporter", EXPORTER_USER, `XtraDB cluster ${id}'s mysqld_exporter account`);
    this.clusterName = props.clusterName ?? "xtracluster";
    this.engine = props.engine ?? "percona-xtradb-cluster";
    const profile = ENGINE_PROFILES[this.engine] ?? ENGINE_PROFILES["percona-xtradb-cluster"];
    this.image = props.image ?? profile.image;
    this.sstMethod = props.sstMethod ?? (profile.sstMethods[0] as string);
    this.gcacheSize = props.gcacheSize ?? DEFAULT_GCACHE_SIZE;
    this.maxConnections = props.maxConnections ?? 151;
    this.dataNodes = nodes;
    this.arbitratorNode = props.arbitrator;
    this.arbitratorImage = props.arbitratorImage;
    this.stackName = props.stack?.name ?? "";
    this.tls = props.tls ?? {
      ca: new Secret(this, `${id}_tls_ca`, { description: `CA certificate (PEM) of XtraDB cluster ${id}'s Galera TLS` }),
      cert: new Secret(this, `${id}_tls_cert`, {
        description: `Server certificate (PEM) shared by XtraDB cluster ${id}'s members and garbd`,
      }),
      key: new Secret(this, `${id}_tls_key`, { description: `Private key (PEM) of ${id}_tls_cert` }),
    };
    const tlsSecrets = present([this.tls.ca, this.tls.cert, this.tls.key]);
    const startScript: ConfigMount = {
      config: new StackConfig(props.stack, `${id}-start.sh`, { contents: () => renderStartScript(this.clusterName, this.engine) }),
      target: START_SCRIPT_TARGET,
    };
    const configs: ConfigMount[] = [
      { config: new StackConfig(props.stack, `${id}.cnf`, { contents: () => this.memberCnf() }), target: profile.cnfTarget },
      startScript,
    ];
    this.database = props.database;
    const memberSecrets = [...tlsSecrets, this.healthcheckCredentials, this.backupCredentials];
    this.bootstrapSecrets = present([props.rootPassword, ...memberSecrets, this.exporterCredentials, props.database?.password]);
    const accounts = new StackConfig(props.stack, `${id}-accounts.sh`, { contents: () => this.accountsScript() });
    this.bootstrapConfigs = [...configs, { config: accounts, target: ACCOUNTS_SCRIPT_TARGET }];

    const names = nodes.map((_, index) => `pxc-${index + 1}`);
    this.members = nodes.map((node, index) => {
      const first = index === 0;
      return new Service(props.stack, names[index] as string, {
        image: this.image,
        // The start script picks CLUSTER_JOIN from the data dir's state and the peers that answer, then
        // runs the image's entrypoint.
        entrypoint: ["bash", START_SCRIPT_TARGET],
        command: [profile.server],
        placement: { hostname: node.hostname, tier: "db" },
        networks,
        environment: engineEnvironment(this.engine, {
          CLUSTER_NAME: this.clusterName,
          // Empty on the one member that may bootstrap (the image starts a new cluster when CLUSTER_JOIN is
          // empty): the first. The start script decides whether it does; any other member only ever joins.
          CLUSTER_JOIN: names.slice(0, index).join(","),
          // What a member joins, whichever of them is up; a member without data probes them first.
          PXC_PEERS: names.filter((_, other) => other !== index).join(","),
          // garbd answers on Galera's port too: a first member without data that hears only it still joins.
          ...(props.arbitrator ? { PXC_ARBITRATOR: ARBITRATOR_SERVICE } : {}),
          // No password reaches the image's entrypoint: Percona's traces its commands, exports what it reads
          // into mysqld's environment and passes root's password as a client argument. On the one member that
          // may initialise a data dir it leaves root without a password, on the local socket only, while the
          // server it starts for the init scripts listens on no network; the accounts script it then runs sets
          // root's password first and creates every duty's account from its own secret. (MariaDB's image reads
          // both names as aliases of its MARIADB_* ones.)
          ...(first ? { MYSQL_ALLOW_EMPTY_PASSWORD: "yes", MYSQL_ROOT_HOST: "localhost" } : {}),
        }),
        secrets: first ? this.bootstrapSecrets : memberSecrets,
        configs: first ? this.bootstrapConfigs : configs,
        // One volume name for every member: they are on distinct nodes (validated), each has its own.
        volumes: [`${props.dataVolume ?? "xtradb-data"}:/var/lib/mysql`],
        // A mysqld killed mid-shutdown leaves no clean state, and the member then needs a full copy (SST)
        // to rejoin instead of the missing writes (IST).
        stopGracePeriod: "120s",
        // Alive and accepting logins, not Synced: the health-check account (no privilege) logs in with its own
        // secret, read by the client from the option file, and reads the server's status; ProxySQL's Galera
        // monitor decides which member serves. It gives an update's `failure_action: rollback` something to
        // watch: a member whose server never comes up.
        healthcheck: {
          test: ["CMD", profile.ping[0] as string, `--defaults-extra-file=${this.healthcheckCredentials.mountPath}`, "status"],
          interval: "10s",
          timeout: "5s",
          retries: 6,
          startPeriod: props.startPeriod ?? "1h",
        },
      });
    });
    const [firstMember] = this.members;
    if (firstMember) {
      cisException(firstMember, {
        "7.4":
          "MYSQL_ALLOW_EMPTY_PASSWORD is a flag, not a secret: it keeps root's password away from the image's tracing entrypoint, and the accounts script sets it from the root secret before the server listens",
      });
    }
    for (const member of this.members) {
      cisException(member, {
        "5.11":
          "no memory limit on a Galera member: sized by the node, and a member killed for memory needs a full state transfer (SST) to rejoin",
        "5.13": "mysqld writes its socket, pid file and temporary files outside the data volume, in the image's /var/run/mysqld and /tmp",
      });
    }
    this.arbitrator = props.arbitrator
      ? new Service(props.stack, ARBITRATOR_SERVICE, {
          image: props.arbitratorImage ?? "percona/percona-xtradb-cluster-operator:1.16.0-pxc8.0-backup-pxb8.0.35",
          placement: { hostname: props.arbitrator.hostname },
          networks,
          // Through the members' start script, which holds garbd back until a member answers: garbd listens on
          // Galera's port as soon as it runs, and on a first deploy the first member would take that for a
          // running cluster and never bootstrap.
          entrypoint: ["bash", START_SCRIPT_TARGET],
          environment: { PXC_PEERS: names.join(",") },
          configs: [startScript],
          // garbd reads no my.cnf: the TLS options the members get from their my.cnf are given here.
          command: garbdArguments(this.galeraFacts(names)),
          secrets: tlsSecrets,
        })
      : undefined;
    if (this.arbitrator) {
      // garbd holds a vote and relays nothing: a small, fixed footprint.
      this.arbitrator.override({ deploy: { resources: { limits: { memory: "128M" } } } });
      cisException(this.arbitrator, {
        "5.13": "the image's entrypoint and the start script write state files under /tmp and the image's /var/lib/mysql",
        "5.27":
          "garbd answers on no port a client can probe; the members' wsrep_cluster_size shows it, and Swarm restarts it when it exits",
      });
    }
  }

  /** What ProxySQL routes to: each member by service name on the database overlay. */
  get backends(): GaleraBackend[] {
    return this.members.map((service, index) => ({ host: service.name, port: 3306, node: this.dataNodes[index] as Node }));
  }

  /** Secrets holding ProxySQL's `monitor_password="…"` line, from which the first member creates the user. */
  get monitorCredentials(): readonly Secret[] {
    return this.monitorSecrets;
  }

  /**
   * Lets a ProxySQL monitor the members: the accounts script creates the `monitor` user with the password in
   * `secret` (ProxySQL's `monitor_password="…"` line); joining members receive the user with the data.
   */
  grantMonitor(secret: Secret): void {
    if (this.monitorSecrets.includes(secret)) return;
    this.monitorSecrets.push(secret);
    this.bootstrapSecrets.push(secret);
  }

  /**
   * Every duty's account: user, host, secret, privileges (in the server flavour's words). Root is apart: it
   * keeps its privileges and only gets its secret's password.
   */
  accounts(flavour: ServerFlavour = this.engine === "mariadb-galera" ? "mariadb" : "mysql8"): AccountSpec[] {
    const duty = (spec: Omit<AccountSpec, "format" | "grants"> & { duty: "backup" | "healthcheck" | "exporter" | "proxysql-monitor" }) => ({
      ...spec,
      format: spec.duty === "proxysql-monitor" ? ("proxysql-monitor" as const) : ("client-option-file" as const),
      grants: dutyGrants(spec.duty, flavour),
    });
    const [monitor] = this.monitorSecrets;
    return [
      duty({ duty: "backup", user: BACKUP_USER, host: "localhost", secretName: this.backupCredentials.name }),
      duty({ duty: "healthcheck", user: HEALTHCHECK_USER, host: "localhost", secretName: this.healthcheckCredentials.name }),
      duty({ duty: "exporter", user: EXPORTER_USER, host: "%", secretName: this.exporterCredentials.name, maxConnections: 3 }),
      ...(monitor ? [duty({ duty: "proxysql-monitor", user: "monitor", host: "%", secretName: monitor.name, maxConnections: 10 })] : []),
      ...(this.database
        ? [
            {
              duty: "application" as const,
              user: this.database.user,
              host: "%" as const,
              secretName: this.database.password.name,
              format: "password" as const,
              grants: applicationGrants(this.database.name),
            },
          ]
        : []),
    ];
  }

  /** The accounts script for a server flavour (the engine's by default); the tests run the MariaDB one for real. */
  accountsScript(flavour: ServerFlavour = this.engine === "mariadb-galera" ? "mariadb" : "mysql8"): string {
    return renderAccountsScript({
      clusterName: this.clusterName,
      scriptPath: ACCOUNTS_SCRIPT_TARGET,
      initClient: (ENGINE_PROFILES[this.engine] ?? ENGINE_PROFILES["percona-xtradb-cluster"]).initClient,
      root: { secretName: this.rootPassword.name, format: "password" },
      accounts: this.accounts(flavour),
      schema: this.database?.name,
    });
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const max: unknown = this.maxConnections;
    if (!(typeof max === "number" && Number.isInteger(max) && max >= MYSQL_MAX_CONNECTIONS.min && max <= MYSQL_MAX_CONNECTIONS.max)) {
      problems.push(XTRADB_MESSAGES.problem("xtradb/max-connections-invalid", this, "maxConnections", { value: max }));
    }
    problems.push(...engineProblems(this));
    if (Array.isArray(this.dataNodes) && this.dataNodes.length === 0) {
      problems.push(XTRADB_MESSAGES.problem("xtradb/no-nodes", this, "nodes", {}));
    }
    return problems;
  }

  /** Service names of the members, in order: what they reach each other by on the overlay. */
  get memberNames(): readonly string[] {
    return this.members.map((member) => member.name);
  }

  /**
   * The cluster's facts, from which each engine's options and garbd's arguments are rendered. `addresses`
   * are where the members answer: their service names on the overlay by default (a test gives the nodes'
   * private addresses), `tlsFiles` where the TLS files are (the Docker secrets by default).
   */
  galeraFacts(addresses: readonly string[] = this.memberNames, tlsFiles?: GaleraFacts["tls"]): GaleraFacts {
    const { ca, cert, key } = this.tls;
    return {
      clusterName: this.clusterName,
      memberAddresses: addresses,
      sstMethod: this.sstMethod,
      gcacheSize: this.gcacheSize,
      tls: tlsFiles ?? { ca: ca?.mountPath ?? "", cert: cert?.mountPath ?? "", key: key?.mountPath ?? "" },
      maxConnections: this.maxConnections,
    };
  }

  private memberCnf(): string {
    return renderGaleraCnf(this.engine, this.galeraFacts());
  }

  get quorumDescription() {
    return {
      component: `XtraDB cluster "${this.clusterName}" (Galera)`,
      codePrefix: "galera",
      addVoter: this.arbitrator
        ? "add a database node"
        : "add a Galera arbitrator (`arbitrator:` a node without a member) or a database node",
    };
  }

  /** The members' nodes, then the arbitrator's: garbd votes but holds no data. */
  get voterNodes(): readonly Node[] {
    return [...this.dataNodes, ...(this.arbitratorNode ? [this.arbitratorNode] : [])];
  }

  /** Each member holds a full copy of the data on its node. */
  get dataCopies(): readonly Service[] {
    return this.members;
  }

  /**
   * Without an arbitrator, one on a node that holds no member (the SQL proxy's first, as it sits beside the
   * database); then database nodes that hold no member yet.
   */
  voterCandidates(): readonly Node[] {
    const cluster = Cluster.of(this);
    const voting = new Set(this.voterNodes);
    const spareDb = cluster.nodesInTier("db").filter((node) => !voting.has(node));
    if (this.arbitrator) return spareDb;
    const arbiters = (["proxy", "app", "front"] as const).flatMap((tier) => cluster.nodesInTier(tier)).filter((node) => !voting.has(node));
    return [...arbiters.slice(0, 1), ...spareDb];
  }

  addVotersFix(nodes: readonly Node[]): string {
    const [garbd] = nodes.filter((node) => node.tier !== "db" && !this.arbitrator);
    const members = nodes.filter((node) => node !== garbd).map((node) => node.hostname);
    return [
      ...(garbd ? [`add garbd on ${garbd.hostname} (pass that node as \`arbitrator\`)`] : []),
      ...(members.length > 0 ? [`list ${listed(members)} in \`nodes\``] : []),
    ].join(" and ");
  }

  availabilityFindings(): Problem[] {
    if (this.members.length < 2) return [];
    const services = this.members.map((member) => member.dockerName);
    return [
      finding("info", "galera/rolling-update", this, {
        message:
          `XtraDB members ${services.join(", ")} are separate services: a plain \`docker stack deploy\` that changes them all ` +
          `(a new image, their shared my.cnf or start script) restarts them at once and the cluster loses quorum`,
        hint:
          `deploy with \`bash out/swarm/deploy.sh\`, which rolls them one at a time (each deployed alone, then waited on until ` +
          `its wsrep_local_state_comment is Synced) before the rest of the stack`,
      }),
      ...this.restartTogetherFindings(services),
    ];
  }

  /**
   * Swarm marks a node down when its agent misses three heartbeat periods (six after a manager election, when
   * every agent must register again with the new leader), and replaces every task the node runs. Members
   * stopped at once leave cleanly but none of them last (with or without garbd: both cases run for real in
   * test/xtradb/galera.system.test.ts), so none is safe to bootstrap; each joins the others and finds no
   * Primary component. garbd's Primary component of its own cannot take a member back either (Galera aborts
   * the join). Seen in the lab: a leader's loss left both members restarting.
   */
  private restartTogetherFindings(services: readonly string[]): Problem[] {
    const nodes = listed(this.dataNodes.map((node) => node.hostname));
    const garbd = this.arbitratorNode ? ` while garbd on ${this.arbitratorNode.hostname} runs on` : "";
    return [
      finding("info", "galera/restart-together", this, {
        message:
          `Swarm replaces every task of a node it marks down, also of one whose agent is late to register (after 3 missed ` +
          `heartbeats, or 6 after a manager election: 15 s and 30 s by default); if it marks ${nodes} down at once, ` +
          `${listed(services)} restart together${garbd}, none of them left last, so none is safe to bootstrap and the ` +
          `database stays down`,
        hint:
          `bootstrap the member with the highest seqno by hand: set \`safe_to_bootstrap: 1\` in the grastate.dat of its data ` +
          `volume (a seqno of -1 there: read "Recovered position" in its log) and restart its service ` +
          `(\`docker service update --force <service>\`); the others rejoin it`,
      }),
    ];
  }
}
