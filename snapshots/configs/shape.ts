/**
 * The shape of cluster.config.ts with the topology as parameters, so each snapshot variant next to this
 * file states only what it changes. Not a config itself (no default export): the variants are.
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

export interface Topology {
  /** Cluster name; also the CA's name. */
  readonly name: string;
  /** App nodes (Swarm workers beyond the first three, which are managers); each one runs php-fpm. */
  readonly appNodes: number;
  /** How many app nodes, from the first, run an etcd member. */
  readonly etcdMembers: number;
  /** XtraDB data nodes. */
  readonly dbNodes: number;
  /** Whether the SQL-proxy host runs a Galera arbitrator. */
  readonly arbitrator: boolean;
  /** Sites served by the front proxy, by name; each needs its own document root. */
  readonly sites: Readonly<Record<string, { readonly domains: readonly string[]; readonly root?: string }>>;
}

export function buildTopology(topology: Topology): Cluster {
  const cluster = new Cluster({
    name: topology.name,
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
    os: "flatcar",
  });
  const proxysql = { proxysql: "true" };

  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11" });
  new Node(cluster, "sw-front-2", { tier: "front", privateIp: "10.10.1.12", publicIp: "203.0.113.12" });
  const app = Array.from({ length: topology.appNodes }, (_, index) => {
    const number = index + 1;
    return new Node(cluster, `sw-node-${number}`, {
      tier: "app",
      privateIp: `10.10.1.${20 + number}`,
      publicIp: `203.0.113.${20 + number}`,
      swarmRole: number <= 3 ? "manager" : "worker",
      labels: proxysql,
    });
  });
  const primary = app[0]!;
  const registry = `${primary.hostname}.${cluster.domain}:5000`;
  const sqlProxy = new Node(cluster, "sw-proxy-sql", { tier: "proxy", privateIp: "10.10.1.31", labels: proxysql });
  const databases = Array.from(
    { length: topology.dbNodes },
    (_, index) => new Node(cluster, `sw-db-${index + 1}`, { tier: "db", privateIp: `10.10.1.${41 + index}` }),
  );

  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24", mtu: 1400 });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.18.0/24", mtu: 1400 });

  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members: app.slice(0, topology.etcdMembers) });
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
    ...(topology.arbitrator ? { arbitrator: sqlProxy } : {}),
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

  const sites = Object.entries(topology.sites).map(([name, props]) => new Site(cluster, name, props));
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
    volumes: sites.map((site) => site.volumeMount()),
    memoryLimit: "256M",
    critical: true,
  });
  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites,
    networks: [frontnet, appnet],
    php: fpm,
    image: `${registry}/nginx-waf:1.26`,
  });
  new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: appnet,
    prometheusPlacement: { hostname: primary.hostname },
  });
  return cluster;
}
