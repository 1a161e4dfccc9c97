import type { Problem } from "../../src/core/problems.js";
import type { Cluster } from "../../src/model/cluster.js";
import type { Service } from "../../src/model/stack.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import type { BringUpStep } from "./bring-up.js";
import { foldNames } from "./names.js";
import type { ToleratedFailure } from "./tolerated-failures.js";

/** What the reviewer's README is made of; each part is derived from the model or the analysis elsewhere. */
export interface ReadmeParts {
  readonly cluster: Cluster;
  readonly mermaid: string;
  /** The SVG's path relative to the README. */
  readonly svg: string;
  readonly failures: readonly ToleratedFailure[];
  readonly findings: readonly Problem[];
  readonly bringUp: readonly BringUpStep[];
}

const SEVERITY_WORD = { error: "error", warning: "warning", info: "note" } as const;

/** out/README.md: the cluster as a reviewer of a pull request reads it, above the diff of out/. */
export function renderReadme(parts: ReadmeParts): string {
  const { cluster } = parts;
  const zoned = cluster.nodes.some((node) => node.zone !== undefined);
  return [
    `<!-- ${GENERATED_NOTICE} -->`,
    `# Cluster \`${cluster.name}\``,
    "",
    `${cluster.nodes.length} nodes, ${cluster.stacks.length} stacks, ${cluster.networks.length} overlays, as \`swarm-cluster build\` compiled them into this folder. A change to the cluster's config shows here first: read this page, then the diff of the files it names.`,
    "",
    "## Topology",
    "",
    "Tiers left to right in the order a request crosses them, zones inside tiers, alike nodes drawn as one box; overlays join the tiers whose services use them.",
    "",
    "```mermaid",
    parts.mermaid.trimEnd(),
    "```",
    "",
    `The same picture drawn by Graphviz: [${parts.svg}](${parts.svg}).`,
    "",
    "## Nodes",
    "",
    table(
      ["node", "tier", ...(zoned ? ["zone"] : []), "Swarm role", "private address", "public address"],
      cluster.nodes.map((node) => [
        node.hostname,
        node.tier,
        ...(zoned ? [node.zone ?? "—"] : []),
        node.swarmRole,
        node.privateIp,
        node.publicIp ?? "—",
      ]),
    ),
    "",
    "## What runs where",
    "",
    table(
      ["stack", "service", "tasks", "on", "overlays", "published"],
      cluster.stacks.flatMap((stack) =>
        stack.services.map((service) => [
          stack.name,
          service.name,
          tasks(service),
          where(cluster, service),
          service.hostNetwork ? "host network" : service.networks.map((network) => network.name).join(", ") || "—",
          service.ports
            .map((port) => `${port.published}→${port.target}/${port.protocol ?? "tcp"} (${port.mode ?? "ingress"})`)
            .join(", ") || "—",
        ]),
      ),
    ),
    "",
    "## Overlays",
    "",
    table(
      ["overlay", "subnet", "MTU", "encrypted"],
      cluster.networks.map((network) => [network.name, network.subnet, String(network.mtu), network.encrypted ? "yes" : "no"]),
    ),
    "",
    "## Tolerated failures",
    "",
    table(
      ["losing", "tolerated", "what happens"],
      parts.failures.map((row) => [
        row.failure,
        row.tolerated ? "yes" : "**no**",
        row.consequences.length > 0 ? row.consequences.join("; ") : row.tolerated ? "nothing stops" : "",
      ]),
    ),
    "",
    "## Findings",
    "",
    ...findings(parts.findings),
    "",
    "## Bringing the cluster up",
    "",
    "In this order, each step safe to re-run; paths are relative to this folder, `swarm-cluster` runs in the project's.",
    "",
    ...parts.bringUp.flatMap((step, index) => [
      `${index + 1}. **${step.title}**: ${step.detail}.`,
      "",
      "   ```sh",
      ...step.commands.map((command) => `   ${command}`),
      "   ```",
      "",
    ]),
  ].join("\n");
}

function tasks(service: Service): string {
  const count = service.replicaCount;
  if (service.mode === "global") return `${count}, global`;
  if (service.props.replicas === "one-per-node") return `${count}, one per node`;
  return String(count);
}

function where(cluster: Cluster, service: Service): string {
  const nodes = service.eligibleNodes;
  if (nodes.length === cluster.nodes.length) return "every node";
  return nodes.length === 0 ? "no node" : foldNames(nodes.map((node) => node.hostname));
}

function findings(found: readonly Problem[]): string[] {
  const count = (severity: Problem["severity"]) => found.filter((entry) => entry.severity === severity).length;
  const summary = `${count("error")} errors, ${count("warning")} warnings, ${count("info")} notes; the full report is [${OUT_PATHS.availabilityReport.markdown}](${OUT_PATHS.availabilityReport.markdown}).`;
  return [
    summary,
    "",
    ...found.map((entry) => {
      const fix = entry.severity === "info" ? "" : ` Fix: ${entry.hint}.`;
      return `- ${SEVERITY_WORD[entry.severity]} **${entry.code}** \`${entry.construct}\`: ${entry.message}.${fix}`;
    }),
  ];
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.map((cell) => cell.replace(/\|/g, "\\|")).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}
