import { DashboardBuilder, RowBuilder } from "@grafana/grafana-foundation-sdk/dashboard";
import type { Dashboard } from "@grafana/grafana-foundation-sdk/dashboard";
import { DESIRED_REPLICAS_RECORD, NODE_LABEL } from "../alerting/alert-rules.js";
import { EXPORTER_METRICS } from "./exporter-metrics.js";
import { matchers, oneOf, stat, timeseries } from "./panels.js";

/**
 * What the dashboards are drawn from: the model's nodes, services and clusters as plain values. Panels select a
 * node's series by `instance` for node-exporter (prometheus.yml labels its targets with the hostname) and by
 * `node` for the services' exporters (the label the alerting family's inhibition reads, see NODE_LABEL).
 */
export interface DashboardInputs {
  readonly clusterName: string;
  /** Each tier with its nodes' hostnames, in the model's order. */
  readonly tiers: readonly { readonly tier: string; readonly nodes: readonly string[] }[];
  /** Each stack with its services' Swarm names (`<stack>_<service>`). */
  readonly stacks: readonly { readonly stack: string; readonly services: readonly string[] }[];
  /** Each XtraDB (Galera) cluster: its name, its voters (members and arbitrator) and its data members' hostnames. */
  readonly galera: readonly { readonly name: string; readonly voters: number; readonly members: readonly string[] }[];
  /** Nodes ProxySQL runs on. */
  readonly proxysqlNodes: readonly string[];
  /** Nodes nginx (the fronts) and php-fpm run on. */
  readonly nginxNodes: readonly string[];
  readonly phpNodes: readonly string[];
  /** etcd members' hostnames. */
  readonly etcdMembers: readonly string[];
}

/** A dashboard and the kind its file is named after (its Grafana uid is `<cluster>-<kind>`). */
export interface GeneratedDashboard {
  readonly uid: string;
  readonly dashboard: Dashboard;
}

const RATE = "$__rate_interval";
const NODE_JOB = EXPORTER_METRICS.nodeExporter.job;
const PROMETHEUS_JOB = EXPORTER_METRICS.prometheus.job;
const ETCD_JOB = EXPORTER_METRICS.etcd.job;

/** Every dashboard the model calls for: the seed's three, then one per kind of service the cluster runs. */
export function buildDashboards(inputs: DashboardInputs): GeneratedDashboard[] {
  return [
    nodesDashboard(inputs),
    servicesDashboard(inputs),
    prometheusDashboard(inputs),
    ...(inputs.galera.length > 0 ? [galeraDashboard(inputs)] : []),
    ...(inputs.proxysqlNodes.length > 0 ? [proxysqlDashboard(inputs)] : []),
    ...(inputs.nginxNodes.length > 0 || inputs.phpNodes.length > 0 ? [frontDashboard(inputs)] : []),
    ...(inputs.etcdMembers.length > 0 ? [etcdDashboard(inputs)] : []),
  ];
}

function dashboard(uid: string, title: string, inputs: DashboardInputs): DashboardBuilder {
  return new DashboardBuilder(`${inputs.clusterName} / ${title}`)
    .uid(`${inputs.clusterName}-${uid}`)
    .tags(["swarm-cluster", inputs.clusterName])
    .time({ from: "now-6h", to: "now" })
    .refresh("1m")
    .timezone("browser")
    .readonly();
}

function done(uid: string, builder: DashboardBuilder): GeneratedDashboard {
  const built = builder.build();
  return { uid, dashboard: built };
}

/** The seed's node dashboard: one row per tier, a panel per node (CPU, memory, root file system) and the tier's traffic. */
function nodesDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const builder = dashboard("nodes", "Nodes", inputs);
  for (const { tier, nodes } of inputs.tiers) {
    if (nodes.length === 0) continue;
    builder.withRow(new RowBuilder(`Tier ${tier} (${nodes.length} node${nodes.length === 1 ? "" : "s"})`));
    for (const hostname of nodes) {
      const node = { job: NODE_JOB, instance: hostname };
      const root = { ...node, mountpoint: "/" };
      builder.withPanel(
        timeseries(hostname, "percent", 8, [
          { expr: `100 * (1 - avg(rate(node_cpu_seconds_total${matchers({ ...node, mode: "idle" })}[${RATE}])))`, legend: "CPU busy" },
          {
            expr: `100 * (1 - node_memory_MemAvailable_bytes${matchers(node)} / node_memory_MemTotal_bytes${matchers(node)})`,
            legend: "memory used",
          },
          {
            expr: `100 * (1 - node_filesystem_avail_bytes${matchers(root)} / node_filesystem_size_bytes${matchers(root)})`,
            legend: "/ used",
          },
        ])
          .min(0)
          .max(100),
      );
    }
    const tierNodes = { job: NODE_JOB, instance: oneOf(nodes), device: "~^(eth|ens|enp|eno).*" };
    builder.withPanel(
      timeseries(`Tier ${tier}: network`, "Bps", 24, [
        { expr: `sum by (instance) (rate(node_network_receive_bytes_total${matchers(tierNodes)}[${RATE}]))`, legend: "{{instance}} in" },
        { expr: `sum by (instance) (rate(node_network_transmit_bytes_total${matchers(tierNodes)}[${RATE}]))`, legend: "{{instance}} out" },
      ]),
    );
  }
  return done("nodes", builder);
}

/** The seed's services dashboard: one row per stack, its services' tasks (running against the model's count), CPU and memory. */
function servicesDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const builder = dashboard("services", "Services", inputs);
  const service = "container_label_com_docker_swarm_service_name";
  for (const { stack, services } of inputs.stacks) {
    if (services.length === 0) continue;
    const mine = matchers({ [service]: oneOf(services) });
    builder.withRow(new RowBuilder(`Stack ${stack}`));
    builder.withPanel(
      timeseries(`${stack}: tasks running / desired`, "short", 8, [
        { expr: `count by (${service}) (container_last_seen${mine})`, legend: `{{${service}}} running` },
        { expr: `${DESIRED_REPLICAS_RECORD}${matchers({ service_name: oneOf(services) })}`, legend: "{{service_name}} desired" },
      ]),
    );
    builder.withPanel(
      timeseries(`${stack}: CPU`, "short", 8, [
        { expr: `sum by (${service}) (rate(container_cpu_usage_seconds_total${mine}[${RATE}]))`, legend: `{{${service}}}` },
      ]),
    );
    builder.withPanel(
      timeseries(`${stack}: memory`, "bytes", 8, [
        { expr: `sum by (${service}) (container_memory_working_set_bytes${mine})`, legend: `{{${service}}}` },
      ]),
    );
  }
  return done("services", builder);
}

/** The seed's Prometheus dashboard: its targets, its storage, its rules and what it sends the Alertmanagers. */
function prometheusDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const self = matchers({ job: PROMETHEUS_JOB });
  return done(
    "prometheus",
    dashboard("prometheus", "Prometheus", inputs)
      .withRow(new RowBuilder("Targets"))
      .withPanel(
        timeseries("Targets up by job", "short", 12, [
          { expr: "sum by (job) (up)", legend: "{{job}} up" },
          { expr: "count by (job) (up)", legend: "{{job}} targets" },
        ]),
      )
      .withPanel(timeseries("Slowest scrape by job", "s", 12, [{ expr: "max by (job) (scrape_duration_seconds)", legend: "{{job}}" }]))
      .withRow(new RowBuilder("Storage and rules"))
      .withPanel(timeseries("Head series", "short", 8, [{ expr: `prometheus_tsdb_head_series${self}`, legend: "series" }]))
      .withPanel(
        timeseries("Samples appended", "short", 8, [
          { expr: `rate(prometheus_tsdb_head_samples_appended_total${self}[${RATE}])`, legend: "samples/s" },
        ]),
      )
      .withPanel(
        timeseries("Rule evaluation failures", "short", 8, [
          { expr: `sum(rate(prometheus_rule_evaluation_failures_total${self}[${RATE}]))`, legend: "failures/s" },
        ]),
      )
      .withRow(new RowBuilder("Alertmanagers"))
      .withPanel(
        timeseries("Alerts sent and failed, per Alertmanager", "short", 24, [
          { expr: `rate(prometheus_notifications_sent_total${self}[${RATE}])`, legend: "{{alertmanager}} sent" },
          { expr: `rate(prometheus_notifications_errors_total${self}[${RATE}])`, legend: "{{alertmanager}} failed" },
        ]),
      ),
  );
}

/** XtraDB/Galera: one row per cluster (its size against the model's voters, each member's state), a panel per member. */
function galeraDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const builder = dashboard("xtradb", "XtraDB / Galera", inputs);
  for (const galera of inputs.galera) {
    const cluster = { galera_cluster: galera.name };
    builder.withRow(new RowBuilder(`Galera cluster ${galera.name} (${galera.voters} voters)`));
    builder.withPanel(
      stat(
        `${galera.name}: members seen (of ${galera.voters})`,
        8,
        { expr: `min(mysql_global_status_wsrep_cluster_size${matchers(cluster)})`, legend: "members" },
        galera.voters,
      ),
    );
    builder.withPanel(
      timeseries(`${galera.name}: state (4 = Synced)`, "short", 8, [
        { expr: `mysql_global_status_wsrep_local_state${matchers(cluster)}`, legend: `{{${NODE_LABEL}}}` },
      ]),
    );
    builder.withPanel(
      timeseries(`${galera.name}: replication paused by flow control`, "percentunit", 8, [
        { expr: `rate(mysql_global_status_wsrep_flow_control_paused_ns${matchers(cluster)}[${RATE}]) / 1e9`, legend: `{{${NODE_LABEL}}}` },
      ]),
    );
    for (const hostname of galera.members) {
      const member = { ...cluster, [NODE_LABEL]: hostname };
      builder.withPanel(
        timeseries(hostname, "short", Math.max(6, Math.floor(24 / galera.members.length)), [
          { expr: `rate(mysql_global_status_queries${matchers(member)}[${RATE}])`, legend: "queries/s" },
          { expr: `mysql_global_status_threads_connected${matchers(member)}`, legend: "connections" },
          { expr: `mysql_up${matchers(member)}`, legend: "up" },
        ]),
      );
    }
  }
  return done("xtradb", builder);
}

/** ProxySQL: its backends as it sees them, and a panel per node it runs on. */
function proxysqlDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const builder = dashboard("proxysql", "ProxySQL", inputs)
    .withRow(new RowBuilder("Backends"))
    .withPanel(
      timeseries("Backend status (1 online, 2 shunned, 3-4 offline)", "short", 8, [
        { expr: "max by (hostgroup, endpoint) (proxysql_connection_pool_status)", legend: "hostgroup {{hostgroup}} {{endpoint}}" },
      ]),
    )
    .withPanel(
      timeseries("Backend connections in use", "short", 8, [
        { expr: "sum by (endpoint) (proxysql_connection_pool_conn_used)", legend: "{{endpoint}}" },
      ]),
    )
    .withPanel(
      timeseries("Backend latency", "µs", 8, [{ expr: "max by (endpoint) (proxysql_connection_pool_latency_us)", legend: "{{endpoint}}" }]),
    )
    .withRow(new RowBuilder(`ProxySQL on ${inputs.proxysqlNodes.length} node${inputs.proxysqlNodes.length === 1 ? "" : "s"}`));
  for (const hostname of inputs.proxysqlNodes) {
    const node = { [NODE_LABEL]: hostname };
    builder.withPanel(
      timeseries(hostname, "short", 6, [
        { expr: `proxysql_client_connections_connected${matchers(node)}`, legend: "client connections" },
        { expr: `rate(proxysql_questions_total${matchers(node)}[${RATE}])`, legend: "questions/s" },
      ]),
    );
  }
  return done("proxysql", builder);
}

/** nginx and php-fpm: the request path's two web tiers, a panel per node each runs on. */
function frontDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const builder = dashboard("web", "nginx + php-fpm", inputs);
  if (inputs.nginxNodes.length > 0) {
    builder.withRow(new RowBuilder("nginx (front tier)"));
    for (const hostname of inputs.nginxNodes) {
      const node = { [NODE_LABEL]: hostname };
      builder.withPanel(
        timeseries(`${hostname}: responses`, "reqps", 12, [
          { expr: `sum by (status) (rate(nginx_http_response_count_total${matchers(node)}[${RATE}]))`, legend: "{{status}}" },
        ]),
      );
    }
    builder.withPanel(
      timeseries("Mean response time", "s", 24, [
        {
          expr: `sum by (${NODE_LABEL}) (rate(nginx_http_response_time_seconds_sum[${RATE}])) / sum by (${NODE_LABEL}) (rate(nginx_http_response_time_seconds_count[${RATE}]))`,
          legend: `{{${NODE_LABEL}}}`,
        },
      ]),
    );
  }
  if (inputs.phpNodes.length > 0) {
    builder.withRow(new RowBuilder("php-fpm (app tier)"));
    for (const hostname of inputs.phpNodes) {
      const node = { [NODE_LABEL]: hostname };
      builder.withPanel(
        timeseries(`${hostname}: php-fpm`, "short", 8, [
          { expr: `sum(phpfpm_active_processes${matchers(node)})`, legend: "active" },
          { expr: `sum(phpfpm_idle_processes${matchers(node)})`, legend: "idle" },
          { expr: `sum(phpfpm_listen_queue${matchers(node)})`, legend: "queued" },
        ]),
      );
    }
    builder.withPanel(
      timeseries("Pools at max_children", "short", 24, [
        { expr: `sum by (${NODE_LABEL}) (increase(phpfpm_max_children_reached[${RATE}]))`, legend: `{{${NODE_LABEL}}}` },
      ]),
    );
  }
  return done("web", builder);
}

/** etcd: the leader and proposals of the group, a panel per member (disk and peer latency). */
function etcdDashboard(inputs: DashboardInputs): GeneratedDashboard {
  const job = matchers({ job: ETCD_JOB });
  const builder = dashboard("etcd", "etcd", inputs)
    .withRow(new RowBuilder(`etcd (${inputs.etcdMembers.length} members)`))
    .withPanel(
      stat("Members with a leader", 8, { expr: `sum(etcd_server_has_leader${job})`, legend: "members" }, inputs.etcdMembers.length),
    )
    .withPanel(
      timeseries("Leader changes and failed proposals", "short", 8, [
        { expr: `sum(increase(etcd_server_leader_changes_seen_total${job}[${RATE}]))`, legend: "leader changes" },
        { expr: `sum(rate(etcd_server_proposals_failed_total${job}[${RATE}]))`, legend: "failed proposals/s" },
      ]),
    )
    .withPanel(timeseries("Database size", "bytes", 8, [{ expr: `etcd_mvcc_db_total_size_in_bytes${job}`, legend: `{{${NODE_LABEL}}}` }]));
  for (const hostname of inputs.etcdMembers) {
    const member = matchers({ job: ETCD_JOB, [NODE_LABEL]: hostname });
    builder.withPanel(
      timeseries(`${hostname}: p99 latency`, "s", 8, [
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(etcd_disk_wal_fsync_duration_seconds_bucket${member}[${RATE}])))`,
          legend: "WAL fsync",
        },
        {
          expr: `histogram_quantile(0.99, sum by (le) (rate(etcd_network_peer_round_trip_time_seconds_bucket${member}[${RATE}])))`,
          legend: "peer round trip",
        },
      ]),
    );
  }
  return done("etcd", builder);
}
