import { Backups, type BackupsProps } from "../../generators/backup/index.js";
import { type GaleraEngine, OverlayNetwork, Secret, Service, Stack, Testing, XtraDbCluster, type Node } from "../../src/index.js";

/**
 * A small cluster with what a backup selects: Portainer's data volume pinned to the first app node, Grafana's on
 * every app node (free to move), and a two-member MariaDB Galera cluster; `props` override the backup's.
 */
export function backupCluster(props: Partial<BackupsProps> = {}, engine: GaleraEngine = "mariadb-galera") {
  const cluster = Testing.cluster({ nodes: { app: 3, db: 2 } });
  const apps = cluster.nodesInTier("app");
  const dbs = cluster.nodesInTier("db");
  const first = apps[0] as Node;
  const net = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const mng = new Stack(cluster, "mng");
  new Service(mng, "portainer", {
    image: "portainer/portainer-ce:2.21.4",
    networks: [net],
    placement: { hostname: first.hostname },
    volumes: ["portainer-data:/data"],
  });
  new Service(new Stack(cluster, "stats"), "grafana", {
    image: "grafana/grafana:11.2.0",
    networks: [net],
    placement: { tier: "app" },
    volumes: ["grafana-data:/var/lib/grafana"],
  });
  const xtradb = new XtraDbCluster(cluster, "xtradb", {
    stack: new Stack(cluster, "db"),
    network: new OverlayNetwork(cluster, "dbnet", { subnet: "192.168.16.0/24" }),
    nodes: dbs,
    engine,
    rootPassword: new Secret(cluster, "mysql_root_password", { description: "root" }),
  });
  const backups = new Backups(cluster, "backups", {
    bucket: "example-org-backups",
    region: "eu-west-1",
    volumes: "^(mng_portainer-data|stats_grafana-data)$",
    database: { cluster: xtradb },
    ...props,
  });
  return { cluster, backups, xtradb, apps, dbs };
}
