import { stacksGenerator } from "../../generators/stacks/index.js";
import {
  type AlertingOptions,
  type Cluster,
  ClusterPki,
  EtcdCluster,
  FrontProxy,
  Monitoring,
  OverlayNetwork,
  ProxySql,
  Secret,
  Service,
  Site,
  Stack,
  Testing,
  XtraDbCluster,
} from "../../src/index.js";

export interface AlertedCluster {
  readonly cluster: Cluster;
  readonly monitoring: Monitoring;
}

/**
 * The reference cluster's shape in small: 2 fronts, 3 app managers running etcd, a SQL-proxy host, 2 XtraDB
 * members and garbd, ProxySQL, a site served through nginx and php-fpm, and Monitoring with alerting on the
 * two app nodes Prometheus does not run on.
 */
export function alertedCluster(
  options: { alertmanagerNodes?: readonly string[]; alerting?: Partial<AlertingOptions>; etcdMembers?: 1 | 3 } = {},
): AlertedCluster {
  const cluster = Testing.cluster({ nodes: { front: 2, app: 3, proxy: 1, db: 2 } });
  const node = (hostname: string) => {
    const found = cluster.nodes.find((candidate) => candidate.hostname === hostname);
    if (!found) throw new Error(`no node ${hostname}`);
    return found;
  };
  const app = [node("sw-node-1"), node("sw-node-2"), node("sw-node-3")];
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.18.0/24" });

  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members: app.slice(0, options.etcdMembers ?? 3) });
  const db = new Stack(cluster, "db");
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: [node("sw-db-1"), node("sw-db-2")],
    arbitrator: node("sw-proxy-1"),
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
  });
  new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { tier: "proxy" },
    credentials: {
      admin: new Secret(cluster, "proxysql_admin", { description: "admin" }),
      monitor: new Secret(cluster, "proxysql_monitor", { description: "monitor" }),
      users: new Secret(cluster, "proxysql_users", { description: "users" }),
    },
  });
  const site = new Site(cluster, "www", { domains: ["example.org"] });
  const php = new Service(new Stack(cluster, "php"), "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [site.volumeMount()],
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php,
    image: "sw-node-1.swarm.internal:5000/nginx-waf:1.26",
  });
  const monitoring = new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: appnet,
    prometheusPlacement: { hostname: "sw-node-1" },
    alerting: {
      nodes: (options.alertmanagerNodes ?? ["sw-node-2", "sw-node-3"]).map(node),
      slackWebhook: new Secret(cluster, "alertmanager_slack_webhook", { description: "Slack webhook URL" }),
      ...options.alerting,
    },
  });
  return { cluster, monitoring };
}

/** The stack files and their configs only: what the alerting tests read. */
export function synthStacks(cluster: Cluster): Promise<Map<string, string>> {
  return Testing.synth(cluster, { generators: [stacksGenerator] });
}
