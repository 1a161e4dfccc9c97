/**
 * Stand-in for bench/synthetic-cluster.ts until the reboot-window limit is lifted: the reference cluster's
 * shape with its tiers scaled (10% fronts, 60% app, 10% SQL proxies, 20% database), at most 56 nodes.
 */
import {
  Cluster,
  ClusterPki,
  DockerHost,
  EtcdCluster,
  FrontProxy,
  HostFirewall,
  Monitoring,
  Node,
  OverlayNetwork,
  ProxySql,
  Secret,
  Service,
  Site,
  Stack,
  XtraDbCluster,
} from "swarm-cluster";

export function syntheticCluster(nodes: number): Cluster {
  const tiers =
    nodes <= 8
      ? { front: 2, proxy: 1, db: 2 }
      : { front: Math.round(nodes * 0.1), proxy: Math.round(nodes * 0.1), db: Math.round(nodes * 0.2) };
  const appCount = nodes - tiers.front - tiers.proxy - tiers.db;
  const cluster = new Cluster({
    name: "bench",
    privateNetwork: "10.10.0.0/20",
    domain: "bench.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
  });
  let host = 0;
  const next = () => {
    host += 1;
    return {
      privateIp: `10.10.${Math.floor(host / 250)}.${(host % 250) + 1}`,
      publicIp: `198.18.${Math.floor(host / 250)}.${(host % 250) + 1}`,
    };
  };
  const proxysql = { proxysql: "true" };
  for (let i = 1; i <= tiers.front; i++) new Node(cluster, `front-${i}`, { tier: "front", ...next() });
  const app = Array.from({ length: appCount }, (_, i) => {
    const managers = appCount >= 50 ? 5 : 3;
    return new Node(cluster, `app-${i + 1}`, { tier: "app", ...next(), swarmRole: i < managers ? "manager" : "worker", labels: proxysql });
  });
  const proxies = Array.from({ length: tiers.proxy }, (_, i) => {
    const { privateIp } = next();
    return new Node(cluster, `proxy-${i + 1}`, { tier: "proxy", privateIp, labels: proxysql });
  });
  const databases = Array.from(
    { length: tiers.db },
    (_, i) => new Node(cluster, `db-${i + 1}`, { tier: "db", privateIp: next().privateIp }),
  );
  const primary = app[0] as Node;

  const overlay = (name: string, third: number) => new OverlayNetwork(cluster, name, { subnet: `192.168.${third}.0/20`, mtu: 1400 });
  const dbnet = overlay("dbnet", 16);
  const appnet = overlay("appnet", 32);
  const frontnet = overlay("frontnet", 48);
  const mngnet = overlay("mngnet", 64);

  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members: cluster.managers });
  new DockerHost(cluster, "docker");
  new HostFirewall(cluster, "firewall");

  const secret = (name: string) => new Secret(cluster, name, { description: name });
  const database = { name: "wordpress", user: "wordpress", password: secret("wordpress_db_password") };
  const db = new Stack(cluster, "db");
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: databases,
    ...(databases.length % 2 === 0 ? { arbitrator: proxies[0] as Node } : {}),
    rootPassword: secret("mysql_root_password"),
    database,
  });
  const proxy = new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { labels: proxysql },
    credentials: { admin: secret("proxysql_admin"), monitor: secret("proxysql_monitor"), users: secret("proxysql_users") },
  });
  const site = new Site(cluster, "www", { domains: ["example.org"] });
  const fpm = new Service(new Stack(cluster, "php"), "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    environment: { WORDPRESS_DB_HOST: proxy.endpoint, WORDPRESS_DB_PASSWORD_FILE: database.password.mountPath },
    secrets: [database.password],
    volumes: [site.volumeMount()],
    critical: true,
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php: fpm,
    image: "nginx:1.26",
  });
  new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: appnet,
    prometheusPlacement: { hostname: primary.hostname },
  });
  new Service(new Stack(cluster, "mng"), "agent", { image: "portainer/agent:2.21.4", mode: "global", networks: [mngnet] });
  return cluster;
}
