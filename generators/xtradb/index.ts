import { XtraDbCluster } from "../../src/constructs/xtradb-cluster.js";
import type { GeneratedFile, Generator } from "../../src/synth/generator.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

const renderCnf = loadTemplate("xtradb", "xtradb.cnf.hbs");
const renderStart = loadTemplate("xtradb", "xtradb-start.sh.hbs");
const renderInit = loadTemplate("xtradb", "xtradb-init.sh.hbs");

/**
 * The XtraDB members' files: my.cnf (Galera TLS from Docker secrets, max_connections), the start script
 * that decides between bootstrapping and joining, and, when a ProxySQL monitors the cluster, the init
 * script the first member runs when it bootstraps (it creates the monitor user).
 */
export const xtradbGenerator: Generator = {
  name: "xtradb",
  generate: ({ cluster }): GeneratedFile[] => cluster.all(XtraDbCluster).flatMap(memberFiles),
};

function memberFiles(xtradb: XtraDbCluster): GeneratedFile[] {
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
}
