/**
 * A cluster of any size shaped like the reference (cluster.config.ts): its tiers keep the reference's
 * proportions, 2 front : 3 app : 1 proxy : 2 db, and it holds the same constructs (etcd and Swarm managers on
 * the first app nodes, ProxySQL on every app and proxy node, XtraDB members on the db nodes with an arbitrator
 * when their count is even, Ceph for the site's files, the front proxy, monitoring, Portainer). The benchmark and the scale
 * tests build it at 8, 50, 200 and 1,000 nodes; it uses only the public API, as a config would.
 */
import {
  CephCluster,
  Cluster,
  ClusterPki,
  DockerHost,
  EtcdCluster,
  FrontProxy,
  HostFirewall,
  Monitoring,
  Node,
  type NodeProps,
  OverlayNetwork,
  ProxySql,
  Secret,
  Service,
  Site,
  Stack,
  type Tier,
  XtraDbCluster,
} from "../src/index.js";

/** The reference cluster's tiers, in the order the nodes are declared, with their share of eight nodes. */
const TIER_SHARES: readonly (readonly [Tier, number])[] = [
  ["front", 2],
  ["app", 3],
  ["proxy", 1],
  ["db", 2],
];

/** Where each tier's addresses start in 10.10.0.0/16 (third octet): room for 16,000 nodes per tier. */
const TIER_BLOCK: Readonly<Record<Tier, number>> = { front: 1, app: 65, proxy: 129, db: 193 };

/** Nodes per third octet: addresses .1 to .250 of each /24. */
const PER_OCTET = 250;

const HOSTNAME_PREFIX: Readonly<Record<Tier, string>> = { front: "sw-front", app: "sw-node", proxy: "sw-proxy", db: "sw-db" };

/**
 * How many nodes each tier gets: the reference's shares of `nodes`, rounded, with the remainder on the app
 * tier. Every tier keeps at least one node, the app tier three (the Swarm managers and etcd members) and the
 * db tier two, so the smallest cluster is eight nodes.
 */
export function syntheticTierSizes(nodes: number): Readonly<Record<Tier, number>> {
  if (!Number.isInteger(nodes) || nodes < 8) throw new RangeError(`syntheticCluster: a whole number of nodes, 8 or more, not ${nodes}`);
  const front = Math.max(1, Math.round((nodes * 2) / 8));
  const proxy = Math.max(1, Math.round(nodes / 8));
  const db = Math.max(2, Math.round((nodes * 2) / 8));
  return { front, app: nodes - front - proxy - db, proxy, db };
}

function address(tier: Tier, index: number): string {
  return `10.10.${TIER_BLOCK[tier] + Math.floor(index / PER_OCTET)}.${(index % PER_OCTET) + 1}`;
}

/** Public addresses from 198.18.0.0/15, the range set aside for benchmarks (RFC 2544). */
function publicAddress(index: number): string {
  return `198.18.${Math.floor(index / PER_OCTET)}.${(index % PER_OCTET) + 1}`;
}

export function syntheticCluster(nodes: number): Cluster {
  const sizes = syntheticTierSizes(nodes);
  const cluster = new Cluster({
    name: "swarm",
    privateNetwork: "10.10.0.0/16",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
    os: "flatcar",
  });
  const proxysql = { proxysql: "true" };
  // Three managers (and etcd members) up to 100 nodes, five beyond: each tolerates the loss of one, or two.
  const managers = nodes > 100 ? 5 : 3;

  const byTier = new Map<Tier, Node[]>();
  for (const [tier] of TIER_SHARES) {
    const declared: Node[] = [];
    for (let index = 0; index < sizes[tier]; index++) {
      const props: NodeProps = {
        tier,
        privateIp: address(tier, index),
        ...(tier === "front" ? { publicIp: publicAddress(index) } : {}),
        ...(tier === "app" && index < managers ? { swarmRole: "manager" as const } : {}),
        ...(tier === "app" || tier === "proxy" ? { labels: proxysql } : {}),
      };
      declared.push(new Node(cluster, `${HOSTNAME_PREFIX[tier]}-${index + 1}`, props));
    }
    byTier.set(tier, declared);
  }
  const tierNodes = (tier: Tier): Node[] => byTier.get(tier) ?? [];
  const app = tierNodes("app");
  const primary = app[0] as Node;
  const registry = `${primary.hostname}.${cluster.domain}:5000`;
  // A Galera cluster is one quorum group, whose members all apply every write: it stays at three or five
  // members (the rest of the db tier holds none), as a real one would.
  const dbTier = tierNodes("db");
  const databases = dbTier.slice(
    0,
    dbTier.length <= 2 ? dbTier.length : Math.min(5, dbTier.length % 2 === 1 ? dbTier.length : dbTier.length - 1),
  );

  // /24 overlays hold the reference's tasks; beyond about sixty nodes the global and one-per-node services
  // (and every node's endpoint) need more addresses than a /24 has.
  const overlay = (id: string, octet: number) =>
    new OverlayNetwork(cluster, id, { subnet: nodes > 60 ? `10.${octet}.0.0/16` : `192.168.${octet}.0/24`, mtu: 1400 });
  const dbnet = overlay("dbnet", 16);
  const appnet = overlay("appnet", 17);
  const frontnet = overlay("frontnet", 18);
  const mngnet = overlay("mngnet", 19);

  new ClusterPki(cluster, "pki");
  new EtcdCluster(cluster, "etcd", { members: app.slice(0, managers) });
  new DockerHost(cluster, "docker");
  new HostFirewall(cluster, "firewall");

  const mysqlRoot = new Secret(cluster, "mysql_root_password", { description: "MySQL root password of the XtraDB cluster" });
  const credentials = {
    admin: new Secret(cluster, "proxysql_admin", { description: "ProxySQL admin credentials" }),
    monitor: new Secret(cluster, "proxysql_monitor", { description: "ProxySQL monitor password" }),
    users: new Secret(cluster, "proxysql_users", { description: "ProxySQL mysql_users block" }),
  };
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
    // An even number of members needs a voter without data to keep a majority when half of them are lost.
    ...(databases.length % 2 === 0 ? { arbitrator: tierNodes("proxy")[0] as Node } : {}),
    rootPassword: mysqlRoot,
    database,
  });
  const proxy = new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { labels: proxysql },
    credentials,
  });

  // Ceph as the reference places it (monitors and OSDs on the database and proxy tiers, three of them), for
  // the site's files and certificates: a node-local volume used on many nodes is an availability error.
  const storage = [...dbTier, ...tierNodes("proxy")].slice(0, 3);
  const ceph = new CephCluster(cluster, "ceph", {
    fsid: "a569f046-d945-455c-839e-b90347704087",
    monitors: storage,
    osds: storage,
    pools: [{ name: "configs", application: "cephfs" }],
    fileSystem: { dataPool: "configs" },
    volumes: [
      { name: "www", kind: "cephfs", holds: "the site's code, static files and uploads" },
      { name: "letsencrypt", kind: "cephfs", holds: "the sites' TLS certificates, which every front serves" },
    ],
  });
  const site = new Site(cluster, "www", { domains: ["example.org", "www.example.org"], volume: ceph.volumes.www?.hostPath });
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
    image: `${registry}/nginx-waf:1.26`,
    // No LetsEncrypt construct here: the certificates are files every front reads, so on CephFS.
    certificateVolume: ceph.volumes.letsencrypt?.hostPath,
  });
  new Monitoring(cluster, "monitoring", {
    stack: new Stack(cluster, "stats"),
    network: appnet,
    prometheusPlacement: { hostname: primary.hostname },
  });

  const mng = new Stack(cluster, "mng");
  const agent = new Service(mng, "agent", {
    image: "portainer/agent:2.21.4",
    mode: "global",
    networks: [mngnet],
    volumes: ["/var/run/docker.sock:/var/run/docker.sock", "/var/lib/docker/volumes:/var/lib/docker/volumes"],
  });
  new Service(mng, "portainer", {
    image: "portainer/portainer-ce:2.21.4",
    placement: { hostname: primary.hostname },
    networks: [mngnet],
    command: ["-H", `tcp://tasks.${agent.address(9001)}`, "--tlsskipverify"],
    volumes: ["portainer-data:/data"],
  });

  return cluster;
}
