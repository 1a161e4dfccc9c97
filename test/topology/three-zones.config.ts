/**
 * A 50-node cluster in three zones (a, b, c), for the topology family's tests and for looking at its
 * pictures at scale: 6 fronts, 35 app nodes (the first of each zone a Swarm manager, five etcd members
 * spread 2-2-1), 3 SQL-proxy hosts running ProxySQL, and 6 XtraDB nodes with a Galera arbitrator, each tier
 * spread over the zones. The zone is each node's `zone`.
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
  defineCluster,
} from "swarm-cluster";

const ZONES = ["a", "b", "c"] as const;
/** Nodes per tier; the n-th node of a tier sits in zone ZONES[n % 3]. */
const COUNTS = { front: 6, app: 35, proxy: 3, db: 6 } as const;
/** Third octet of each tier's addresses in 10.20.0.0/16. */
const BLOCK = { front: 1, app: 2, proxy: 3, db: 4 } as const;

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "zones",
    privateNetwork: "10.20.0.0/16",
    domain: "zones.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
  });
  const proxysql = { proxysql: "true" };
  const zone = (index: number) => ZONES[index % ZONES.length] as string;
  const tierNodes = (tier: keyof typeof COUNTS, name: string, extra: (index: number) => Partial<ConstructorParameters<typeof Node>[2]> = () => ({})) =>
    Array.from({ length: COUNTS[tier] }, (_, index) =>
      new Node(cluster, `${name}-${index + 1}`, {
        tier,
        privateIp: `10.20.${BLOCK[tier]}.${index + 1}`,
        ...extra(index),
        zone: zone(index),
      }),
    );

  tierNodes("front", "front", (index) => ({ publicIp: `203.0.113.${index + 1}` }));
  // The first app node of each zone manages the Swarm; the first five run etcd (zones a, b, c, a, b).
  const app = tierNodes("app", "app", (index) => ({ swarmRole: index < ZONES.length ? "manager" : "worker" }));
  const proxies = tierNodes("proxy", "proxy", () => ({ labels: proxysql }));
  const databases = tierNodes("db", "db");
  const primary = app[0] as Node;

  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/22", mtu: 1400 });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.20.0/22", mtu: 1400 });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.24.0/24", mtu: 1400 });

  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members: app.slice(0, 5) });
  new DockerHost(cluster, "docker");
  new HostFirewall(cluster, "firewall");

  const database = {
    name: "wordpress",
    user: "wordpress",
    password: new Secret(cluster, "wordpress_db_password", { description: "WordPress database password" }),
  };
  const db = new Stack(cluster, "db");
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: databases,
    arbitrator: proxies[0] as Node,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "MySQL root password of the XtraDB cluster" }),
    database,
  });
  const proxy = new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { labels: proxysql },
    credentials: {
      admin: new Secret(cluster, "proxysql_admin", { description: "ProxySQL admin_credentials line" }),
      monitor: new Secret(cluster, "proxysql_monitor", { description: "ProxySQL monitor_password line" }),
      users: new Secret(cluster, "proxysql_users", { description: "ProxySQL mysql_users block" }),
    },
  });

  const site = new Site(cluster, "www", { domains: ["example.org"] });
  const php = new Stack(cluster, "php");
  const fpm = new Service(php, "php", {
    image: "wordpress:6.6-php8.3-fpm-alpine",
    replicas: "one-per-node",
    placement: { tier: "app" },
    networks: [appnet],
    environment: {
      WORDPRESS_DB_HOST: proxy.endpoint,
      WORDPRESS_DB_NAME: database.name,
      WORDPRESS_DB_USER: database.user,
      WORDPRESS_DB_PASSWORD_FILE: database.password.mountPath,
    },
    secrets: [database.password],
    volumes: [site.volumeMount()],
    memoryLimit: "256M",
    critical: true,
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php: fpm,
    image: `${primary.hostname}.${cluster.domain}:5000/nginx-waf:1.26`,
  });
  new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: appnet,
    prometheusPlacement: { hostname: primary.hostname },
  });
  return cluster;
});
