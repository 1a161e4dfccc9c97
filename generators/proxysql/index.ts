import { ProxySql } from "../../src/constructs/proxysql.js";
import type { Generator, GeneratedFile } from "../../src/synth/generator.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

/** Hostgroup numbers of the Galera routing; fixed so query rules written later can name them. */
const HOSTGROUPS = { writer: 10, backupWriter: 20, reader: 30, offline: 9999 } as const;

const render = loadTemplate("proxysql", "proxysql.cnf.hbs");

/** proxysql.cnf for every ProxySql construct: backends derived from its XtraDB cluster. */
export const proxysqlGenerator: Generator = {
  name: "proxysql",
  generate({ cluster }): GeneratedFile[] {
    const proxies = cluster.all(ProxySql).map((proxy) => ({
      path: proxy.configFile,
      construct: proxy.path,
      delivery: { kind: "stack", stack: proxy.stackName } as const,
      content: render({
        notice: GENERATED_NOTICE,
        hostgroups: HOSTGROUPS,
        serverVersion: proxy.serverVersion,
        secrets: {
          admin: proxy.credentials.admin.mountPath,
          monitor: proxy.credentials.monitor.mountPath,
          users: proxy.credentials.users.mountPath,
        },
        backends: proxy.database.backends.map((backend) => ({
          host: backend.host,
          port: backend.port,
          node: backend.node.hostname,
          maxConnections: proxy.maxConnectionsPerBackend,
        })),
        memberMaxConnections: proxy.database.maxConnections,
      }),
    }));
    return proxies;
  },
};
