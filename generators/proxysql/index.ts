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
    return cluster.all(ProxySql).map((proxy) => ({
      path: proxy.configFile,
      construct: proxy.path,
      delivery: { kind: "stack", stack: proxy.stackName },
      content: render({
        notice: GENERATED_NOTICE,
        hostgroups: HOSTGROUPS,
        secrets: {
          admin: proxy.credentials.admin.name,
          monitor: proxy.credentials.monitor.name,
          users: proxy.credentials.users.name,
        },
        backends: proxy.database.backends.map((backend) => ({ host: backend.host, port: backend.port, node: backend.node.hostname })),
      }),
    }));
  },
};
