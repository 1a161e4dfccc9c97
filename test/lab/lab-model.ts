import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

/**
 * What the lab checks against, read from a build's generated files (never typed into the test): the nodes
 * and roles of swarm/bootstrap.sh, the labels of swarm/labels.sh, the overlays of swarm/networks.sh, the
 * services of stacks/*.yml and the availability findings of analysis/ha-report.json.
 */

export interface ModelNode {
  readonly host: string;
  readonly ip: string;
  readonly role: "manager" | "worker";
  readonly labels: Record<string, string>;
}

export interface ModelOverlay {
  readonly name: string;
  readonly subnet: string;
  readonly mtu: string;
  readonly encrypted: boolean;
}

export interface ModelMount {
  /** The stack's config key (a config), or the secret's. */
  readonly source: string;
  readonly target: string;
  /** The file's content as the task must see it. */
  readonly content: string;
}

export interface ModelService {
  /** `<stack>_<service>`, as Swarm names it. */
  readonly name: string;
  readonly image: string;
  /** The service's command, as the stack file has it (empty when it keeps the image's). */
  readonly command: readonly string[];
  /** The health check's test, as the stack file has it (["CMD", …] or ["CMD-SHELL", "…"]). */
  readonly healthcheck: readonly string[] | undefined;
  readonly mode: "replicated" | "global";
  readonly replicas: number;
  readonly constraints: readonly string[];
  readonly maxPerNode: number | undefined;
  /** The overlays it is attached to, by their Docker names. */
  readonly networks: readonly string[];
  readonly configs: readonly ModelMount[];
  /** Secret targets and the Docker secret (external name) each one mounts. */
  readonly secrets: ReadonlyArray<{ readonly target: string; readonly secret: string }>;
}

export interface HaFinding {
  readonly severity: string;
  readonly code: string;
  readonly construct: string;
  readonly message: string;
  readonly tolerates?: number;
}

export interface LabModel {
  readonly nodes: readonly ModelNode[];
  readonly firstManager: string;
  readonly overlays: readonly ModelOverlay[];
  /** The stacks in the order swarm/deploy.sh deploys them. */
  readonly deployOrder: readonly string[];
  readonly services: readonly ModelService[];
  /** Docker secret name → the file secrets.sh creates it from. */
  readonly secretFiles: ReadonlyMap<string, string>;
  readonly findings: readonly HaFinding[];
}

type Reference = string | { source: string; target?: string };
interface StackFile {
  services?: Record<
    string,
    {
      image: string;
      command?: string[];
      healthcheck?: { test?: string[] };
      configs?: Reference[];
      secrets?: Reference[];
      networks?: string[] | Record<string, unknown>;
      deploy?: { mode?: string; replicas?: number; placement?: { constraints?: string[]; max_replicas_per_node?: number } };
    }
  >;
  configs?: Record<string, { file?: string }>;
  secrets?: Record<string, { name?: string }>;
  networks?: Record<string, { name?: string } | null>;
}

/** The entries of a generated script's bash array of single-quoted lines (`NAME=(\n  'a b'\n  'c d'\n)`). */
function bashArray(script: string, name: string, file: string): string[] {
  const block = new RegExp(`^${name}=\\(\\n([\\s\\S]*?)\\n\\)`, "m").exec(script);
  if (!block) throw new Error(`${file} has no ${name} list`);
  return (block[1] ?? "")
    .split("\n")
    .map((line) => line.trim().replace(/^'|'$/g, ""))
    .filter(Boolean);
}

export function readModel(outDir: string): LabModel {
  const bootstrap = readFileSync(path.join(outDir, "swarm/bootstrap.sh"), "utf8");
  const labels = new Map<string, Record<string, string>>();
  for (const line of readFileSync(path.join(outDir, "swarm/labels.sh"), "utf8").split("\n")) {
    const m = /^docker node update (.*) (\S+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    const own: Record<string, string> = {};
    for (const [, key = "", value = ""] of m[1].matchAll(/--label-add ([^=\s]+)=(\S+)/g)) own[key] = value;
    labels.set(m[2], own);
  }
  const nodes = bashArray(bootstrap, "NODES", "swarm/bootstrap.sh").map((line) => {
    const [host = "", ip = "", role = ""] = line.split(/\s+/);
    return { host, ip, role: role as ModelNode["role"], labels: labels.get(host) ?? {} };
  });
  const firstManager = /^FIRST_MANAGER=(\S+)$/m.exec(bootstrap)?.[1];
  if (!firstManager) throw new Error("swarm/bootstrap.sh names no first manager");

  const overlays: ModelOverlay[] = [];
  for (const line of readFileSync(path.join(outDir, "swarm/networks.sh"), "utf8").split("\n")) {
    const m = /^\s*docker network create --driver overlay (.*) (\S+)$/.exec(line);
    if (!m?.[1] || !m[2]) continue;
    overlays.push({
      name: m[2],
      subnet: /--subnet (\S+)/.exec(m[1])?.[1] ?? "",
      mtu: /com\.docker\.network\.driver\.mtu=(\d+)/.exec(m[1])?.[1] ?? "",
      encrypted: /--opt encrypted\b/.test(m[1]),
    });
  }

  const secretFiles = new Map<string, string>();
  for (const [, name = "", file = ""] of readFileSync(path.join(outDir, "swarm/secrets.sh"), "utf8").matchAll(
    /^ensure_secret (\S+) (\S+)$/gm,
  )) {
    secretFiles.set(name, file);
  }

  const services: ModelService[] = [];
  const stacksDir = path.join(outDir, "stacks");
  for (const file of readdirSync(stacksDir).sort()) {
    if (!file.endsWith(".yml")) continue;
    const stackName = file.replace(/\.yml$/, "");
    const stack = parse(readFileSync(path.join(stacksDir, file), "utf8")) as StackFile;
    for (const [name, service] of Object.entries(stack.services ?? {})) {
      const deploy = service.deploy ?? {};
      const configs = (service.configs ?? []).map((c) => {
        const source = typeof c === "string" ? c : c.source;
        const target = typeof c === "string" ? `/${c}` : (c.target ?? `/${c.source}`);
        const configFile = stack.configs?.[source]?.file;
        if (!configFile) throw new Error(`${file}: config ${source} has no file`);
        return { source, target, content: readFileSync(path.resolve(stacksDir, configFile), "utf8") };
      });
      const secrets = (service.secrets ?? []).map((s) => {
        const source = typeof s === "string" ? s : s.source;
        const target = typeof s === "string" || !s.target ? `/run/secrets/${source}` : s.target;
        return { target: target.startsWith("/") ? target : `/run/secrets/${target}`, secret: stack.secrets?.[source]?.name ?? source };
      });
      services.push({
        name: `${stackName}_${name}`,
        image: service.image,
        command: service.command ?? [],
        healthcheck: service.healthcheck?.test,
        mode: deploy.mode === "global" ? "global" : "replicated",
        replicas: deploy.mode === "global" ? 0 : (deploy.replicas ?? 1),
        constraints: deploy.placement?.constraints ?? [],
        maxPerNode: deploy.placement?.max_replicas_per_node,
        networks: (Array.isArray(service.networks) ? service.networks : Object.keys(service.networks ?? {})).map(
          (key) => stack.networks?.[key]?.name ?? key,
        ),
        configs,
        secrets,
      });
    }
  }
  const deploy = readFileSync(path.join(outDir, "swarm/deploy.sh"), "utf8");
  const deployOrder = bashArray(deploy, "STACKS", "swarm/deploy.sh").map((entry) => entry.split(" ")[0] ?? "");
  const report = JSON.parse(readFileSync(path.join(outDir, "analysis/ha-report.json"), "utf8")) as { findings: HaFinding[] };
  return { nodes, firstManager, overlays, deployOrder, services, secretFiles, findings: report.findings };
}

/** Whether a node satisfies one Swarm placement constraint (node.hostname, node.role, node.labels.*). */
export function satisfies(node: ModelNode, constraint: string): boolean {
  const m = /^\s*(\S+)\s*(==|!=)\s*(\S+)\s*$/.exec(constraint);
  if (!m) throw new Error(`placement constraint the lab cannot read: ${constraint}`);
  const [, key = "", op, expected] = m;
  let actual: string | undefined;
  if (key === "node.hostname") actual = node.host;
  else if (key === "node.role") actual = node.role;
  else if (key.startsWith("node.labels.")) actual = node.labels[key.slice("node.labels.".length)];
  else throw new Error(`placement constraint the lab cannot read: ${constraint}`);
  return op === "==" ? actual === expected : actual !== expected;
}

export function eligibleNodes(service: ModelService, nodes: readonly ModelNode[]): ModelNode[] {
  return nodes.filter((node) => service.constraints.every((c) => satisfies(node, c)));
}

/** How many tasks the service runs when only `nodes` are up. */
export function expectedTasks(service: ModelService, nodes: readonly ModelNode[]): number {
  const eligible = eligibleNodes(service, nodes).length;
  if (service.mode === "global") return eligible;
  return service.maxPerNode ? Math.min(service.replicas, eligible * service.maxPerNode) : eligible > 0 ? service.replicas : 0;
}

/**
 * Addresses the services take on an overlay once all their tasks run, counted as the report's
 * capacity/overlay-* findings count them: one per task, one load-balancer endpoint per node that may host one
 * of them, and one virtual IP per service when services have one (`vips`; the lab's dnsrr services have none).
 */
export function overlayAddresses(services: readonly ModelService[], nodes: readonly ModelNode[], vips: boolean): number {
  const tasks = services.reduce((sum, service) => sum + expectedTasks(service, nodes), 0);
  const hosts = new Set(services.flatMap((service) => eligibleNodes(service, nodes).map((node) => node.host)));
  return tasks + hosts.size + (vips ? services.length : 0);
}

/** Node names in a report message's parenthesised list, "(sw-node-1, sw-node-2 and sw-node-3)": the first list of known nodes. */
export function listedNodes(message: string, nodes: readonly ModelNode[]): string[] {
  const known = new Set(nodes.map((n) => n.host));
  for (const [, list = ""] of message.matchAll(/\(([^)]*)\)/g)) {
    const names = list.split(/, | and /).map((s) => s.trim());
    if (names.every((name) => known.has(name))) return names;
  }
  return [];
}

/** Pinned services the report names for a node: "<service> can run only on <node>: it stops while …". */
export function pinnedServices(findings: readonly HaFinding[]): Array<{ service: string; node: string }> {
  return findings
    .filter((f) => f.code === "spof/pinned-service")
    .map((f) => {
      const m = /can run only on (\S+?): it stops while/.exec(f.message);
      if (!m?.[1]) throw new Error(`pinned-service finding the lab cannot read: ${f.message}`);
      const [, stack, service] = f.construct.split("/");
      return { service: `${stack}_${service}`, node: m[1] };
    });
}
