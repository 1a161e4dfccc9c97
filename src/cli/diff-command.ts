import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { compareStrings } from "../core/stable-json.js";
import { compareWithDisk } from "../synth/compare.js";
import type { Delivery } from "../synth/generator.js";
import { MANIFEST_PATH, parseManifest } from "../synth/manifest.js";
import type { Output } from "./build-command.js";
import { compileProject } from "./compile.js";
import { projectPaths } from "./project.js";
import { reportError } from "./report-error.js";
import { availabilityChanges, renderAvailabilityChanges, type AvailabilityChange } from "./availability-diff.js";

export interface DiffOptions {
  readonly config: string;
  readonly out?: string;
}

type Change = { readonly path: string; readonly kind: "added" | "removed" | "changed"; readonly delivery: Delivery };

/**
 * A pull-request summary of what a fresh build changes against the committed out/, grouped by how each
 * change reaches the cluster: live through `docker stack deploy`, or on hosts, where Ignition only ran
 * at first boot.
 */
export async function runDiff(options: DiffOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config, options.out);
  let result;
  try {
    result = await compileProject(paths, false);
  } catch (error) {
    return reportError(error, io.err);
  }
  const difference = compareWithDisk(result.files, paths.outDir);
  const fresh = new Map(result.files.map((file) => [file.path, file.delivery]));
  const committed = committedDeliveries(paths.outDir);
  const deliveryOf = (file: string): Delivery => fresh.get(file) ?? committed.get(file) ?? { kind: "operator" };
  const changes: Change[] = [
    ...difference.added.map((file) => ({ path: file, kind: "added" as const, delivery: deliveryOf(file) })),
    ...difference.removed.map((file) => ({ path: file, kind: "removed" as const, delivery: deliveryOf(file) })),
    ...difference.changed.map((file) => ({ path: file, kind: "changed" as const, delivery: deliveryOf(file) })),
  ].sort((a, b) => compareStrings(a.path, b.path));
  io.out(renderSummary(changes, result.pendingIssues, availabilityChanges(paths.outDir, result.ha)));
  return 0;
}

function committedDeliveries(outDir: string): Map<string, Delivery> {
  const file = path.join(outDir, MANIFEST_PATH);
  const manifest = existsSync(file) ? parseManifest(readFileSync(file, "utf8")) : undefined;
  return new Map((manifest?.files ?? []).map((entry) => [entry.path, entry.delivery]));
}

export function renderSummary(
  changes: readonly Change[],
  pendingIssues: readonly string[],
  availability: readonly AvailabilityChange[] = [],
): string {
  const count = (kind: Change["kind"]): number => changes.filter((change) => change.kind === kind).length;
  const lines = [
    `## swarm-cluster: ${changes.length} file(s) change (${count("added")} added, ${count("removed")} removed, ${count("changed")} changed)`,
    "",
    ...renderAvailabilityChanges(availability),
  ];
  if (changes.length === 0 && pendingIssues.length === 0) return `${lines.join("\n")}Nothing to apply: out/ is what the config compiles to.\n`;

  const stacks = groupBy(changes, (change) => (change.delivery.kind === "stack" ? change.delivery.stack : undefined));
  if (stacks.size > 0) {
    lines.push("### Live through `docker stack deploy`", "");
    for (const [stack, group] of stacks) {
      lines.push(`- stack \`${stack}\`: ${describe(group)} — apply with \`docker stack deploy -c out/stacks/${stack}.yml ${stack}\``);
    }
    lines.push("");
  }
  const hosts = new Map<string, Change[]>();
  for (const change of changes) {
    if (change.delivery.kind !== "host") continue;
    for (const node of change.delivery.nodes) hosts.set(node, [...(hosts.get(node) ?? []), change]);
  }
  if (hosts.size > 0) {
    lines.push("### Host-level (Ignition runs only at first boot)", "");
    for (const node of [...hosts.keys()].sort(compareStrings)) {
      lines.push(`- \`${node}\`: ${describe(hosts.get(node) ?? [])} — apply with \`bash out/nodes/${node}/apply.sh\` (or re-provision)`);
    }
    lines.push("");
  }
  const swarm = changes.filter((change) => change.delivery.kind === "swarm");
  if (swarm.length > 0) {
    lines.push("### Swarm-wide (run again on a manager before deploying stacks)", "");
    for (const change of swarm) lines.push(`- ${describe([change])} — run \`bash out/${change.path}\``);
    lines.push("");
  }
  const operator = changes.filter((change) => change.delivery.kind === "operator");
  if (operator.length > 0) lines.push("### Reports and operator files", "", `- ${describe(operator)}`, "");
  if (pendingIssues.length > 0) {
    lines.push("### Certificates to issue (run `npm run build` with the CA key present)", "");
    for (const reason of pendingIssues) lines.push(`- ${reason}`);
    lines.push("");
  }
  return lines.join("\n");
}

function describe(changes: readonly Change[]): string {
  return changes.map((change) => `${change.kind} \`${change.path}\``).join(", ");
}

function groupBy(changes: readonly Change[], key: (change: Change) => string | undefined): Map<string, Change[]> {
  const groups = new Map<string, Change[]>();
  for (const change of changes) {
    const name = key(change);
    if (name !== undefined) groups.set(name, [...(groups.get(name) ?? []), change]);
  }
  return new Map([...groups].sort(([a], [b]) => compareStrings(a, b)));
}
