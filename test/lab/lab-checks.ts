import { expect } from "vitest";
import { type Lab, waitFor } from "./lab-driver.js";
import { eligibleNodes, expectedTasks, type LabModel, listedNodes, type ModelNode, satisfies } from "./lab-model.js";

/** A task Swarm wants running, where it is and whether it is running (healthy, for a task with a check). */
export interface Task {
  readonly id: string;
  readonly service: string;
  readonly node: string;
  readonly running: boolean;
}

/** The id of a task's container on its node; "" when it has none (yet, or any more). */
export async function containerOfTask(lab: Lab, task: Task): Promise<string> {
  return (await lab.docker(task.node, "ps", "-q", "--filter", `label=com.docker.swarm.task.id=${task.id}`)).trim();
}

/** A manager of the model whose link is up, to ask. */
export function askManager(model: LabModel, cut: ReadonlySet<string>): string {
  const managers = model.nodes.filter((n) => n.role === "manager").map((n) => n.host);
  const ordered = [model.firstManager, ...managers.filter((m) => m !== model.firstManager)];
  const up = ordered.find((m) => !cut.has(m));
  if (!up) throw new Error("every manager is cut");
  return up;
}

export async function tasks(lab: Lab, manager: string, model: LabModel): Promise<Task[]> {
  const out = await lab.docker(
    manager,
    "service",
    "ps",
    "--no-trunc",
    "--filter",
    "desired-state=running",
    "--format",
    "{{.ID}}\t{{.Name}}\t{{.Node}}\t{{.CurrentState}}",
    ...model.services.map((s) => s.name),
  );
  return out
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [id = "", name = "", node = "", state = ""] = line.split("\t");
      return { id, service: name.slice(0, name.lastIndexOf(".")), node, running: state.startsWith("Running") };
    });
}

/**
 * Differences between the running tasks and what the model says with only `up` nodes: each service runs
 * its tasks (replicas, or one per eligible node for a global service), each on a node its constraints
 * allow, at most max_replicas_per_node per node. Undefined when there is none.
 */
export function placementProblems(model: LabModel, up: readonly ModelNode[], all: readonly Task[]): string | undefined {
  const upHosts = new Set(up.map((n) => n.host));
  const problems: string[] = [];
  for (const service of model.services) {
    const running = all.filter((t) => t.service === service.name && t.running && upHosts.has(t.node));
    const expected = expectedTasks(service, up);
    if (running.length !== expected) problems.push(`${service.name}: ${running.length} running, the model says ${expected}`);
    const eligible = new Set(eligibleNodes(service, up).map((n) => n.host));
    for (const task of running) {
      if (!eligible.has(task.node))
        problems.push(`${service.name}: a task on ${task.node}, which ${service.constraints.join(", ")} excludes`);
    }
    const perNode = new Map<string, number>();
    for (const task of running) perNode.set(task.node, (perNode.get(task.node) ?? 0) + 1);
    const limit = service.mode === "global" ? 1 : service.maxPerNode;
    for (const [node, count] of perNode) {
      if (limit !== undefined && count > limit) problems.push(`${service.name}: ${count} tasks on ${node}, at most ${limit} allowed`);
    }
    if (service.mode === "global") {
      const missing = [...eligible].filter((n) => !perNode.has(n));
      if (missing.length) problems.push(`${service.name}: global, not running on ${missing.join(", ")}`);
    }
  }
  return problems.length ? problems.join("\n") : undefined;
}

export async function waitConverged(lab: Lab, model: LabModel, cut: ReadonlySet<string>, timeoutMs: number): Promise<Task[]> {
  const up = model.nodes.filter((n) => !cut.has(n.host));
  let last: Task[] = [];
  let problems: string | undefined;
  try {
    await waitFor(`services converged with ${cut.size ? [...cut].join(", ") : "no node"} cut`, timeoutMs, async () => {
      problems = undefined; // a check that throws (no manager answers) leaves no stale list behind
      last = await tasks(lab, askManager(model, cut), model);
      problems = placementProblems(model, up, last);
      return problems;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await convergenceEvidence(lab, model, cut, problems)}`);
  }
  return last;
}

/**
 * Containers the nodes run for tasks Swarm no longer wants, as "<service> on <node>": a node that was cut keeps
 * running its old tasks until, healed, its agent hears they were replaced and stops them (a Galera member's
 * old container then leaves the group its new one has joined). Empty once every node has caught up.
 */
export async function staleContainers(lab: Lab, model: LabModel, manager: string): Promise<string[]> {
  const wanted = new Set((await tasks(lab, manager, model)).map((t) => t.id));
  const stale: string[] = [];
  for (const node of model.nodes) {
    const running = await lab.docker(
      node.host,
      "ps",
      "--filter",
      "label=com.docker.swarm.task.id",
      "--format",
      '{{.Label "com.docker.swarm.task.id"}} {{.Label "com.docker.swarm.service.name"}}',
    );
    for (const [id = "", service = ""] of running
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" "))) {
      if (!wanted.has(id)) stale.push(`${service} on ${node.host}`);
    }
  }
  return stale;
}

/** A service's most recent tasks (`count`), with their node, desired and current state and error. */
export async function taskHistory(lab: Lab, manager: string, service: string, count: number): Promise<string> {
  const history = await lab.docker(
    manager,
    "service",
    "ps",
    "--no-trunc",
    "--format",
    "{{.Name}} {{.Node}} {{.DesiredState}} {{.CurrentState}} {{.Error}}",
    service,
  );
  return history.split("\n").slice(0, count).join("\n");
}

/**
 * What a failed convergence leaves to read: the nodes as the managers see them (a node Swarm marked down has
 * its tasks replaced) and the recent tasks of each service still short, with their errors.
 */
async function convergenceEvidence(lab: Lab, model: LabModel, cut: ReadonlySet<string>, problems: string | undefined): Promise<string> {
  const manager = askManager(model, cut);
  const lines: string[] = [];
  try {
    lines.push(await lab.docker(manager, "node", "ls", "--format", "{{.Hostname}} {{.Status}} {{.ManagerStatus}}"));
    const names = [...new Set((problems ?? "").split("\n").map((line) => line.split(":")[0] ?? ""))].filter(Boolean);
    for (const name of names) lines.push(await taskHistory(lab, manager, name, 8));
  } catch (error) {
    lines.push(`(no evidence: ${String(error)})`);
  }
  return lines.join("\n");
}

/** The Swarm's nodes as a manager lists them: hostname → status, manager status, labels and role. */
export async function swarmNodes(lab: Lab, manager: string) {
  const ids = (await lab.docker(manager, "node", "ls", "-q")).split("\n").filter(Boolean);
  const inspected = JSON.parse(await lab.docker(manager, "node", "inspect", ...ids)) as Array<{
    Description: { Hostname: string };
    Spec: { Role: string; Labels: Record<string, string> };
    Status: { State: string };
    ManagerStatus?: { Leader?: boolean; Reachability: string };
  }>;
  return inspected.map((n) => ({
    host: n.Description.Hostname,
    role: n.Spec.Role,
    labels: n.Spec.Labels,
    state: n.Status.State,
    leader: n.ManagerStatus?.Leader === true,
  }));
}

export async function waitNodeState(
  lab: Lab,
  model: LabModel,
  cut: ReadonlySet<string>,
  host: string,
  state: "down" | "ready",
): Promise<void> {
  await waitFor(`${host} ${state}`, 120_000, async () => {
    const nodes = await swarmNodes(lab, askManager(model, cut));
    const node = nodes.find((n) => n.host === host);
    return node?.state === state ? undefined : `${host} is ${node?.state}`;
  });
}

/** The manager quorum finding (swarm/quorum or swarm/no-fault-tolerance): its voting members and tolerance. */
export function quorumClaim(model: LabModel): { members: string[]; tolerates: number } {
  const finding = model.findings.find((f) => f.code === "swarm/quorum" || f.code === "swarm/no-fault-tolerance");
  if (!finding || finding.tolerates === undefined) throw new Error("ha-report.json has no Swarm quorum finding with `tolerates`");
  return { members: listedNodes(finding.message, model.nodes), tolerates: finding.tolerates };
}

/** Formation against the model: every node Ready with its hostname, role and labels. */
export async function checkFormation(lab: Lab, model: LabModel): Promise<void> {
  const nodes = await swarmNodes(lab, model.firstManager);
  expect(nodes.map((n) => n.host).sort()).toEqual(model.nodes.map((n) => n.host).sort());
  for (const node of model.nodes) {
    const actual = nodes.find((n) => n.host === node.host);
    expect(actual, node.host).toMatchObject({ role: node.role, state: "ready", labels: node.labels });
  }
  expect(nodes.filter((n) => n.leader)).toHaveLength(1);
}

/** The overlays exist with the model's subnet and MTU; encryption as the model says unless the lab adapts it. */
export async function checkOverlays(lab: Lab, model: LabModel, encryptionAdapted: boolean): Promise<void> {
  expect(model.overlays.length).toBeGreaterThan(0);
  for (const overlay of model.overlays) {
    const [network] = JSON.parse(await lab.docker(model.firstManager, "network", "inspect", overlay.name)) as Array<{
      Driver: string;
      Scope: string;
      IPAM: { Config: Array<{ Subnet: string }> };
      Options: Record<string, string>;
    }>;
    if (!network) throw new Error(`no overlay ${overlay.name}`);
    expect(network.Driver, overlay.name).toBe("overlay");
    expect(network.Scope).toBe("swarm");
    expect(network.IPAM.Config.map((c) => c.Subnet)).toEqual([overlay.subnet]);
    expect(network.Options["com.docker.network.driver.mtu"]).toBe(overlay.mtu);
    expect("encrypted" in network.Options, `${overlay.name} encrypted`).toBe(encryptionAdapted ? false : overlay.encrypted);
  }
}

export { satisfies };

/**
 * The request path of the model: the front service (a config of it passes PHP to FastCGI), the canonical name
 * of the site it serves from a web root, and the FastCGI upstream's service name (php-fpm's).
 */
export function requestPath(model: LabModel): { front: string; site: string; upstream: string } {
  for (const service of model.services) {
    const text = service.configs.map((c) => c.content).join("\n");
    const pass = /^\s*fastcgi_pass\s+(\S+);/m.exec(text)?.[1];
    if (!pass) continue;
    const target = pass.startsWith("$") ? new RegExp(`set \\${pass}\\s+([^;\\s]+);`).exec(text)?.[1] : pass;
    const site = /server_name\s+([^\s;]+)[^;]*;(?:\s*#[^\n]*)*\s*root\s/.exec(text)?.[1];
    const upstream = target?.split(":")[0];
    if (!site || !upstream) throw new Error(`${service.name}: no site with a web root, or no FastCGI upstream`);
    return { front: service.name, site, upstream };
  }
  throw new Error("no service passes requests to FastCGI");
}

/**
 * A request to each running front's published port (host mode: the node's own address, from inside its
 * namespace) is answered 200 by the lab page through nginx, from a php-fpm task of the upstream service on
 * another node; and ModSecurity with the CRS refuses an SQL injection in the query (403).
 */
export async function checkRequestPath(lab: Lab, model: LabModel, cut: ReadonlySet<string>): Promise<void> {
  const { front, site, upstream } = requestPath(model);
  const running = (await tasks(lab, askManager(model, cut), model)).filter((t) => t.running && !cut.has(t.node));
  const fronts = running.filter((t) => t.service === front);
  expect(fronts.length, `${front} tasks running`).toBeGreaterThan(0);
  for (const task of fronts) {
    const ip = model.nodes.find((n) => n.host === task.node)?.ip ?? "";
    const curl = (url: string) =>
      lab.inNode(task.node, "curl", "-sk", "--max-time", "5", "--resolve", `${site}:443:${ip}`, url, "-w", "\n%{http_code}");
    await waitFor(`https://${site}/ through the front on ${task.node}`, 60_000, async () => {
      const answer = await curl(`https://${site}/`);
      const m = /^lab-page php-fpm=(\w+) php=\S+\s+200$/.exec(answer.output.trim());
      if (!m?.[1]) return `answer: ${answer.output.slice(0, 300)}`;
      // The container that answered: a running task of the upstream service, on another node.
      const now = (await tasks(lab, askManager(model, cut), model)).filter((t) => t.running && t.service.endsWith(`_${upstream}`));
      for (const php of now) {
        if ((await containerOfTask(lab, php)) === m[1])
          return php.node === task.node ? `answered by ${php.service} on the front's own node` : undefined;
      }
      return `answered by container ${m[1]}, no running task of ${upstream}`;
    });
    const blocked = await curl(`https://${site}/?q=%27%20OR%201%3D1--%20`);
    expect(blocked.output.trim().split("\n").pop(), `SQL injection through ${task.node}`).toBe("403");
  }
}

/** Whether the report's node tolerance finding says any one node can be lost ("any 1 node lost: yes"). */
export function singleLossTolerated(model: LabModel): boolean {
  const finding = model.findings.find((f) => f.code === "tolerance/nodes");
  if (!finding) throw new Error("ha-report.json has no tolerance/nodes finding");
  return /\bany 1 node lost: yes\b/.test(finding.message);
}
