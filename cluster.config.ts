/**
 * The reference cluster: the seed's 8 hosts (2 fronts × 3 app nodes × SQL proxy + 2 XtraDB nodes) as a
 * highly-available solution. Where the seed had a single point of failure, this config removes it:
 * - all three app nodes are Swarm managers and etcd members (each Raft group tolerates one loss);
 * - ProxySQL runs on the SQL-proxy host AND on every app node, one task per node, behind the service VIP;
 * - the two XtraDB nodes get a Galera arbitrator (garbd) on the SQL-proxy host, so losing one keeps quorum.
 * - the site's files and certificates live on Ceph's shared file system (CephFS), the same on every front and app node.
 * Its report has no error; it warns of the stateful services pinned to one node (Prometheus, Grafana, Portainer),
 * whose data that node's disk alone holds. examples/seed-literal.config.ts is the seed taken literally.
 */
import {
  Backups,
  CephCluster,
  acceptRisk,
  Cluster,
  ClusterPki,
  DockerHost,
  EtcdCluster,
  FrontProxy,
  Grafana,
  HostedZone,
  HostExtras,
  HostFirewall,
  Karma,
  LetsEncrypt,
  Logging,
  Monitoring,
  NginxWafImage,
  Node,
  OverlayNetwork,
  PhpFpm,
  PhpFpmImage,
  ProxySql,
  Registry,
  Secret,
  Service,
  Site,
  Stack,
  XtraDbCluster,
  cisException,
  defineCluster,
} from "swarm-cluster";

export default defineCluster(() => {
  const cluster = new Cluster({
    name: "swarm",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@swarm-cluster"],
    os: "flatcar",
  });

  // ProxySQL runs wherever this label is set: the dedicated SQL-proxy host and every app node.
  const proxysql = { proxysql: "true" };

  // The seed's optional 2 GB swap file, on its small machines: the fronts.
  new Node(cluster, "sw-front-1", { tier: "front", privateIp: "10.10.1.11", publicIp: "203.0.113.11", disk: "20G", swap: "2G" });
  new Node(cluster, "sw-front-2", { tier: "front", privateIp: "10.10.1.12", publicIp: "203.0.113.12", disk: "20G", swap: "2G" });
  const app = [
    new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", publicIp: "203.0.113.21", swarmRole: "manager", memory: "4G", labels: proxysql }),
    new Node(cluster, "sw-node-2", { tier: "app", privateIp: "10.10.1.22", publicIp: "203.0.113.22", swarmRole: "manager", memory: "4G", labels: proxysql }),
    new Node(cluster, "sw-node-3", { tier: "app", privateIp: "10.10.1.23", publicIp: "203.0.113.23", swarmRole: "manager", memory: "4G", labels: proxysql }),
  ] as const;
  // The first manager holds the node-local state (Portainer's and Prometheus' data volumes) and the
  // internal registry.
  const primary = app[0];
  const sqlProxy = new Node(cluster, "sw-proxy-sql", { tier: "proxy", privateIp: "10.10.1.31", labels: proxysql });
  const databases = [
    new Node(cluster, "sw-db-1", { tier: "db", privateIp: "10.10.1.41" }),
    new Node(cluster, "sw-db-2", { tier: "db", privateIp: "10.10.1.42" }),
  ];

  // /24 overlays: the seed's /28s hold 14 addresses, fewer than the tasks plus service VIPs of one stack.
  // MTU 1400 leaves room for VXLAN (50 bytes) and IPsec ESP on a 1500-byte underlay; the seed's 9216
  // needs jumbo frames end to end.
  const dbnet = new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24", mtu: 1400 });
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24", mtu: 1400 });
  const frontnet = new OverlayNetwork(cluster, "frontnet", { subnet: "192.168.18.0/24", mtu: 1400 });
  // Portainer and its agents (which hold the Docker socket) apart from the application's containers.
  const mngnet = new OverlayNetwork(cluster, "mngnet", { subnet: "192.168.19.0/24", mtu: 1400 });
  // The logs stack apart from the application's containers too: Filebeat reads the Docker socket on every node.
  const lognet = new OverlayNetwork(cluster, "lognet", { subnet: "192.168.22.0/24", mtu: 1400 });

  new ClusterPki(cluster, "pki");
  // The seed's registry on port 5000 of the first manager, with a certificate of the PKI's registry CA, which
  // every node trusts for it. Pinned: its images live in a node-local volume (no shared storage yet).
  const registry = new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node: primary });
  // The images the cluster builds (out/images/, build.sh), from Debian's packages rather than the seed's Alpine
  // builds, so the nginx, ModSecurity, CRS and PHP the tests run are the ones deployed. Tags hash the build context.
  const nginxWaf = new NginxWafImage(cluster, "nginx-waf", { registry });
  const phpImage = new PhpFpmImage(cluster, "php-fpm-image", {
    registry,
    // The seed's extensions, and what WordPress uses beside them (opcache, zip).
    extensions: ["exif", "mysqli", "pdo_mysql", "sockets", "gd", "igbinary", "redis", "opcache", "zip"],
  });
  // Every package both install is pinned to its version (generators/images/debian-versions.ts); the base only by its
  // dated tag: its digest is Docker Hub's to tell, and this config is built offline. Set `baseDigest` before a
  // production build.
  for (const image of [nginxWaf, phpImage])
    acceptRisk(image, {
      "images/base-digest-missing": "the dated tag names one build of Debian's; every package it installs by name is pinned to the version the tests run",
    });
  new EtcdCluster(cluster, "etcd", { members: app });
  new DockerHost(cluster, "docker");
  // The seed's boot-script extras. Its time zone is not recorded: UTC, stated. ctop and gotop need each
  // release file's sha256 (`tools: [{ name, version, url, sha256 }]`), to be taken from the release pages.
  new HostExtras(cluster, "extras", {
    timeZone: "UTC",
    aliases: { dps: "docker ps", dsl: "docker service ls", dnl: "docker node ls", dlogs: "docker service logs --follow --tail 100" },
  });
  new HostFirewall(cluster, "firewall");

  const mysqlRoot = new Secret(cluster, "mysql_root_password", { description: "MySQL root password of the XtraDB cluster" });
  const credentials = {
    admin: new Secret(cluster, "proxysql_admin", { description: 'ProxySQL admin_credentials="admin:…;radmin:…" line' }),
    monitor: new Secret(cluster, "proxysql_monitor", { description: 'ProxySQL monitor_password="…" line' }),
    users: new Secret(cluster, "proxysql_users", {
      description: 'ProxySQL mysql_users=({ username="wordpress", password="…", default_hostgroup=10 }) block: hostgroup 10 is the Galera writer',
    }),
  };
  const database = {
    name: "wordpress",
    user: "wordpress",
    password: new Secret(cluster, "wordpress_db_password", { description: "WordPress database password" }),
  };

  const db = new Stack(cluster, "db");
  // Ceph, the seed's storage (unfinished there): monitors and OSDs on both database nodes and on the SQL-proxy host
  // (a third monitor for an odd quorum, a third OSD so pools keep 3 copies and lose none of their I/O with a node), the
  // S3 gateway on the SQL-proxy host, as the seed placed it. Its volumes: the site's files on CephFS, shared by every
  // front and app node; the TLS certificates on CephFS, written by certbot and read by every front; each database
  // node's and each app node's RBD image for the database and the logs.
  const ceph = new CephCluster(cluster, "ceph", {
    fsid: "a569f046-d945-455c-839e-b90347704087",
    monitors: [...databases, sqlProxy],
    osds: [...databases, sqlProxy],
    gateways: [sqlProxy],
    pools: [
      { name: "xtradb", application: "rbd" },
      { name: "logs", application: "rbd" },
      { name: "configs", application: "cephfs" },
    ],
    fileSystem: { dataPool: "configs" },
    volumes: [
      { name: "www", kind: "cephfs", holds: "the site's code, static files and uploads" },
      { name: "letsencrypt", kind: "cephfs", holds: "the sites' TLS certificates, which certbot writes and every front serves" },
      { name: "database", kind: "rbd", pool: "xtradb", nodes: databases, size: "20G", holds: "a database node's data directory" },
      { name: "logs", kind: "rbd", pool: "logs", nodes: app, size: "20G", holds: "an app node's share of the logs (its Elasticsearch data)" },
    ],
  });

  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: db,
    network: dbnet,
    nodes: databases,
    arbitrator: sqlProxy,
    rootPassword: mysqlRoot,
    // Created by the first member when it bootstraps; php-fpm below reads the same names and secret.
    database,
    // Each member's data directory on its node's RBD image: a lost disk is a new image, not a lost member.
    dataVolume: ceph.volumes.database?.hostPath,
  });
  const proxy = new ProxySql(cluster, "proxysql", {
    stack: db,
    networks: [appnet, dbnet],
    database: xtradb,
    placement: { labels: proxysql },
    credentials,
  });


  // The docroot is the shared CephFS volume: every front (nginx, read-only) and every php-fpm node sees one copy.
  const site = new Site(cluster, "www", { domains: ["example.org", "www.example.org"], volume: ceph.volumes.www?.hostPath });
  const fpm = new PhpFpm(cluster, "php-fpm", {
    stack: new Stack(cluster, "php"),
    image: phpImage.ref,
    paths: phpImage.paths,
    networks: [appnet],
    environment: {
      WORDPRESS_DB_HOST: proxy.endpoint,
      WORDPRESS_DB_NAME: database.name,
      WORDPRESS_DB_USER: database.user,
      WORDPRESS_DB_PASSWORD_FILE: database.password.mountPath,
    },
    secrets: [database.password],
    volumes: [site.volumeMount()],
    // The pool: (256 MiB − 128 MiB of opcache) / 32 MiB per worker = the seed's 4 workers per node.
    memoryLimit: "256M",
    // What the image is built with: a task whose image lacks one turns unhealthy.
    extensions: phpImage.extensions,
  });
  cisException(fpm.service, {
    "5.13": "php-fpm writes sessions and uploads to the image's /tmp, and WordPress updates its plugins in place",
  });

  const front = new FrontProxy(cluster, "web", {
    stack: new Stack(cluster, "front"),
    sites: [site],
    networks: [frontnet, appnet],
    php: fpm.service,
    image: nginxWaf.ref,
    layout: nginxWaf.layout,
    // The certificates on CephFS: certbot (below) writes them once, every front reads them and reloads in place.
    certificateVolume: ceph.volumes.letsencrypt?.hostPath,
    // The operators' tools (Grafana, Prometheus, Alertmanager, Karma, Portainer) at https://admin.example.org/<tool>/,
    // none publishing a port: from the operators' VPN range and the private network (an SSH tunnel through a node),
    // and then only with a password of the htpasswd secret.
    admin: {
      hostname: "admin.example.org",
      allow: ["198.51.100.0/24", cluster.privateNetwork],
      htpasswdSecret: new Secret(cluster, "admin_htpasswd", { description: "htpasswd file of the operators (htpasswd -B or openssl passwd -apr1)" }),
    },
  });
  // Route53: multivalue answers, each front's record tied to a health check, so Route53 stops answering a
  // front that fails; with the seed's simple routing a lost front kept receiving its share of visitors.
  new HostedZone(cluster, "example-org", { name: "example.org", routing: "multivalue" });
  // Let's Encrypt certificates for the site and the admin host name, issued and renewed by certbot (dns-route53)
  // on the first manager and delivered to the fronts on the shared volume, each front reloading nginx gracefully;
  // out/certbot/iam-policy.json is its IAM policy.
  const letsEncrypt = new LetsEncrypt(cluster, "letsencrypt", {
    email: "ops@example.org",
    front,
    stack: new Stack(cluster, "certbot"),
    node: primary,
    awsCredentials: new Secret(cluster, "certbot_aws_credentials", {
      description: "AWS shared credentials file ([default] aws_access_key_id, aws_secret_access_key) of the IAM user holding out/certbot/iam-policy.json",
    }),
  });
  const stats = new Stack(cluster, "stats");
  const monitoring = new Monitoring(cluster, "monitoring", {
    stack: stats,
    network: appnet,
    // Its data volume is node-local: on another node Prometheus would start with empty history.
    prometheusPlacement: { hostname: primary.hostname },
    alerting: {
      // Two Alertmanagers, clustered, on the managers Prometheus does not run on: losing any one node leaves
      // at least one to notify, and never takes Prometheus and an Alertmanager at once.
      nodes: [app[1], app[2]],
      slackWebhook: new Secret(cluster, "alertmanager_slack_webhook", { description: "Slack incoming-webhook URL Alertmanager posts to" }),
    },
  });
  front.admin?.exposeWithExternalUrl(monitoring.prometheus, { path: "prometheus", port: 9090 });
  for (const replica of monitoring.alerting?.replicas ?? []) front.admin?.exposeWithExternalUrl(replica, { path: replica.name, port: 9093 });
  const grafana = new Grafana(cluster, "grafana", {
    stack: stats,
    network: appnet,
    monitoring,
    adminPassword: new Secret(cluster, "grafana_admin_password", { description: "password of Grafana's admin user" }),
    front,
    // Its volume keeps sessions and preferences only (data source and dashboards are files): pinned all the same,
    // beside the Alertmanager that Prometheus' node does not run.
    placement: { hostname: app[1].hostname },
  });
  // unsee's maintained successor, reading both Alertmanagers as one cluster.
  new Karma(cluster, "karma", { stack: stats, network: appnet, monitoring, front });

  const logSecret = (name: string, description: string) => new Secret(cluster, name, { description });
  new Logging(cluster, "logging", {
    stack: new Stack(cluster, "logs"),
    network: lognet,
    // Three engine nodes, all master-eligible and holding data, one per app node: the master quorum and every
    // shard (one replica) survive the loss of any one. 2 GB each, half of it heap.
    // Each Elasticsearch node's data on its app node's RBD image, the seed's logs volume.
    engine: { nodes: app, memoryLimit: "2G", replicas: 1, dataVolume: ceph.volumes.logs?.hostPath },
    retention: { deleteAfterDays: 14 },
    credentials: {
      elasticPassword: logSecret("logs_elastic_password", "password of Elasticsearch's built-in elastic superuser"),
      kibanaPassword: logSecret("logs_kibana_password", "password of Elasticsearch's kibana_system user, which Kibana logs in as"),
      filebeatPassword: logSecret("logs_filebeat_password", "password of the filebeat_writer user Filebeat ships with"),
      kibanaEncryptionKey: logSecret("logs_kibana_encryption_key", "at least 32 random characters: Kibana's key for sessions and saved objects"),
      cerebroSecret: logSecret("logs_cerebro_secret", 'Cerebro\'s session key: the line secret = "<64 or more random characters>"'),
      tls: {
        ca: logSecret("logs_tls_ca", "PEM CA certificate the engine's nodes trust on their transport port"),
        cert: logSecret("logs_tls_cert", "PEM certificate every engine node presents on its transport port"),
        key: logSecret("logs_tls_key", "PEM private key of that certificate"),
      },
    },
    modules: { nginx: [front.service], mysql: xtradb.members },
    // Kibana and Cerebro at https://admin.example.org/kibana/ and /cerebro/, reached by the fronts over appnet.
    admin: { front, network: appnet },
  });

  // The operators' tools keep their state on the first managers' disks, pinned there. Each risk is accepted rather
  // than moved to CephFS: none is on the request path, and each comes back from the weekly backup below.
  const restoredFromBackup = "its volume is in the weekly S3 backup; it is an operators' tool, off the request path";
  acceptRisk(monitoring.prometheus, { "data/single-replica-state": `${restoredFromBackup}, and Alertmanager fires from the rules of whichever Prometheus runs` });
  acceptRisk(grafana, { "data/single-replica-state": restoredFromBackup });
  acceptRisk(registry.service, { "data/single-replica-state": `${restoredFromBackup}; every image in it is rebuilt from out/images/ by build.sh` });
  acceptRisk(letsEncrypt.service, { "data/single-replica-state": `${restoredFromBackup}; the certificates in use live on the shared volume, and a certificate is valid 30 days past its renewal` });

  // The seed's weekly backup (Sunday 04:00) to S3: the node-local volumes worth keeping, archived on the nodes
  // that hold them, and the database as a hot physical backup of the second member, desynced meanwhile. The
  // bucket moves them to Glacier after 30 days and deletes them after a year.
  new Backups(cluster, "backups", {
    bucket: "example-org-backups",
    region: "eu-west-1",
    volumes: "^(mng_portainer-data|stats_(grafana|prometheus)-data|registry_registry-data|certbot_certbot-state)$",
    database: { cluster: xtradb },
    lifecycle: { transitionDays: 30, expirationDays: 365 },
  });

  const mng = new Stack(cluster, "mng");
  const agent = new Service(mng, "agent", {
    image: "portainer/agent:2.21.4",
    mode: "global",
    networks: [mngnet],
    volumes: ["/var/run/docker.sock:/var/run/docker.sock", "/var/lib/docker/volumes:/var/lib/docker/volumes"],
    memoryLimit: "128M",
  });
  cisException(agent, {
    "5.13": "the agent writes its TLS material and signatures to its root filesystem at start",
    "5.27": "the agent's image is scratch-based: no shell or client to probe with; Portainer shows an agent that stops answering",
    "5.32": "the Portainer agent is Portainer's hand on each node: it drives that node's Docker through the socket, on mngnet only",
  });
  // The UI publishes no port (a published port binds the nodes' public addresses too): the front reaches it on
  // appnet, under the admin entry at /portainer/ (it serves from /, so nginx strips the prefix).
  const portainer = new Service(mng, "portainer", {
    image: "portainer/portainer-ce:2.21.4",
    // portainer-data is node-local: pinned, so a reschedule does not start over with an empty Portainer.
    placement: { hostname: primary.hostname },
    networks: [mngnet, appnet],
    // tasks.<service> resolves to every agent task, one per node: Portainer talks to each node's agent.
    command: ["-H", `tcp://tasks.${agent.address(9001)}`, "--tlsskipverify"],
    volumes: ["portainer-data:/data"],
    memoryLimit: "256M",
  });
  acceptRisk(portainer, { "data/single-replica-state": restoredFromBackup });
  front.admin?.expose(portainer, { path: "portainer", port: 9000, stripPrefix: true });
  cisException(portainer, {
    "5.13": "Portainer writes its TLS material and temporary files outside /data at start",
    "5.27": "the image is scratch-based: no shell or client to probe with; Swarm restarts it when it exits",
  });

  return cluster;
});
