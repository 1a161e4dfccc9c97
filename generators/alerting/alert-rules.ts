import { yamlText } from "../../src/core/yaml-text.js";
import { withHashHeader } from "../../src/synth/header.js";

/**
 * Scrape jobs the rules select by name: the jobs monitoring/prometheus-config.ts and monitoring/exporters.ts give
 * (a test holds them equal).
 */
export const ALERT_JOBS = {
  nodeExporter: "node-exporter",
  etcd: "etcd",
  nginx: "nginx",
  phpFpm: "php-fpm",
} as const;

/** The label naming the node an alert is about, on every alert a node's loss explains (see the inhibition). */
export const NODE_LABEL = "node";

/** The recording rule holding each Swarm service's desired task count, as the model declares it. */
export const DESIRED_REPLICAS_RECORD = "swarm_cluster:service_desired_replicas";

export type AlertSeverity = "critical" | "warning" | "info";

/** What the alert rules are rendered from: plain values the model derives. */
export interface AlertRuleInputs {
  /** Nodes that join the Swarm: all of them should be `ready`. */
  readonly swarmNodes: number;
  /** Every service's desired tasks, by its Swarm name (`<stack>_<service>`), in a fixed order. */
  readonly desiredReplicas: readonly { readonly service: string; readonly replicas: number }[];
  /** etcd members, when the cluster runs etcd. */
  readonly etcdMembers?: number;
  /** Each XtraDB (Galera) cluster: its name and its voters (members plus arbitrator). */
  readonly galeraClusters: readonly { readonly name: string; readonly voters: number }[];
  /** ProxySQL's hostgroup for backends Galera checks took out, when the cluster runs ProxySQL. */
  readonly proxysqlOfflineHostgroup?: number;
  /** The cluster serves sites through nginx and php-fpm. */
  readonly frontProxy: boolean;
  /** Node certificates are issued by the cluster PKI. */
  readonly nodeCertificates: boolean;
  /** The cluster serves sites over TLS (their certificates are probed as clients see them). */
  readonly siteCertificates: boolean;
  /** Days before a certificate's expiry the alert fires. */
  readonly certificateExpiryDays: number;
}

interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels: { readonly severity: AlertSeverity };
  readonly annotations: { readonly summary: string; readonly description: string };
}

interface RecordingRule {
  readonly record: string;
  readonly expr: string;
  readonly labels: Readonly<Record<string, string>>;
}

interface RuleGroup {
  readonly name: string;
  readonly rules: readonly (AlertRule | RecordingRule)[];
}

const DAY_SECONDS = 86_400;

/** The Prometheus rules file: one group per component the model runs. */
export function alertRulesYaml(inputs: AlertRuleInputs): string {
  return withHashHeader(yamlText({ groups: alertRuleGroups(inputs) }));
}

export function alertRuleGroups(inputs: AlertRuleInputs): RuleGroup[] {
  return [
    nodeRules(),
    swarmRules(inputs),
    ...(inputs.etcdMembers === undefined ? [] : [etcdRules(inputs.etcdMembers)]),
    ...inputs.galeraClusters.map((galera) => galeraRules(galera.name, galera.voters)),
    ...(inputs.proxysqlOfflineHostgroup === undefined ? [] : [proxysqlRules(inputs.proxysqlOfflineHostgroup)]),
    ...(inputs.frontProxy ? [frontRules()] : []),
    ...certificateRules(inputs),
  ];
}

function nodeRules(): RuleGroup {
  const node = `job="${ALERT_JOBS.nodeExporter}"`;
  return {
    name: "nodes",
    rules: [
      {
        alert: "NodeDown",
        // node-exporter's targets are labelled instance=<hostname>; the copy in `node` lets the inhibition
        // silence the alerts of tasks on the node, which carry the node's hostname in `node`, not `instance`.
        expr: `label_replace(up{${node}} == 0, "${NODE_LABEL}", "$1", "instance", "(.+)")`,
        for: "1m",
        labels: { severity: "critical" },
        annotations: {
          summary: "Node {{ $labels.instance }} is down",
          description: "node-exporter on {{ $labels.instance }} has not answered for a minute: the node is down or unreachable.",
        },
      },
      {
        alert: "ScrapeTargetDown",
        // A node's own exporter is NodeDown's; every other target (dockerd, the services' exporters).
        expr: `up{job!="${ALERT_JOBS.nodeExporter}"} == 0`,
        for: "2m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Target {{ $labels.instance }} of {{ $labels.job }} is down",
          description: "Prometheus has not scraped {{ $labels.job }} at {{ $labels.instance }} for two minutes.",
        },
      },
      {
        alert: "DiskFillPredicted",
        // The last 6 h trend reaches zero within a day; read-only and in-memory file systems never fill.
        expr:
          `predict_linear(node_filesystem_avail_bytes{${node},fstype!~"tmpfs|ramfs|squashfs|overlay"}[6h], ${DAY_SECONDS}) < 0` +
          ` and node_filesystem_readonly{${node}} == 0`,
        for: "30m",
        labels: { severity: "warning" },
        annotations: {
          summary: "{{ $labels.mountpoint }} on {{ $labels.instance }} fills up within 24 h",
          description:
            "At the rate of the last 6 hours, {{ $labels.mountpoint }} on {{ $labels.instance }} has no space left within a day.",
        },
      },
      {
        alert: "MemoryPressure",
        expr: `node_memory_MemAvailable_bytes{${node}} / node_memory_MemTotal_bytes{${node}} < 0.1`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "{{ $labels.instance }} has less than 10% of its memory available",
          description: "{{ $labels.instance }} has had under 10% of its memory available for 5 minutes: the OOM killer is near.",
        },
      },
    ],
  };
}

/**
 * Swarm's state. dockerd's engine metrics (DockerHost's `metrics-addr`) give each manager's view of the nodes
 * (`swarm_manager_nodes{state}`); they hold no task count per service. Running tasks come from cAdvisor (global, one
 * per node), which labels each container with its service (`container_label_com_docker_swarm_service_name`);
 * the desired count is the model's, recorded once per service.
 */
function swarmRules(inputs: AlertRuleInputs): RuleGroup {
  const running =
    `count by (service_name) (label_replace(container_last_seen{container_label_com_docker_swarm_service_name!=""}, ` +
    `"service_name", "$1", "container_label_com_docker_swarm_service_name", "(.+)"))`;
  return {
    name: "swarm",
    rules: [
      {
        alert: "SwarmNodeNotReady",
        // Every manager reports the same counts: the best view counts, so one stale manager does not fire it.
        expr: `max(swarm_manager_nodes{state="ready"}) < ${inputs.swarmNodes}`,
        for: "2m",
        labels: { severity: "warning" },
        annotations: {
          summary: `{{ $value }} of ${inputs.swarmNodes} Swarm nodes are ready`,
          description: `The managers count fewer ready nodes than the ${inputs.swarmNodes} the cluster declares.`,
        },
      },
      ...inputs.desiredReplicas.map(
        ({ service, replicas }): RecordingRule => ({
          record: DESIRED_REPLICAS_RECORD,
          expr: `vector(${replicas})`,
          labels: { service_name: service },
        }),
      ),
      {
        alert: "ServiceBelowDesiredReplicas",
        // A service with no container left has no `running` series: it counts as 0 through the `or`.
        expr: `${DESIRED_REPLICAS_RECORD} > on (service_name) (${running} or on (service_name) ${DESIRED_REPLICAS_RECORD} * 0)`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Service {{ $labels.service_name }} runs fewer tasks than it should",
          description: "{{ $labels.service_name }} has run fewer tasks than the {{ $value }} declared for 5 minutes.",
        },
      },
    ],
  };
}

/** etcd's own metrics (served on its client port, scraped over TLS with a client certificate). */
function etcdRules(members: number): RuleGroup {
  const etcd = `job="${ALERT_JOBS.etcd}"`;
  return {
    name: "etcd",
    rules: [
      {
        alert: "EtcdNoLeader",
        expr: `etcd_server_has_leader{${etcd}} == 0`,
        for: "1m",
        labels: { severity: "critical" },
        annotations: {
          summary: "etcd member {{ $labels.instance }} has no leader",
          description: "etcd on {{ $labels.instance }} has seen no leader for a minute: it serves no writes.",
        },
      },
      {
        alert: "EtcdMemberLost",
        // An absent job (every member gone) counts as 0 members up.
        expr: `(sum(up{${etcd}}) or vector(0)) < ${members}`,
        for: "2m",
        labels: { severity: "warning" },
        annotations: {
          summary: `{{ $value }} of ${members} etcd members are up`,
          description: `etcd has ${members} members; losing more than ${members - (Math.floor(members / 2) + 1)} loses its majority.`,
        },
      },
      {
        alert: "EtcdSlowFsync",
        // etcd's guidance: a WAL fsync p99 above 10 ms is a slow disk; at 0.5 s elections start to fail.
        expr: `histogram_quantile(0.99, sum by (instance, le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket{${etcd}}[5m]))) > 0.5`,
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: "etcd on {{ $labels.instance }} syncs its WAL slowly",
          description: "The 99th percentile of WAL fsync on {{ $labels.instance }} is {{ $value }}s (above 0.5 s) for 10 minutes.",
        },
      },
    ],
  };
}

/**
 * Galera's status through mysqld_exporter (`mysql_global_status_wsrep_*`). The mysqld scrape job labels its targets
 * with the Galera cluster's name (`galera_cluster`), so each cluster is held to its own member count.
 */
function galeraRules(name: string, voters: number): RuleGroup {
  const galera = `galera_cluster="${name}"`;
  return {
    name: `galera-${name}`,
    rules: [
      {
        alert: "GaleraClusterSizeBelowModel",
        // wsrep_cluster_size counts the arbitrator too: the voters.
        expr: `mysql_global_status_wsrep_cluster_size{${galera}} < ${voters}`,
        for: "2m",
        labels: { severity: "critical" },
        annotations: {
          summary: `Galera cluster ${name} has {{ $value }} of ${voters} members`,
          description: `{{ $labels.instance }} sees {{ $value }} members in ${name}; the cluster declares ${voters} (members and arbitrator).`,
        },
      },
      {
        alert: "GaleraMemberNotSynced",
        // wsrep_local_state 4 is Synced; 2 (Donor) and 1 (Joining) pass in a state transfer, hence the wait.
        expr: `mysql_global_status_wsrep_local_state{${galera}} != 4`,
        for: "10m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Galera member {{ $labels.instance }} is not Synced",
          description: `{{ $labels.instance }} of ${name} has been in wsrep_local_state {{ $value }} (4 is Synced) for 10 minutes.`,
        },
      },
      {
        alert: "GaleraFlowControlPaused",
        // wsrep_flow_control_paused_ns counts the time replication was paused: above 10% of the time, writes stall.
        expr: `rate(mysql_global_status_wsrep_flow_control_paused_ns{${galera}}[5m]) / 1e9 > 0.1`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "Galera flow control pauses replication on {{ $labels.instance }}",
          description: `Replication in ${name} was paused {{ $value | humanizePercentage }} of the time: a member cannot keep up.`,
        },
      },
    ],
  };
}

/**
 * ProxySQL's built-in exporter (admin `restapi`, port 6070): `proxysql_connection_pool_status` per backend and
 * hostgroup is 1 ONLINE, 2 SHUNNED, 3 OFFLINE_SOFT, 4 OFFLINE_HARD.
 */
function proxysqlRules(offlineHostgroup: number): RuleGroup {
  return {
    name: "proxysql",
    rules: [
      {
        alert: "ProxySqlBackendShunnedOrOffline",
        // Galera checks move a member that is not Synced into the offline hostgroup: that is a backend out too.
        expr: `proxysql_connection_pool_status >= 2 or proxysql_connection_pool_status{hostgroup="${offlineHostgroup}"}`,
        for: "2m",
        labels: { severity: "warning" },
        annotations: {
          summary: "ProxySQL on {{ $labels.instance }} does not use backend {{ $labels.endpoint }}",
          description:
            "{{ $labels.endpoint }} is shunned or offline in hostgroup {{ $labels.hostgroup }} (status {{ $value }}: 2 shunned, 3-4 offline).",
        },
      },
    ],
  };
}

/**
 * nginx's stub_status through nginx-prometheus-exporter (job `nginx`): it counts connections and requests, not
 * status codes, so what it shows is saturation: a connection accepted and not handled means nginx ran out of
 * `worker_connections`. php-fpm's status page, through hipages' php-fpm_exporter (job `php-fpm`), gives
 * `phpfpm_max_children_reached` (a count since the pool started).
 */
function frontRules(): RuleGroup {
  const nginx = `job="${ALERT_JOBS.nginx}"`;
  return {
    name: "front",
    rules: [
      {
        alert: "NginxDroppingConnections",
        expr: `sum by (instance) (rate(nginx_connections_accepted{${nginx}}[5m]) - rate(nginx_connections_handled{${nginx}}[5m])) > 0`,
        for: "5m",
        labels: { severity: "warning" },
        annotations: {
          summary: "nginx on {{ $labels.instance }} drops connections",
          description:
            "nginx on {{ $labels.instance }} accepted connections it did not handle for 5 minutes: worker_connections is exhausted.",
        },
      },
      {
        alert: "PhpFpmMaxChildrenReached",
        expr: "increase(phpfpm_max_children_reached[5m]) > 0",
        labels: { severity: "warning" },
        annotations: {
          summary: "php-fpm pool {{ $labels.pool }} on {{ $labels.instance }} reached pm.max_children",
          description: "Requests waited for a php-fpm worker: the pool ran out of children in the last 5 minutes.",
        },
      },
    ],
  };
}

/**
 * Node certificates through enix's x509-certificate-exporter, reading the files on each node
 * (`x509_cert_not_after`); the sites' certificates as clients see them, through the blackbox exporter's https
 * probe (`probe_ssl_earliest_cert_expiry`).
 */
function certificateRules(inputs: AlertRuleInputs): RuleGroup[] {
  const days = inputs.certificateExpiryDays;
  const rules: AlertRule[] = [];
  if (inputs.nodeCertificates) {
    rules.push({
      alert: "NodeCertificateExpiresSoon",
      expr: `x509_cert_not_after - time() < ${days} * ${DAY_SECONDS}`,
      labels: { severity: "warning" },
      annotations: {
        summary: `Certificate {{ $labels.filepath }} on {{ $labels.instance }} expires within ${days} days`,
        description: `{{ $labels.filepath }} on {{ $labels.instance }} expires in less than ${days} days: renew it with the cluster PKI and rebuild.`,
      },
    });
  }
  if (inputs.siteCertificates) {
    rules.push({
      alert: "SiteCertificateExpiresSoon",
      expr: `probe_ssl_earliest_cert_expiry - time() < ${days} * ${DAY_SECONDS}`,
      labels: { severity: "warning" },
      annotations: {
        summary: `The certificate of {{ $labels.instance }} expires within ${days} days`,
        description: `The certificate served for {{ $labels.instance }} expires in less than ${days} days: certbot's renewal has not run.`,
      },
    });
  }
  return rules.length === 0 ? [] : [{ name: "certificates", rules }];
}
