import { ALERT_JOBS, DESIRED_REPLICAS_RECORD } from "../alerting/alert-rules.js";

/**
 * The metrics the dashboards may query, by the exporter that exposes them, as data: a test holds every panel's
 * query to this list and every `job` it selects to the jobs the generated prometheus.yml scrapes or the
 * exporters below are scraped under. Names are those of each exporter's documentation or source, as cited.
 */
export interface ExporterMetrics {
  /** The scrape job, where the dashboards select one by name (`job="…"`); undefined where they select by metric only. */
  readonly job?: string;
  /** Where the names come from. */
  readonly source: string;
  readonly metrics: readonly string[];
}

export const EXPORTER_METRICS = {
  prometheus: {
    job: "prometheus",
    source:
      "Prometheus' own /metrics (prometheus/prometheus, tsdb/head.go, rules/manager.go, notifier/notifier.go) and the series every scrape adds (docs: Jobs and instances, automatically generated labels and time series)",
    metrics: [
      "up",
      "scrape_duration_seconds",
      "scrape_samples_scraped",
      "prometheus_tsdb_head_series",
      "prometheus_tsdb_head_samples_appended_total",
      "prometheus_rule_evaluation_failures_total",
      "prometheus_notifications_sent_total",
      "prometheus_notifications_errors_total",
    ],
  },
  nodeExporter: {
    job: ALERT_JOBS.nodeExporter,
    source: "prometheus/node_exporter v1.8 collectors cpu, meminfo, filesystem, netdev, loadavg (README: Collectors)",
    metrics: [
      "node_cpu_seconds_total",
      "node_memory_MemAvailable_bytes",
      "node_memory_MemTotal_bytes",
      "node_filesystem_avail_bytes",
      "node_filesystem_size_bytes",
      "node_network_receive_bytes_total",
      "node_network_transmit_bytes_total",
      "node_load1",
    ],
  },
  cadvisor: {
    source: "google/cadvisor docs/storage/prometheus.md (container_* metrics, with the Docker labels as container_label_*)",
    metrics: ["container_cpu_usage_seconds_total", "container_memory_working_set_bytes", "container_last_seen"],
  },
  alertRules: {
    source: "generators/alerting/alert-rules.ts: the recording rule of each service's desired tasks",
    metrics: [DESIRED_REPLICAS_RECORD],
  },
  mysqld: {
    source:
      "prometheus/mysqld_exporter collector/global_status.go (SHOW GLOBAL STATUS as mysql_global_status_<lower-cased name>) and mysql_up",
    metrics: [
      "mysql_up",
      "mysql_global_status_wsrep_cluster_size",
      "mysql_global_status_wsrep_local_state",
      "mysql_global_status_wsrep_flow_control_paused_ns",
      "mysql_global_status_threads_connected",
      "mysql_global_status_queries",
    ],
  },
  proxysql: {
    source:
      "ProxySQL 2.x built-in exporter (lib/MySQL_HostGroups_Manager.cpp connection pool metrics, lib/MySQL_Thread.cpp thread counters)",
    metrics: [
      "proxysql_connection_pool_status",
      "proxysql_connection_pool_conn_used",
      "proxysql_connection_pool_latency_us",
      "proxysql_client_connections_connected",
      "proxysql_questions_total",
    ],
  },
  nginx: {
    source: "martin-helmich/prometheus-nginxlog-exporter README (Exported metrics), reading nginx's access log",
    metrics: ["nginx_http_response_count_total", "nginx_http_response_time_seconds_sum", "nginx_http_response_time_seconds_count"],
  },
  phpFpm: {
    source: "hipages/php-fpm_exporter README (Exposed metrics), from php-fpm's status page",
    metrics: ["phpfpm_up", "phpfpm_active_processes", "phpfpm_idle_processes", "phpfpm_listen_queue", "phpfpm_max_children_reached"],
  },
  etcd: {
    job: ALERT_JOBS.etcd,
    source: "etcd v3.5 docs: Metrics (op-guide/monitoring), server, disk, network and mvcc groups",
    metrics: [
      "etcd_server_has_leader",
      "etcd_server_leader_changes_seen_total",
      "etcd_server_proposals_failed_total",
      "etcd_mvcc_db_total_size_in_bytes",
      "etcd_disk_wal_fsync_duration_seconds_bucket",
      "etcd_network_peer_round_trip_time_seconds_bucket",
    ],
  },
} as const satisfies Record<string, ExporterMetrics>;

export type Exporter = keyof typeof EXPORTER_METRICS;

/** Every metric name the catalogue holds. */
export function knownMetrics(): ReadonlySet<string> {
  return new Set(Object.values(EXPORTER_METRICS).flatMap((exporter: ExporterMetrics) => exporter.metrics));
}
