import { isPublicEntry, isReplicatedData, isSqlProxyStage } from "../../src/analysis/request-path.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Service, Stack } from "../../src/model/stack.js";
import { Stack as StackConstruct } from "../../src/model/stack.js";

/** `stack` is deployed after `after`, because one of its services calls one of `after`'s when it starts or serves. */
export interface StackDependency {
  readonly stack: Stack;
  readonly after: Stack;
  /** Why, in a few words: which service calls which. */
  readonly reason: string;
}

function stackOf(service: Service): Stack | undefined {
  const scope = service.node.scope;
  return scope instanceof StackConstruct ? scope : undefined;
}

function sharesOverlay(a: Service, b: Service): boolean {
  return a.networks.some((network) => b.networks.includes(network));
}

/**
 * The calls between stacks that the model declares, from which the deploy order follows:
 * - the request path the families declare (the same markers the failure simulation reads): a front passes
 *   requests to its application, the application reaches the SQL proxies on an overlay it shares with them,
 *   and a proxy passes queries to its database's members;
 * - a service started with another stack's endpoint (`name:port` or `tasks.name` in its environment or command)
 *   on an overlay they share, as php-fpm is given ProxySQL's.
 * Upstreams a front resolves per request (the admin entry's tools) are not in either: they need not run first.
 */
export function stackDependencies(cluster: Cluster): StackDependency[] {
  const found: StackDependency[] = [];
  const add = (caller: Service, callee: Service, how: string) => {
    const stack = stackOf(caller);
    const after = stackOf(callee);
    if (!stack || !after || stack === after) return;
    if (found.some((dependency) => dependency.stack === stack && dependency.after === after)) return;
    found.push({ stack, after, reason: `${caller.dockerName} ${how} ${callee.dockerName}` });
  };
  const constructs = cluster.node.findAll();
  const proxies = constructs.filter(isSqlProxyStage);
  for (const entry of constructs.filter(isPublicEntry)) {
    const { front, app } = entry.publicEntry;
    add(front, app, "passes requests to");
    for (const stage of proxies) {
      if (sharesOverlay(app, stage.sqlProxyStage.proxy)) add(app, stage.sqlProxyStage.proxy, "sends queries to");
    }
  }
  for (const stage of proxies) {
    const { proxy, database } = stage.sqlProxyStage;
    for (const copy of isReplicatedData(database) ? database.dataCopies : []) add(proxy, copy, "passes queries to");
  }
  const services = cluster.stacks.flatMap((stack) => stack.services);
  for (const caller of services) {
    const words = [...Object.values(caller.props.environment ?? {}), ...(caller.props.command ?? [])];
    for (const callee of services) {
      if (stackOf(callee) === stackOf(caller) || !sharesOverlay(caller, callee)) continue;
      if (words.some((word) => namesEndpoint(word, callee.name))) add(caller, callee, "is started with the endpoint of");
    }
  }
  return found;
}

/** `name` alone, `name:port` or `tasks.name` (every task's address) in a value, as a whole host name. */
function namesEndpoint(word: string, name: string): boolean {
  if (word === name) return true;
  const host = escapeRegExp(name);
  return new RegExp(`(^|[^A-Za-z0-9_.-])(${host}:[0-9]+|tasks\\.${host}($|[^A-Za-z0-9_.-]))`).test(word);
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The stacks in the order deploy.sh deploys them: each after every stack it depends on (stackDependencies),
 * and among those free to go, the one declared first, so stacks no call relates (management, monitoring,
 * logs) keep the config's order. Stacks that depend on each other in a circle go once nothing else can, in
 * declaration order (Swarm restarts a task whose callee is not up yet, so they converge all the same).
 */
export function stackDeployOrder(cluster: Cluster, dependencies: readonly StackDependency[] = stackDependencies(cluster)): Stack[] {
  const remaining = [...cluster.stacks];
  const order: Stack[] = [];
  while (remaining.length > 0) {
    const ready = remaining.find((stack) =>
      dependencies.every((dependency) => dependency.stack !== stack || !remaining.includes(dependency.after)),
    );
    const next = ready ?? (remaining[0] as Stack);
    order.push(next);
    remaining.splice(remaining.indexOf(next), 1);
  }
  return order;
}
