import { stacksGenerator } from "../../generators/stacks/index.js";
import {
  type Cluster,
  type EngineOptions,
  Logging,
  type LoggingProps,
  type Node,
  OverlayNetwork,
  Secret,
  Service,
  Stack,
  Testing,
} from "../../src/index.js";

export interface LoggedCluster {
  readonly cluster: Cluster;
  readonly logging: Logging;
  readonly nginx: Service;
  readonly node: (hostname: string) => Node;
}

/** Secrets the logs stack reads, as the reference declares them. */
export function loggingCredentials(cluster: Cluster): LoggingProps["credentials"] {
  const secret = (name: string) => new Secret(cluster, name, { description: name });
  return {
    elasticPassword: secret("logs_elastic_password"),
    kibanaPassword: secret("logs_kibana_password"),
    filebeatPassword: secret("logs_filebeat_password"),
    cerebroSecret: secret("logs_cerebro_secret"),
    kibanaEncryptionKey: secret("logs_kibana_encryption_key"),
    tls: { ca: secret("logs_tls_ca"), cert: secret("logs_tls_cert"), key: secret("logs_tls_key") },
  };
}

/**
 * 2 fronts, 3 app nodes, a proxy and 2 database nodes; an nginx service on the fronts; the logs stack with its
 * engine on the app nodes unless told otherwise.
 */
export function loggedCluster(
  options: {
    engine?: (node: (hostname: string) => Node) => EngineOptions;
    extra?: Partial<LoggingProps> | ((node: (hostname: string) => Node) => Partial<LoggingProps>);
  } = {},
): LoggedCluster {
  const cluster = Testing.cluster({ nodes: { front: 2, app: 3, proxy: 1, db: 2 } });
  const node = (hostname: string) => {
    const found = cluster.nodes.find((candidate) => candidate.hostname === hostname);
    if (!found) throw new Error(`no node ${hostname}`);
    return found;
  };
  const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const nginx = new Service(new Stack(cluster, "front"), "nginx", {
    image: "nginx:1.26",
    placement: { tier: "front" },
    networks: [appnet],
  });
  const logging = new Logging(cluster, "logging", {
    stack: new Stack(cluster, "logs"),
    network: appnet,
    engine: options.engine?.(node) ?? { nodes: ["sw-node-1", "sw-node-2", "sw-node-3"].map(node) },
    credentials: loggingCredentials(cluster),
    modules: { nginx: [nginx] },
    ...(typeof options.extra === "function" ? options.extra(node) : options.extra),
  });
  return { cluster, logging, nginx, node };
}

/** The stack files and their configs only. */
export function synthStacks(cluster: Cluster): Promise<Map<string, string>> {
  return Testing.synth(cluster, { generators: [stacksGenerator] });
}
