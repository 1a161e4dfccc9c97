#!/usr/bin/env node
/**
 * The lab's adaptations, all in this one file: what the generated files ask for that cannot work on the
 * lab machine, and what the lab changes in its own copies of them (never in out/). The compiler's output
 * stays as it is; the lab writes adapted copies into its state folder.
 *
 * Usage: node scripts/lab/adapt.mjs <out-dir> <lab-dir>
 * Writes <lab-dir>/out/ (swarm/ as generated but for networks.sh and the rolling stack files, stacks/*.yml
 * adapted), <lab-dir>/<node>/daemon.json, <lab-dir>/images.txt (the stand-ins' names),
 * <lab-dir>/real-images.txt (`<image> <recipe>` for the images built with their real program) and
 * <lab-dir>/adaptations.txt (what was changed).
 */
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

/** Every adaptation the lab applies, and why. The test reads this list too. */
export const ADAPTATIONS = [
  {
    id: "nofile-limit",
    applies: "daemon.json",
    change: "default-ulimits nofile is capped at the lab's own hard limit (LAB_NOFILE_MAX, `ulimit -Hn`)",
    why: "a container cannot get a higher open-files limit than the process that starts it has here",
  },
  {
    id: "overlay-unencrypted",
    applies: "networks.sh",
    change: "overlays are created without `--opt encrypted`",
    why: "this kernel has no IPsec ESP: an encrypted overlay is created but carries no traffic between nodes",
  },
  {
    id: "endpoint-dnsrr",
    applies: "stacks",
    change: "every service gets `deploy.endpoint_mode: dnsrr`",
    why: "this kernel has no IPVS: virtual-IP load balancing answers 'no route to host'",
  },
  {
    id: "stand-in-entrypoint",
    applies: "stacks",
    change:
      "a service whose image is a stand-in runs the stand-in's /standin/run (its entrypoint and command are dropped; ProxySQL's, see proxysql-forward); a real image keeps both",
    why: "no image registry is reachable: the real images cannot be pulled, and the stand-in has no real program to start",
  },
  {
    id: "host-bind-placeholder",
    applies: "stacks",
    change: "a bind mount of a host path gets an empty placeholder under the lab folder as its source, without bind propagation",
    why: "the lab's nodes share this machine's filesystem: a task must not see its Docker socket, logs or machine id",
  },
  {
    id: "resolve-image-never",
    applies: "stack deploys",
    change: "deploy.sh runs with `--resolve-image never`, passed to every `docker stack deploy`",
    why: "no image registry is reachable, and the lab never asks one",
  },
  {
    id: "real-image-rootfs",
    applies: "images",
    change:
      "an image the build defines (out/images/<name>/Dockerfile) is made from the Debian packages its Dockerfile installs, as installed on this machine, with their non-base dependencies, their /etc folders, its COPY files and RUN steps and the libraries every program links; Prometheus, Alertmanager and node-exporter are Debian's builds at the upstream image's path",
    why: "no image registry is reachable and the lab does not build with a Dockerfile; this machine's packages are the same Debian release",
  },
  {
    id: "stop-signal",
    applies: "stacks",
    change: "a service whose real image's Dockerfile sets STOPSIGNAL gets it as its stop_signal",
    why: "`docker import` cannot set an image's stop signal",
  },
  {
    id: "host-bootstrap",
    applies: "volumes",
    change:
      "the lab runs the generated certbot/bootstrap.sh into the certificate volume's placeholder before the deploy: self-signed certificates where nginx reads them",
    why: "the lab runs no host systemd unit; on a node certbot-bootstrap.service runs that script when the volume is mounted",
  },
  {
    id: "lab-page",
    applies: "volumes",
    change:
      "the front's web root (the placeholder of its bound volume, which php-fpm binds too) holds a small index.php that prints which php-fpm task answered and, with ?db, which database server answered its query, sent as the application's user to the database host the stack gives php-fpm (WORDPRESS_DB_HOST)",
    why: "the site's files live on CephFS on the cluster; the lab has no site to serve",
  },
  {
    id: "health-interval",
    applies: "stacks",
    change:
      "a health check runs every 3s, with its retries multiplied so that a task is declared unhealthy no sooner than generated (its timeout and start period as generated)",
    why: "a task counts as running only once its first check passed: at the generated 10-30s intervals, the deploy and each node loss take minutes longer than the lab's 10-minute budget",
  },
  {
    id: "dispatcher-heartbeat",
    applies: "swarm",
    change: "after bootstrap.sh, `docker swarm update --dispatcher-heartbeat 3s` (Docker's default: 5s)",
    why: "a cut node is marked down after 3 missed heartbeats: at 5s the node losses took 100 s more than the lab's budget allows; at 2s, after a leader's loss, agents late to register within 6 periods (12 s) on this loaded machine had their nodes marked down, and in 2 runs of 7 both database nodes, which restarted every Galera member together (the report's galera/restart-together)",
  },
  {
    id: "stand-in-status",
    applies: "images",
    change: "a stand-in answers its health check's client (curl, wget, php) as healthy",
    why: "the stand-in runs no real program; no stand-in is a Galera member (their state is read from the real servers)",
  },
  {
    id: "galera-mariadb",
    applies: "images",
    change:
      "the Galera members' image (percona/percona-xtradb-cluster) is made from Debian's MariaDB 10.11 with galera-4 and mariabackup (mariadb-server, galera-4, mariadb-backup, mariadb-client), bash and the tools its state-transfer scripts call (coreutils, findutils, procps, iproute2, bsdutils' logger, socat, openssl); garbd's (percona/percona-xtradb-cluster-operator) from Debian's galera-arbitrator-4 and bash. Both run the generated start script, the members its command `mysqld` (Debian's link to mariadbd)",
    why: "no image registry is reachable and Debian packages no Percona XtraDB Cluster: MariaDB's Galera is the same replication (Galera 4) with the same group protocol, and garbd is the same arbitrator",
  },
  {
    id: "pxc-entrypoint",
    applies: "images",
    change:
      "the members' image has the lab's /entrypoint.sh (scripts/lab/galera-entrypoint.sh), doing what PXC's image entrypoint does with CLUSTER_JOIN, CLUSTER_NAME and MYSQL_ALLOW_EMPTY_PASSWORD: an empty data dir of a bootstrapping member initialised, the /docker-entrypoint-initdb.d/*.sh scripts sourced with the client in the array `mysql`, then the server run with --wsrep-new-cluster, or joining gcomm://$CLUSTER_JOIN; and, in its own my.cnf as PXC's image has them, Galera's provider (Debian's libgalera_smm.so), wsrep_on, row binlog, interleaved auto-increment locks, InnoDB, listening on every address, and the drop-in folder the stack mounts into (/etc/percona-xtradb-cluster.conf.d/)",
    why: "the generated start script ends with `exec /entrypoint.sh`, PXC's image entrypoint, which the lab cannot pull; MariaDB's packages configure none of it",
  },
  {
    id: "pxc-cnf",
    applies: "configs",
    change:
      "the members read a copy of the generated xtradb.cnf with PXC-only settings translated: pxc-encrypt-cluster-traffic with ssl-ca/ssl-cert/ssl-key becomes Galera's socket.ssl_ca/ssl_cert/ssl_key in wsrep_provider_options and an [sst] section (encrypt=3, tca, tcert, tkey, ssl-mode=VERIFY_CA: the chain verified, as the one certificate all members share names no member's address) with the same secret files, so replication, IST and SST stay TLS with the generated secrets; pxc_strict_mode is dropped (MariaDB has none); xtrabackup-v2 becomes mariabackup",
    why: "MariaDB refuses to start on options it does not know, and has no xtrabackup; it configures Galera's TLS per channel",
  },
  {
    id: "pxc-accounts",
    applies: "configs",
    change:
      "the bootstrapping member sources a copy of the generated accounts script whose MySQL 8 privilege names are MariaDB's, as the project's MariaDB flavour has them (generators/xtradb/accounts.ts): the backup account's BACKUP_ADMIN, REPLICATION CLIENT and SYSTEM_VARIABLES_ADMIN and its performance_schema.log_status grant become RELOAD, PROCESS, SUPER, LOCK TABLES, BINLOG MONITOR; REPLICATION CLIENT becomes BINLOG MONITOR",
    why: "MariaDB has no BACKUP_ADMIN, SYSTEM_VARIABLES_ADMIN nor performance_schema.log_status: the generated script would stop at its first grant",
  },
  {
    id: "proxysql-forward",
    applies: "stacks",
    change:
      "the ProxySQL stand-in (proxysql/proxysql) forwards the MySQL port of the generated proxysql.cnf's interfaces to the first server of its Galera writer hostgroup (pxc-1:3306), with busybox's nc, one connection at a time per client; it is not ProxySQL: no routing by hostgroup, no monitor, no users of its own",
    why: "Debian does not package ProxySQL: the forwarder lets the lab page's query go from php-fpm, by the host name the stack gives it (WORDPRESS_DB_HOST), to a real Galera member",
  },
  {
    id: "galera-probe",
    applies: "stacks",
    change: "the Galera members get GALERA_PROBE_SECONDS=5 (the generated start script's default: 30)",
    why: "the deploy rolls the first member alone, so nothing can answer its probe before it bootstraps: at the first deploy the probe is only a wait, 25s of the lab's 10-minute budget",
  },
  {
    id: "node-volume",
    applies: "stacks",
    change:
      "a bind of a node's own volume (a Ceph RBD image of that node, per its generated ceph-volume unit) gets a placeholder of that node's own, for a service that runs on one node only",
    why: "the lab's nodes share this machine's filesystem: two Galera members must not share one data dir",
  },
  {
    id: "galera-tls",
    applies: "secrets",
    change:
      "every secret `swarm-cluster secrets` makes is made by it, into the lab folder (the config linked there); the Galera TLS secrets it leaves to the operator are a test CA and one certificate and key signed by it (openssl), which every member and garbd present; the other secrets it leaves to the operator hold test values",
    why: "the config declares the Galera TLS files as the operator's to provide, and no PKI domain of the build issues them",
  },
  {
    id: "config-file-absolute",
    applies: "stacks",
    change: "config and secret `file:` paths are made absolute (pointing into out/stacks/)",
    why: "the adapted stack files live in the lab folder, not beside the generated ones",
  },
];

/**
 * Images the lab builds with their real program from the Debian packages installed on this machine (lab.sh
 * `real_image` makes each rootfs from a recipe this file writes), by repository without tag. Two kinds:
 * - an image the build defines itself (out/images/<name>/Dockerfile, Debian-based: nginx-waf, php-fpm): the
 *   packages its Dockerfile installs, copied from this machine with their non-base dependencies, its COPY
 *   files, the non-apt steps of its RUN lines, its CMD, ENTRYPOINT and STOPSIGNAL;
 * - an upstream image of a Go program Debian packages too: the program at the upstream image's path, with
 *   the upstream entrypoint (BINARY_IMAGES).
 * Every other image is the stand-in.
 */
export const BINARY_IMAGES = new Map([
  ["prom/node-exporter", { from: "/usr/bin/prometheus-node-exporter", to: "/bin/node_exporter", dirs: [], user: "nobody" }],
  // Debian's builds read their web assets and templates from /usr/share/prometheus (data: copied as is).
  [
    "prom/prometheus",
    {
      from: "/usr/bin/prometheus",
      to: "/bin/prometheus",
      dirs: ["/prometheus", "/etc/prometheus"],
      user: "nobody",
      data: ["/usr/share/prometheus/web"],
    },
  ],
  [
    "prom/alertmanager",
    {
      from: "/usr/bin/prometheus-alertmanager",
      to: "/bin/alertmanager",
      dirs: ["/alertmanager", "/etc/alertmanager"],
      user: "nobody",
      data: ["/usr/share/prometheus/alertmanager"],
    },
  ],
]);

/**
 * Upstream images Debian has no build of, whose program it packages under another distribution: the lab makes
 * each from Debian's packages (galera-mariadb), with files of its own (pxc-entrypoint). `files` are
 * [source, target]: a source under scripts/lab/ or one adapt() writes into the lab folder (`lab:` prefix).
 */
export const DEBIAN_IMAGES = new Map([
  [
    "percona/percona-xtradb-cluster",
    {
      packages: [
        "mariadb-server",
        "galera-4",
        "mariadb-backup",
        "mariadb-client",
        // The generated scripts are bash's; the state-transfer scripts (wsrep_sst_mariabackup) call these.
        "bash",
        "coreutils",
        "findutils",
        "grep",
        "sed",
        "procps",
        "iproute2",
        "hostname",
        "bsdutils",
        "socat",
        "openssl",
      ],
      users: ["mysql"],
      files: [
        ["galera-entrypoint.sh", "/entrypoint.sh"],
        ["lab:galera/my.cnf", "/etc/mysql/my.cnf"],
        ["lab:galera/70-pxc-image.cnf", "/etc/mysql/mariadb.conf.d/70-pxc-image.cnf"],
      ],
      dirs: ["/etc/percona-xtradb-cluster.conf.d"],
      program: "mariadbd",
    },
  ],
  [
    "percona/percona-xtradb-cluster-operator",
    { packages: ["galera-arbitrator-4", "bash", "coreutils"], users: [], files: [], dirs: [], program: "garbd" },
  ],
]);

/** What PXC's image has in its own my.cnf (pxc-entrypoint): read before the stack's drop-in, which wins. */
const PXC_IMAGE_CNF = `# The lab's stand-in for the settings Percona XtraDB Cluster's image has in its own my.cnf (scripts/lab/adapt.mjs,
# adaptation pxc-entrypoint); the stack's drop-in in /etc/percona-xtradb-cluster.conf.d/ is read after this.
[mysqld]
bind-address=0.0.0.0
binlog_format=ROW
default_storage_engine=InnoDB
innodb_autoinc_lock_mode=2
wsrep_on=ON
wsrep_provider=/usr/lib/galera/libgalera_smm.so
`;

/** The image's my.cnf: Debian's, then the folder the stack mounts PXC's drop-in into. */
const PXC_MY_CNF = `# The lab's my.cnf (scripts/lab/adapt.mjs, adaptation pxc-entrypoint): Debian's MariaDB settings, then the
# folder Percona XtraDB Cluster's image reads drop-ins from, where the stack mounts the generated one.
!include /etc/mysql/mariadb.cnf
!includedir /etc/percona-xtradb-cluster.conf.d/
`;

/** MySQL 8's privilege clauses in the generated accounts script → MariaDB's (pxc-accounts); null: no such grant. */
export const MARIADB_GRANTS = [
  [
    "BACKUP_ADMIN, PROCESS, RELOAD, LOCK TABLES, REPLICATION CLIENT, SYSTEM_VARIABLES_ADMIN ON *.*",
    "RELOAD, PROCESS, SUPER, LOCK TABLES, BINLOG MONITOR ON *.*",
  ],
  ["SELECT ON performance_schema.log_status", null],
  ["PROCESS, REPLICATION CLIENT ON *.*", "PROCESS, BINLOG MONITOR ON *.*"],
  ["REPLICATION CLIENT ON *.*", "BINLOG MONITOR ON *.*"],
];

/** The accounts script with MariaDB's privilege names (pxc-accounts). */
export function mariadbAccounts(script) {
  return script
    .split("\n")
    .flatMap((line) => {
      const m = /^GRANT (.*) TO ('[^']*'@'[^']*');$/.exec(line);
      if (!m) return [line];
      const entry = MARIADB_GRANTS.find(([from]) => from === m[1]);
      if (!entry) return [line];
      return entry[1] === null ? [] : [`GRANT ${entry[1]} TO ${m[2]};`];
    })
    .join("\n");
}

/**
 * The Galera TLS files a generated xtradb.cnf names (ssl-ca, ssl-cert, ssl-key): paths in the member's
 * container, each undefined when the drop-in does not set it.
 */
export function galeraTlsFiles(cnf) {
  const value = (name) => new RegExp(`^ssl-${name}=(\\S+)$`, "m").exec(cnf)?.[1];
  return { ca: value("ca"), cert: value("cert"), key: value("key") };
}

/**
 * The generated xtradb.cnf with PXC-only settings translated for MariaDB (pxc-cnf): PXC's cluster-traffic
 * encryption from the ssl-* files becomes Galera's socket.ssl_* options and the [sst] section, with the same
 * files; pxc_strict_mode goes; xtrabackup-v2 becomes mariabackup.
 */
export function mariadbCnf(cnf) {
  const encrypted = /^pxc-encrypt-cluster-traffic=ON$/im.test(cnf);
  const tls = galeraTlsFiles(cnf);
  if (encrypted && !(tls.ca && tls.cert && tls.key))
    throw new Error("xtradb.cnf encrypts cluster traffic without ssl-ca, ssl-cert and ssl-key");
  const socketSsl = encrypted ? `socket.ssl_ca=${tls.ca};socket.ssl_cert=${tls.cert};socket.ssl_key=${tls.key}` : "";
  let providerOptions = false;
  const lines = [];
  for (const line of cnf.split("\n")) {
    if (/^pxc-encrypt-cluster-traffic=/i.test(line)) {
      lines.push("# lab: pxc-encrypt-cluster-traffic=ON is Galera's socket.ssl_* (wsrep_provider_options) and [sst] below, same files");
    } else if (/^pxc_strict_mode=/.test(line)) {
      lines.push(`# lab: ${line} dropped (MariaDB has no strict mode)`);
    } else if (/^wsrep_sst_method=xtrabackup(-v2)?$/.test(line)) {
      lines.push("# lab: xtrabackup-v2 is mariabackup", "wsrep_sst_method=mariabackup");
    } else if (socketSsl && /^wsrep_provider_options="(.*)"$/.test(line)) {
      providerOptions = true;
      lines.push(line.replace(/"(.*)"$/, (_all, options) => `"${options ? `${options};` : ""}${socketSsl}"`));
    } else {
      lines.push(line);
    }
  }
  while (lines.at(-1) === "") lines.pop();
  if (socketSsl && !providerOptions) lines.push(`wsrep_provider_options="${socketSsl}"`);
  if (encrypted) {
    lines.push(
      "# lab: the state transfer encrypted with the same files; the chain is verified, not the peer's name (the one",
      "# certificate every member shares names none of their overlay addresses)",
      "[sst]",
      "encrypt=3",
      `tca=${tls.ca}`,
      `tcert=${tls.cert}`,
      `tkey=${tls.key}`,
      "ssl-mode=VERIFY_CA",
    );
  }
  return `${lines.join("\n")}\n`;
}

/** How long the first Galera member probes for the others before it bootstraps, in seconds (galera-probe). */
const GALERA_PROBE_SECONDS = 5;

/** Every health check runs this often in the lab, in seconds (health-interval). */
const HEALTH_SECONDS = 3;

const repository = (image) => image.replace(/:[^/:]+$/, "");

/** A Dockerfile's instructions, continuation lines joined. */
function instructions(file) {
  return readFileSync(file, "utf8")
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith("#"))
    .map((line) => {
      const [keyword = "", ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(" ") };
    });
}

/**
 * The recipe of a real image (lines lab.sh `real_image` reads: `package`, `copy`, `run`, `change`, `binary`,
 * `dir`, `program`), or undefined when the image is a stand-in.
 */
export function recipeOf(image, outDir, labDir) {
  const repo = repository(image);
  const name = repo.split("/").pop();
  const debian = DEBIAN_IMAGES.get(repo);
  if (debian) {
    const here = path.dirname(fileURLToPath(import.meta.url));
    return {
      name,
      lines: [
        ...debian.packages.map((p) => `package ${p}`),
        ...debian.users.map((u) => `user ${u}`),
        ...debian.dirs.map((d) => `dir ${d} root`),
        ...debian.files.map(
          ([from, to]) => `copy ${from.startsWith("lab:") ? path.join(labDir, from.slice(4)) : path.join(here, from)} ${to}`,
        ),
        `program ${debian.program}`,
      ],
    };
  }
  const binary = BINARY_IMAGES.get(repo);
  if (binary) {
    return {
      name,
      lines: [
        `binary ${binary.from} ${binary.to}`,
        // Folders as the upstream image has them, owned by the user it runs as (a new volume copies that).
        ...binary.dirs.map((dir) => `dir ${dir} ${binary.user}`),
        ...(binary.data ?? []).map((dir) => `data ${dir}`),
        `change ENTRYPOINT ${JSON.stringify([binary.to])}`,
        `change USER ${binary.user}`,
        `program ${binary.to}`,
      ],
    };
  }
  const dockerfile = path.join(outDir, "images", name, "Dockerfile");
  if (!existsSync(dockerfile)) return undefined;
  const lines = [];
  let run;
  for (const { keyword, args } of instructions(dockerfile)) {
    if (keyword === "RUN") {
      for (const step of args.split("&&").map((s) => s.trim())) {
        const install = /\bapt-get install\b(.*)$/.exec(step);
        if (install?.[1]) {
          // `name=version` (the Dockerfile's pin): lab.sh copies the package only at that version.
          for (const word of install[1].trim().split(/\s+/)) if (!word.startsWith("-")) lines.push(`package ${word.replace("=", " ")}`);
        } else if (!/^apt-get update\b|^rm -rf \/var\/lib\/apt\/lists/.test(step)) {
          lines.push(`run ${step}`);
        }
      }
    } else if (keyword === "COPY") {
      const [source = "", target = ""] = args.split(/\s+/);
      lines.push(`copy ${path.join(path.dirname(dockerfile), source)} ${target}`);
    } else if (keyword === "STOPSIGNAL") {
      // `docker import` cannot set it: the stack's services get it as their stop_signal (stop-signal adaptation).
      lines.push(`stopsignal ${args}`);
    } else if (["CMD", "ENTRYPOINT", "ENV", "USER", "WORKDIR"].includes(keyword)) {
      lines.push(`change ${keyword} ${args}`);
      if (keyword === "CMD" || keyword === "ENTRYPOINT") run = JSON.parse(args)[0];
    }
  }
  // The program the container runs, as an absolute path (PATH's folders are searched in the rootfs).
  if (run) lines.push(`program ${run}`);
  return { name, lines };
}

/**
 * The ProxySQL stand-in's command (proxysql-forward): a TCP forwarder from the port of proxysql.cnf's
 * `interfaces` to the first server of its Galera writer hostgroup; undefined when the file names neither.
 */
export function proxysqlForward(cnf) {
  const port = /^\s*interfaces="[^"]*:(\d+)"/m.exec(cnf)?.[1];
  const writers = /^\s*writer_hostgroup=(\d+)/m.exec(cnf)?.[1];
  const server = [...cnf.matchAll(/\{ address="([^"]+)", port=(\d+), hostgroup=(\d+)/g)].find(([, , , group]) => group === writers);
  if (!port || !server) return undefined;
  const [, address, serverPort] = server;
  return ["/bin/sh", "-c", `trap 'exit 0' TERM INT; nc -ll -p ${port} -e nc ${address} ${serverPort} & wait`];
}

/** Whether a node satisfies every placement constraint (node.hostname, node.role, node.labels.*). */
function eligible(node, constraints) {
  return constraints.every((constraint) => {
    const m = /^\s*(\S+)\s*(==|!=)\s*(\S+)\s*$/.exec(constraint);
    if (!m) return true;
    const [, key, op, value] = m;
    const actual =
      key === "node.hostname"
        ? node.host
        : key === "node.role"
          ? node.role
          : key.startsWith("node.labels.")
            ? node.labels[key.slice("node.labels.".length)]
            : undefined;
    return op === "==" ? actual === value : actual !== value;
  });
}

function listNodes(outDir) {
  const script = readFileSync(path.join(outDir, "swarm/bootstrap.sh"), "utf8");
  const block = /^NODES=\(\n([\s\S]*?)\n\)/m.exec(script);
  if (!block) throw new Error("no NODES=( … ) list in swarm/bootstrap.sh");
  const labels = new Map();
  for (const line of readFileSync(path.join(outDir, "swarm/labels.sh"), "utf8").split("\n")) {
    const m = /^docker node update (.*) (\S+)$/.exec(line);
    if (!m) continue;
    labels.set(m[2], Object.fromEntries([...m[1].matchAll(/--label-add ([^=\s]+)=(\S+)/g)].map(([, k, v]) => [k, v])));
  }
  return block[1]
    .split("\n")
    .map((line) => line.trim().replace(/^'|'$/g, ""))
    .filter(Boolean)
    .map((line) => {
      const [host, ip, role] = line.split(/\s+/);
      return { host, ip, role, labels: labels.get(host) ?? {} };
    });
}

/**
 * Adapts one stack file. `found` collects, over every stack: each image with the nodes its services may run
 * on (images), and the host folders bound where a config sets a web root (docroots, as lab placeholders).
 */
function adaptStack(file, labDir, outDir, nodes, found) {
  const doc = YAML.parseDocument(readFileSync(file, "utf8"));
  const stack = doc.toJS();
  const stackDir = path.dirname(file);
  for (const service of Object.values(stack.services ?? {})) {
    const constraints = service.deploy?.placement?.constraints ?? [];
    const where = found.images.get(service.image) ?? new Set();
    const own = nodes.filter((node) => eligible(node, constraints)).map((node) => node.host);
    for (const host of own) where.add(host);
    found.images.set(service.image, where);
    // The Galera members' drop-in and init script, translated for MariaDB (pxc-cnf, pxc-accounts), and their probe (galera-probe).
    if (repository(service.image) === "percona/percona-xtradb-cluster") {
      service.environment = { ...(service.environment ?? {}), GALERA_PROBE_SECONDS: String(GALERA_PROBE_SECONDS) };
      for (const reference of service.configs ?? []) {
        if (typeof reference === "string") continue;
        const entry = stack.configs?.[reference.source];
        if (!entry?.file) continue;
        const translate = reference.target?.startsWith("/etc/percona-xtradb-cluster.conf.d/")
          ? mariadbCnf
          : reference.target?.startsWith("/docker-entrypoint-initdb.d/")
            ? mariadbAccounts
            : undefined;
        if (!translate) continue;
        const text = readFileSync(path.resolve(stackDir, entry.file), "utf8");
        if (translate === mariadbCnf) {
          // The Galera TLS files' secrets (galera-tls): the Docker secret each ssl-* path mounts.
          for (const [kind, file] of Object.entries(galeraTlsFiles(text))) {
            const secret = (service.secrets ?? [])
              .map((r) => (typeof r === "string" ? { source: r, target: r } : { source: r.source, target: r.target ?? r.source }))
              .find((r) => (r.target.startsWith("/") ? r.target : `/run/secrets/${r.target}`) === file);
            if (secret) found.galeraTls.set(kind, stack.secrets?.[secret.source]?.name ?? secret.source);
          }
        }
        const copy = path.join(labDir, "galera", `${reference.source}`);
        mkdirSync(path.dirname(copy), { recursive: true });
        writeFileSync(copy, translate(text), { mode: 0o644 });
        entry.file = copy;
      }
    }
    // What the service's configs read: a web root from its binds.
    const configText = (service.configs ?? [])
      .map((c) => stack.configs?.[typeof c === "string" ? c : c.source]?.file)
      .filter(Boolean)
      .map((f) => readFileSync(path.resolve(stackDir, f), "utf8"))
      .join("\n");
    const roots = new Set([...configText.matchAll(/^\s*root\s+([^;\s]+);/gm)].map(([, root]) => root));
    service.deploy = service.deploy ?? {};
    service.deploy.endpoint_mode = "dnsrr";
    const health = service.healthcheck;
    if (health?.test && health.interval) {
      // As often as HEALTH_INTERVAL, with as many more retries: a task is declared unhealthy no sooner than generated.
      const seconds = (d) => Number(/^(\d+)s$/.exec(d)?.[1] ?? Number.NaN) || Number(/^(\d+)m$/.exec(d)?.[1] ?? Number.NaN) * 60;
      const before = seconds(health.interval);
      if (Number.isFinite(before) && before > HEALTH_SECONDS) {
        health.retries = Math.ceil(((health.retries ?? 3) * before) / HEALTH_SECONDS);
        health.interval = `${HEALTH_SECONDS}s`;
      }
    }
    const recipe = recipeOf(service.image, outDir, labDir);
    if (!recipe) {
      const forward = repository(service.image) === "proxysql/proxysql" ? proxysqlForward(configText) : undefined;
      service.entrypoint = forward ?? ["/standin/run"];
      delete service.command;
    }
    const stopSignal = recipe?.lines.find((line) => line.startsWith("stopsignal "))?.slice("stopsignal ".length);
    if (stopSignal && !service.stop_signal) service.stop_signal = stopSignal;
    service.volumes = (service.volumes ?? []).map((volume) => {
      // A node's own volume (node-volume): a placeholder of the one node the service runs on.
      const ownPlaceholder = (source) =>
        found.nodeVolumes.has(source) && own.length === 1 ? placeholder(source, labDir, own[0]) : placeholder(source, labDir);
      if (typeof volume === "string" && volume.startsWith("/")) {
        const [source, target, options] = volume.split(":");
        const where = ownPlaceholder(source);
        if (roots.has(target)) found.docroots.add(where);
        // A placeholder is a plain folder, not a mount point: propagation options cannot apply to it.
        const kept = (options ?? "").split(",").filter((o) => o && !/^r?(shared|slave|private)$/.test(o));
        return [where, target, ...(kept.length ? [kept.join(",")] : [])].join(":");
      }
      if (typeof volume === "object" && volume.type === "bind" && volume.source.startsWith("/")) {
        const { bind: _bind, ...rest } = volume;
        const where = ownPlaceholder(volume.source);
        if (roots.has(volume.target)) found.docroots.add(where);
        return { ...rest, source: where };
      }
      return volume;
    });
    if (service.volumes.length === 0) delete service.volumes;
  }
  for (const kind of ["configs", "secrets"]) {
    for (const entry of Object.values(stack[kind] ?? {})) {
      if (entry.file) entry.file = path.resolve(stackDir, entry.file);
    }
  }
  return YAML.stringify(stack, { lineWidth: 0 });
}

/** An empty stand-in for a host path, of the same kind (file or folder) as on a node; `node`: that node's own. */
function placeholder(source, labDir, node) {
  const target = node ? path.join(labDir, "host", "nodes", node, source) : path.join(labDir, "host", source);
  if (existsSync(target)) return target;
  const isFile = existsSync(source) ? !statSync(source).isDirectory() : /\.[a-z]+$|machine-id$/.test(source);
  mkdirSync(isFile ? path.dirname(target) : target, { recursive: true });
  if (isFile) writeFileSync(target, "");
  return target;
}

/** Host paths where a node mounts a volume of its own (a Ceph RBD image of that node), from the nodes' units. */
function nodeVolumes(outDir) {
  const found = new Set();
  const nodesDir = path.join(outDir, "nodes");
  if (!existsSync(nodesDir)) return found;
  for (const node of readdirSync(nodesDir)) {
    const units = path.join(nodesDir, node, "systemd");
    if (!existsSync(units)) continue;
    for (const unit of readdirSync(units)) {
      if (!unit.endsWith(".service")) continue;
      const m = /^Description=Ceph volume \S+ \(RBD image of this node\) at (\S+)$/m.exec(readFileSync(path.join(units, unit), "utf8"));
      if (m?.[1]) found.add(m[1]);
    }
  }
  return found;
}

/** Every stack file below a folder (stacks/*.yml, swarm/rolling/<stack>/*.yml), relative to it. */
function stackFiles(dir, prefix = "") {
  const found = [];
  for (const entry of readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const relative = path.join(prefix, entry.name);
    if (entry.isDirectory()) found.push(...stackFiles(dir, relative));
    else if (entry.name.endsWith(".yml")) found.push(relative);
  }
  return found.sort();
}

export function adapt(outDir, labDir) {
  const nodes = listNodes(outDir);
  const found = { images: new Map(), docroots: new Set(), nodeVolumes: nodeVolumes(outDir), galeraTls: new Map() };
  // The Galera members' image files (pxc-entrypoint).
  mkdirSync(path.join(labDir, "galera"), { recursive: true });
  writeFileSync(path.join(labDir, "galera/my.cnf"), PXC_MY_CNF, { mode: 0o644 });
  writeFileSync(path.join(labDir, "galera/70-pxc-image.cnf"), PXC_IMAGE_CNF, { mode: 0o644 });
  const labOut = path.join(labDir, "out");
  // swarm/ as generated (bootstrap.sh, labels.sh, secrets.sh, deploy.sh…), then the adapted files over it.
  cpSync(path.join(outDir, "swarm"), path.join(labOut, "swarm"), { recursive: true });
  mkdirSync(path.join(labOut, "stacks"), { recursive: true });
  for (const name of readdirSync(path.join(outDir, "stacks")).sort()) {
    if (!name.endsWith(".yml")) continue;
    writeFileSync(path.join(labOut, "stacks", name), adaptStack(path.join(outDir, "stacks", name), labDir, outDir, nodes, found));
  }
  const rolling = path.join(outDir, "swarm/rolling");
  if (existsSync(rolling)) {
    for (const name of stackFiles(rolling)) {
      writeFileSync(path.join(labOut, "swarm/rolling", name), adaptStack(path.join(rolling, name), labDir, outDir, nodes, found));
    }
  }
  const networks = readFileSync(path.join(outDir, "swarm/networks.sh"), "utf8")
    .replaceAll(" --opt encrypted", "")
    .replaceAll(" encrypted'", "'");
  writeFileSync(path.join(labOut, "swarm/networks.sh"), networks);
  for (const node of nodes) {
    mkdirSync(path.join(labDir, node.host), { recursive: true });
    // daemon.json as generated but for its nofile limit; the roots and sockets are the lab's own
    // command-line options, which daemon.json does not set.
    const daemon = JSON.parse(readFileSync(path.join(outDir, "nodes", node.host, "files/etc/docker/daemon.json"), "utf8"));
    const nofile = daemon["default-ulimits"]?.nofile;
    const max = Number(process.env.LAB_NOFILE_MAX ?? "1024");
    if (nofile) {
      nofile.Soft = Math.min(nofile.Soft, max);
      nofile.Hard = Math.min(nofile.Hard, max);
    }
    writeFileSync(path.join(labDir, node.host, "daemon.json"), `${JSON.stringify(daemon, null, 2)}\n`);
  }
  const images = [...found.images.keys()].sort();
  const standIn = images.filter((image) => !recipeOf(image, outDir, labDir));
  writeFileSync(path.join(labDir, "images.txt"), `${standIn.join("\n")}\n`);
  // `<image> <recipe> <node,node…>`: a real image is loaded only on the nodes its services may run on.
  let real = "";
  for (const image of images) {
    const recipe = recipeOf(image, outDir, labDir);
    if (!recipe) continue;
    writeFileSync(path.join(labDir, `real-${recipe.name}.recipe`), `${recipe.lines.join("\n")}\n`);
    real += `${image} ${recipe.name} ${[...found.images.get(image)].sort().join(",")}\n`;
  }
  writeFileSync(path.join(labDir, "real-images.txt"), real);
  // The web roots.
  writeFileSync(
    path.join(labDir, "docroots.txt"),
    [...found.docroots]
      .sort()
      .map((d) => `${d}\n`)
      .join(""),
  );
  // `<ca|cert|key> <file>`: the secrets.sh files of the Galera TLS secrets, which lab.sh issues (galera-tls).
  const secretFiles = new Map(
    [...readFileSync(path.join(outDir, "swarm/secrets.sh"), "utf8").matchAll(/^ensure_secret (\S+) (\S+)$/gm)].map(([, name, file]) => [
      name,
      file,
    ]),
  );
  writeFileSync(
    path.join(labDir, "galera-tls.txt"),
    [...found.galeraTls].map(([kind, name]) => `${kind} ${secretFiles.get(name) ?? name}\n`).join(""),
  );
  writeFileSync(path.join(labDir, "adaptations.txt"), ADAPTATIONS.map((a) => `${a.id}: ${a.change} (${a.why})\n`).join(""));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [outDir, labDir] = process.argv.slice(2);
  if (!outDir || !labDir) {
    console.error("usage: adapt.mjs <out-dir> <lab-dir>");
    process.exit(2);
  }
  adapt(outDir, labDir);
}
