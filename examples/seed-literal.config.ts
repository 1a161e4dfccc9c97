/**
 * The seed's roles taken literally: one Swarm manager (sw-node-1, the "swarm-advertiser"), one ProxySQL
 * replica on sw-proxy-sql, two XtraDB nodes without an arbitrator, the seed's /28 overlays with MTU 9216.
 * It builds; its availability report (out/analysis/ha-report.md) lists the single points of failure that
 * cluster.config.ts removes, and `build --strict` refuses it.
 */
import {
  acceptRisk,
  CephCluster,
  Cluster,
  ClusterPki,
  DockerHost,
  EtcdCluster,
  FrontProxy,
  HostedZone,
  HostFirewall,
  Monitoring,
  NginxWafImage,
  Node,
  OverlayNetwork,
  PhpFpmImage,
  ProxySql,
  Registry,
  Secret,
  Service,
  Site,
  Stack,
  XtraDbCluster,
  defineCluster,
} from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "seed",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
  });

  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11" });
  new Node(cluster, "sw-front-2", { tier: "front", privateIp: "10.10.1.12", publicIp: "203.0.113.12" });
  const app = [
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", publicIp: "203.0.113.21", swarmRole: "manager" }),
    new Node(cluster, "sw-node-2", { tier: "app", privateIp: "10.10.1.22" }),
    new Node(cluster, "sw-node-3", { tier: "app", privateIp: "10.10.1.23" }),
  ] as const;
  // The seed's only manager, which also ran the internal registry on 5000.
  const manager = app[0];
  const sqlProxy = new Node(cluster, "sw-proxy-sql", { tier: "proxy", privateIp: "10.10.1.31" });
  const databases = [
    new Node(cluster, "sw-db-1", { tier: "db", privateIp: "10.10.1.41" }),
    new Node(cluster, "sw-db-2", { tier: "db", privateIp: "10.10.1.42" }),
  ];
  // The seed's Ceph (unfinished there): monitors and OSDs on the two database nodes (OSD disk /dev/vdb), the
  // gateway on the SQL proxy, pools xtradb, logs and configs, and its three volumes. Two monitors lose their
  // majority with either node; two OSD nodes give pools of 2 copies, acknowledging writes with one.
  new CephCluster(cluster, "ceph", {
    fsid: "d3842067-903d-4049-bfd7-4552b90b45a6",
    monitors: databases,
    osds: databases,
    gateways: [sqlProxy],
    pools: [
      { name: "xtradb", application: "rbd" },
      { name: "logs", application: "rbd" },
      { name: "configs", application: "cephfs" },
    ],
    fileSystem: { dataPool: "configs" },
    volumes: [
      { name: "database", kind: "rbd", pool: "xtradb", nodes: databases, holds: "a database node's data directory" },
      { name: "configs", kind: "cephfs", nodes: app, holds: "configuration, static content and the application's sources" },
      { name: "logs", kind: "rbd", pool: "logs", nodes: app, holds: "an app node's log files" },
    ],
  });

  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.0.0/28", mtu: 9216 });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.0.16/28", mtu: 9216 });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.0.32/28", mtu: 9216 });
  // Not in the seed, whose Portainer agents (holding the Docker socket) sat on appnet beside WordPress. Sized
  // as in cluster.config.ts; the seed's MTU, as every overlay of one underlay should share it.
  const mngnet = new OverlayNetwork(cluster, "mngnet", { subnet: "192.168.19.0/24", mtu: 9216 });

  new ClusterPki(cluster, "pki");
  // The seed's registry and the two images it built (nginx-waf, its php-fpm with these extensions and composer),
  // here from Debian's packages instead of the seed's Alpine builds.
  const registry = new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node: manager });
  const nginxWaf = new NginxWafImage(cluster, "nginx-waf", { registry });
  const phpImage = new PhpFpmImage(cluster, "php-fpm-image", {
    registry,
    extensions: ["exif", "mysqli", "pdo_mysql", "sockets", "gd", "igbinary", "redis"],
  });
  // Their packages are pinned; the base only by its dated tag, its digest being Docker Hub's to tell.
  for (const image of [nginxWaf, phpImage])
    acceptRisk(image, { "images/base-digest-missing": "the dated tag names one build of Debian's; every package it installs by name is pinned" });
  new EtcdCluster(cluster, "etcd", { members: app });
  new DockerHost(cluster, "docker");
  new HostFirewall(cluster, "firewall");

  const db = new Stack(cluster, "db");
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: databases,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "MySQL root password" }),
  });
  new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { tier: "proxy" },
    replicas: 1,
    credentials: {
      admin: new Secret(cluster, "proxysql_admin", { description: 'ProxySQL admin_credentials="…" line' }),
      monitor: new Secret(cluster, "proxysql_monitor", { description: 'ProxySQL monitor_password="…" line' }),
      users: new Secret(cluster, "proxysql_users", { description: "ProxySQL mysql_users=(…) block" }),
    },
  });

  const site = new Site(cluster, "www", { domains: ["example.org", "www.example.org"] });
  const php = new Stack(cluster, "php");
  const fpm = new Service(php, "php", {
    image: phpImage.ref,
    mode: "global",
    placement: { tier: "app" },
    networks: [appnet],
    volumes: [site.volumeMount()],
    critical: true,
  });

  new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php: fpm,
    image: nginxWaf.ref,
    layout: nginxWaf.layout,
  });
  // Route53 with the seed's simple routing: one record set lists both fronts, answered whether up or not.
  new HostedZone(cluster, "example-org", { name: "example.org", routing: "simple" });
  // Prometheus' data volume is node-local: pinned, so a reschedule does not lose its history.
  new Monitoring(cluster, "monitoring", { stack: new Stack(cluster, "stats"), network: appnet, prometheusPlacement: { hostname: manager.hostname } });

  const mng = new Stack(cluster, "mng");
  const agent = new Service(mng, "agent", {
    image: "portainer/agent:2.21.4",
    mode: "global",
    networks: [mngnet],
    volumes: ["/var/run/docker.sock:/var/run/docker.sock", "/var/lib/docker/volumes:/var/lib/docker/volumes"],
  });
  // No published port: reached through the front proxy (a later issue) or an SSH tunnel.
  new Service(mng, "portainer", {
    image: "portainer/portainer-ce:2.21.4",
    // portainer-data is node-local: pinned to the manager so a reschedule does not start over empty.
    placement: { hostname: manager.hostname },
    networks: [mngnet],
    command: ["-H", `tcp://tasks.${agent.address(9001)}`, "--tlsskipverify"],
    volumes: ["portainer-data:/data"],
  });

  return cluster;
});
