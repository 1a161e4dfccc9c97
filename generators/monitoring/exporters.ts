import { cisException } from "../docker-host/cis/exceptions.js";
import { present } from "../../src/model/props-shape.js";
import type { OverlayNetwork } from "../../src/model/network.js";
import type { Secret } from "../../src/model/secret.js";
import { Service, StackConfig, type Stack } from "../../src/model/stack.js";
import { frontStatusVolume, type FrontProxy } from "../nginx/front-proxy.js";
import type { ProxySql } from "../proxysql/proxysql.js";
import { PROXYSQL_METRICS_PORT } from "../proxysql/render.js";
import type { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import { scrapeTarget } from "./scrape-labels.js";

/**
 * Exporter images, pinned. The seed's swarmprom ran 2018 images; each of these is its project's current line:
 * - cAdvisor 0.49 (Google, gcr.io/cadvisor): cgroup v2 (Flatcar's default since 2021) and Docker 25+'s API;
 *   the seed's 0.3x read cgroup v1 only.
 * - mysqld_exporter 0.16 (Prometheus project): the `--mysqld.address` / `--config.my-cnf` settings (0.15 dropped
 *   DATA_SOURCE_NAME, which put the password in the environment) and Galera's wsrep_* in global status.
 * - nginx-prometheus-exporter 1.4 (NGINX Inc.): reads stub_status over a unix socket (since 1.1).
 * - php-fpm_exporter 2.2 (hipages): the one php-fpm exporter still released; reads the status page over
 *   FastCGI, unix socket included; `phpfpm_max_children_reached` is what the alert rules read.
 */
export const EXPORTER_IMAGES = {
  cadvisor: "gcr.io/cadvisor/cadvisor:v0.49.1",
  mysqld: "prom/mysqld-exporter:v0.16.0",
  nginx: "nginx/nginx-prometheus-exporter:1.4.1",
  phpFpm: "hipages/php-fpm_exporter:2.2.0",
} as const;

/** Where each exporter serves /metrics inside the overlay (their projects' registered default ports). */
export const EXPORTER_PORTS = { cadvisor: 8080, mysqld: 9104, nginx: 9113, phpFpm: 9253 } as const;

/** The `job` of each exporter's series: the alert rules select on these. */
export const EXPORTER_JOBS = {
  cadvisor: "cadvisor",
  mysqld: "mysqld",
  proxysql: "proxysql",
  nginx: "nginx",
  phpFpm: "php-fpm",
} as const;

const MYSQL_PORT = 3306;

const PHP_FPM_STATUS_DIR = "/run/php-fpm-status";
const PHP_FPM_STATUS_VOLUME = "php-fpm-status";
/** The official php image reads every pool file of this folder, in name order: the last one wins. */
const PHP_FPM_POOL_DIR = "/usr/local/etc/php-fpm.d";

export interface ExporterContext {
  /** The Monitoring's overlay: every exporter joins it, and Prometheus scrapes it there. */
  readonly network: OverlayNetwork;
  readonly memoryLimit: string;
}

/**
 * cAdvisor on every node: each container's CPU, memory, I/O, labelled with its Swarm service and task (the
 * alert rules count running tasks per service from `container_last_seen`). The costly per-CPU, per-process and
 * network-protocol groups are off: they multiply the series for no alert.
 */
export function addCadvisor(stack: Stack, context: ExporterContext, memoryLimit: string): Service {
  const cadvisor = new Service(stack, "cadvisor", {
    image: EXPORTER_IMAGES.cadvisor,
    mode: "global",
    networks: [context.network],
    command: [
      "--docker_only=true",
      "--housekeeping_interval=15s",
      "--disable_metrics=percpu,sched,tcp,udp,advtcp,process,hugetlb,referenced_memory,cpu_topology,resctrl,cpuset",
      `--port=${EXPORTER_PORTS.cadvisor}`,
    ],
    volumes: ["/:/rootfs:ro", "/var/run:/var/run:ro", "/sys:/sys:ro", "/var/lib/docker:/var/lib/docker:ro"],
    memoryLimit,
    healthcheck: {
      test: ["CMD", "wget", "-q", "--spider", `http://localhost:${EXPORTER_PORTS.cadvisor}/healthz`],
      interval: "30s",
      timeout: "5s",
      retries: 3,
    },
  });
  cadvisor.override({ read_only: true });
  const readsTheNode = "cAdvisor reads every container's cgroups and Docker's own records of them, read-only";
  cisException(cadvisor, {
    "5.6": `${readsTheNode}: the host's /, /sys and /var/lib/docker`,
    "5.32": `${readsTheNode}; it asks dockerd for each container's labels through the socket in /var/run`,
  });
  return scrapeTarget(cadvisor, { port: EXPORTER_PORTS.cadvisor, job: EXPORTER_JOBS.cadvisor });
}

/**
 * One mysqld_exporter per XtraDB member, pinned to the member's node (losing the node silences both together,
 * through NodeDown's inhibition), reaching it over the database overlay. Its credentials are a my.cnf `[client]`
 * section (user and password of an account with PROCESS, REPLICATION CLIENT and SELECT) in a Docker secret.
 */
export function addMysqldExporters(stack: Stack, context: ExporterContext, xtradb: XtraDbCluster, credentials: Secret): Service[] {
  return xtradb.members.map((member, index) => {
    const node = xtradb.dataNodes[index];
    const exporter = new Service(stack, `mysqld-exporter-${member.name}`, {
      image: EXPORTER_IMAGES.mysqld,
      command: [
        `--config.my-cnf=${credentials.mountPath}`,
        `--mysqld.address=${member.name}:${MYSQL_PORT}`,
        `--web.listen-address=:${EXPORTER_PORTS.mysqld}`,
      ],
      placement: node ? { hostname: node.hostname } : {},
      networks: present([context.network, ...member.networks.filter((network) => network !== context.network)]),
      secrets: [credentials],
      memoryLimit: context.memoryLimit,
    });
    exporter.override({ read_only: true });
    cisException(exporter, { "5.27": "the image is scratch-based: no shell or client to probe with; Prometheus' up{} is its check" });
    return scrapeTarget(exporter, {
      port: EXPORTER_PORTS.mysqld,
      job: EXPORTER_JOBS.mysqld,
      instance: node?.hostname ?? member.name,
      labels: { galera_cluster: xtradb.clusterName, member: member.name },
    });
  });
}

/** ProxySQL's own exporter (its REST API, proxysql.cnf's `restapi_port`): every task, no extra service. */
export function scrapeProxySql(proxy: ProxySql): Service {
  return scrapeTarget(proxy.service, { port: PROXYSQL_METRICS_PORT, job: EXPORTER_JOBS.proxysql });
}

/**
 * nginx-prometheus-exporter beside each nginx task: in the front's stack (deployed with nginx), on every node
 * nginx may run on, mounting the same node-local volume and reading stub_status over the unix socket of
 * FrontProxy's `layout.statusSocket`.
 */
export function addNginxExporter(front: FrontProxy, context: ExporterContext): Service | undefined {
  const socket = front.settings.layout.statusSocket;
  if (!socket) return undefined;
  const folder = socket.slice(0, socket.lastIndexOf("/"));
  const exporter = new Service(front.stack, `${front.service.name}-exporter`, {
    image: EXPORTER_IMAGES.nginx,
    mode: "global",
    placement: front.service.props.placement ?? {},
    networks: [context.network],
    command: [`--nginx.scrape-uri=unix:${socket}:/stub_status`, `--web.listen-address=:${EXPORTER_PORTS.nginx}`],
    volumes: [`${frontStatusVolume(front.service.name)}:${folder}`],
    memoryLimit: context.memoryLimit,
  });
  exporter.override({ read_only: true });
  cisException(exporter, { "5.27": "the image is scratch-based: no shell or client to probe with; Prometheus' up{} is its check" });
  return scrapeTarget(exporter, { port: EXPORTER_PORTS.nginx, job: EXPORTER_JOBS.nginx });
}

/**
 * php-fpm's status page on a socket of its own (`pm.status_listen`, PHP 8.0+, a pool of its own that answers even
 * when every worker is busy), in a volume only the exporter beside each php-fpm task shares. From outside it is
 * out of reach: nginx forwards only `*.php` paths, and the status page answers the path `/status` alone.
 */
/** The folder php-fpm reads its pools from: where the service's www pool is mounted (Debian's pool.d, the official images' php-fpm.d). */
function poolDirectory(php: Service): string {
  const www = (php.props.configs ?? []).find((mount) => mount.target.endsWith("/www.conf"));
  return www ? www.target.slice(0, www.target.lastIndexOf("/")) : PHP_FPM_POOL_DIR;
}

export function addPhpFpmExporter(php: Service, context: ExporterContext): Service {
  const stack = php.node.scope as Stack;
  const socket = `${PHP_FPM_STATUS_DIR}/status.sock`;
  const pool = new StackConfig(stack, "php-fpm-status.conf", {
    contents: () =>
      [
        "; generated by swarm-cluster: the status page for the metrics exporter, on a socket of its own",
        "[www]",
        "pm.status_path = /status",
        `pm.status_listen = ${socket}`,
        // The pool listens on TCP, so this mode is the status socket's only: the exporter runs as another user.
        "listen.mode = 0666",
        "",
      ].join("\n"),
  });
  php.addMounts({
    volumes: [`${PHP_FPM_STATUS_VOLUME}:${PHP_FPM_STATUS_DIR}`],
    configs: [{ config: pool, target: `${poolDirectory(php)}/zzz-status.conf` }],
  });
  const exporter = new Service(stack, `${php.name}-fpm-exporter`, {
    image: EXPORTER_IMAGES.phpFpm,
    mode: "global",
    placement: php.props.placement ?? {},
    networks: [context.network],
    environment: {
      PHP_FPM_SCRAPE_URI: `unix://${socket};/status`,
      PHP_FPM_WEB_LISTEN_ADDRESS: `:${EXPORTER_PORTS.phpFpm}`,
    },
    volumes: [`${PHP_FPM_STATUS_VOLUME}:${PHP_FPM_STATUS_DIR}`],
    memoryLimit: context.memoryLimit,
  });
  exporter.override({ read_only: true });
  cisException(exporter, { "5.27": "the image carries no probe client; Prometheus' up{} is its check" });
  return scrapeTarget(exporter, { port: EXPORTER_PORTS.phpFpm, job: EXPORTER_JOBS.phpFpm });
}
