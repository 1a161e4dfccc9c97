import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { groupBy } from "../core/group-by.js";
import { compareStrings } from "../core/stable-json.js";
import { compareWithDisk } from "../synth/compare.js";
import type { Delivery } from "../synth/generator.js";
import { MANIFEST_PATH, parseManifest } from "../synth/manifest.js";
import type { SynthResult } from "../synth/synthesize.js";
import { compileProject } from "./compile.js";
import { printJson, type Output } from "./output.js";
import { projectPaths } from "./project.js";
import { failureFindings, reportError } from "./report-error.js";
import { findingJson, reportedFinding, type FindingJson } from "./report-findings.js";
import { availabilityChanges, renderAvailabilityChanges, type AvailabilityChange } from "./availability-diff.js";

export interface DiffOptions {
  readonly config: string;
  readonly out?: string | undefined;
  /** Exit 1 when a build would change something, as `git diff --exit-code` does. */
  readonly exitCode?: boolean | undefined;
  /** Print nothing but errors; implies exitCode, as `git diff --quiet` does. */
  readonly quiet?: boolean | undefined;
  /** Print one JSON document (DiffJson) on stdout instead of the summary. */
  readonly json?: boolean | undefined;
}

type Change = { readonly path: string; readonly kind: "added" | "removed" | "changed"; readonly delivery: Delivery };

/** `diff --json` on stdout. */
export interface DiffJson {
  readonly command: "diff";
  /** Whether the config compiled; when not, `findings` says why. */
  readonly ok: boolean;
  /** Whether a build would change out/ or issue a certificate. */
  readonly changed: boolean;
  readonly files: readonly { readonly path: string; readonly change: Change["kind"]; readonly delivery: Delivery }[];
  readonly pendingCertificates: readonly string[];
  /** Availability errors and warnings the change introduces (`new`) or resolves. */
  readonly availability: readonly (FindingJson & { readonly change: AvailabilityChange["change"] })[];
  /** Availability findings of the fresh build, every severity, or why the config did not compile. */
  readonly findings: readonly FindingJson[];
}

/**
 * A pull-request summary of what a fresh build changes against the committed out/, grouped by how each
 * change reaches the cluster: live through `docker stack deploy`, or on hosts, where Ignition only ran
 * at first boot.
 */
export async function runDiff(options: DiffOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config, options.out);
  let result: SynthResult;
  try {
    result = await compileProject(paths, false);
  } catch (error) {
    if (!options.json) return reportError(error, io);
    const document: DiffJson = {
      command: "diff",
      ok: false,
      changed: false,
      files: [],
      pendingCertificates: [],
      availability: [],
      findings: failureFindings(error).map(findingJson),
    };
    printJson(io, document);
    return 1;
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
  const availability = availabilityChanges(paths.outDir, result.ha);
  const changed = changes.length > 0 || result.pendingIssues.length > 0;
  if (options.json) {
    const document: DiffJson = {
      command: "diff",
      ok: true,
      changed,
      files: changes.map((change) => ({ path: change.path, change: change.kind, delivery: change.delivery })),
      pendingCertificates: result.pendingIssues,
      availability: availability.map(({ finding, change }) => ({ ...findingJson(reportedFinding(finding)), change })),
      findings: result.ha.findings.map(findingJson),
    };
    printJson(io, document);
  } else if (!options.quiet) {
    io.out(renderSummary(changes, result.pendingIssues, availability));
  }
  return changed && (options.exitCode || options.quiet) ? 1 : 0;
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
  if (changes.length === 0 && pendingIssues.length === 0)
    return `${lines.join("\n")}Nothing to apply: out/ is what the config compiles to.\n`;

  const byStack = groupBy(changes, (change) => (change.delivery.kind === "stack" ? change.delivery.stack : undefined));
  const stacks = [...byStack].sort(([a], [b]) => compareStrings(a, b));
  if (stacks.length > 0) {
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
