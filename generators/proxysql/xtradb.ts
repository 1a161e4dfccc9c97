import { XtraDbCluster } from "../../src/constructs/xtradb-cluster.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { GeneratedFile } from "../../src/synth/generator.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

const renderCnf = loadTemplate("proxysql", "xtradb.cnf.hbs");
const renderStart = loadTemplate("proxysql", "xtradb-start.sh.hbs");
const renderInit = loadTemplate("proxysql", "xtradb-init.sh.hbs");

/**
 * The XtraDB members' files: my.cnf (Galera TLS from Docker secrets, max_connections), the start script
 * that decides between bootstrapping and joining, and, when a ProxySQL monitors the cluster, the init
 * script the first member runs when it bootstraps (it creates the monitor user).
 */
export function xtradbFiles(cluster: Cluster): GeneratedFile[] {
  return cluster.all(XtraDbCluster).flatMap((xtradb) => {
    const file = (path: string, content: string): GeneratedFile => ({
      path,
      content,
      construct: xtradb.path,
      delivery: { kind: "stack", stack: xtradb.stackName },
    });
    const files = [
      file(
        xtradb.files.cnf,
        renderCnf({
          notice: GENERATED_NOTICE,
          clusterName: xtradb.clusterName,
          tls: { ca: xtradb.tls.ca.mountPath, cert: xtradb.tls.cert.mountPath, key: xtradb.tls.key.mountPath },
          maxConnections: xtradb.maxConnections,
        }),
      ),
      file(xtradb.files.start, renderStart({ notice: GENERATED_NOTICE, clusterName: xtradb.clusterName })),
    ];
    // Several ProxySQLs must share one monitor secret (the galera check reports otherwise): the first one counts.
    const monitor = xtradb.monitorCredentials[0];
    if (monitor) files.push(file(xtradb.files.init, renderInit({ notice: GENERATED_NOTICE, monitorSecret: monitor.mountPath })));
    return files;
  });
}
