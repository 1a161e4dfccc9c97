import type { Cluster } from "../../../src/model/cluster.js";
import type { Declared } from "../../../src/validate/problem.js";
import { plannedPki } from "../../../src/pki/planned.js";
import { GENERATED_NOTICE } from "../../../src/synth/header.js";
import { clusterFacts, type ClusterFacts } from "./facts.js";
import { CIS_ITEMS, CIS_SECTIONS, type CisItem } from "./items.js";
import { exception, type Outcome, type Status } from "./outcome.js";

/** One subject's outcome: a node's hostname, a service's `stack/service`, or `cluster`. */
export interface SubjectOutcome extends Outcome {
  readonly subject: string;
  /** The subject's construct, where a failing item is reported. */
  readonly construct: Declared;
}

export interface ItemResult {
  readonly item: CisItem;
  readonly outcomes: readonly SubjectOutcome[];
}

const checked = new WeakMap<Cluster, ItemResult[]>();

/**
 * Every item checked against every subject of its scope, once per locked tree: the validation phase reports
 * the failures as warnings and the generator writes the report from the same results. The items read which
 * files a node gets and their modes and owners, never a certificate's bytes, so the PKI as the model plans
 * it stands in for the certificates that are resolved only after validation.
 */
export function cisResults(cluster: Cluster): ItemResult[] {
  const known = checked.get(cluster);
  if (known) return known;
  const facts = clusterFacts(cluster, plannedPki(cluster));
  const results = CIS_ITEMS.map((item) => ({ item, outcomes: outcomesOf(item, facts) }));
  if (cluster.node.locked) checked.set(cluster, results);
  return results;
}

function outcomesOf(item: CisItem, facts: ClusterFacts): SubjectOutcome[] {
  switch (item.scope) {
    case "cluster":
      return [{ subject: "cluster", construct: facts.cluster, ...item.check(facts) }];
    case "node":
      return facts.nodes.map((node) => ({ subject: node.node.hostname, construct: node.node, ...item.check(node) }));
    case "service":
      return facts.services.map((service) => {
        const found = item.check(service);
        const declared = service.exceptions.get(item.number);
        // A declared exception excuses a failure only; a service that meets the item passes.
        const outcome = found.status === "fail" && declared !== undefined ? exception(declared) : found;
        return { subject: `${service.service.node.scope?.node.id ?? ""}/${service.service.name}`, construct: service.service, ...outcome };
      });
  }
}

const STATUSES: readonly Status[] = ["pass", "exception", "not-applicable", "fail"];

/** Outcomes grouped by what they say, so an item alike on every node reads as one line. */
function grouped(outcomes: readonly SubjectOutcome[]): { status: Status; note: string; subjects: string[] }[] {
  const groups = new Map<string, { status: Status; note: string; subjects: string[] }>();
  for (const outcome of outcomes) {
    const key = `${outcome.status}\u0000${outcome.note}`;
    const group = groups.get(key) ?? { status: outcome.status, note: outcome.note, subjects: [] };
    group.subjects.push(outcome.subject);
    groups.set(key, group);
  }
  return [...groups.values()];
}

export function reportJson(clusterName: string, results: readonly ItemResult[]): unknown {
  return {
    cluster: clusterName,
    benchmark: "CIS Docker Benchmark v1.6.0 (item numbers; titles in our own words)",
    counts: counts(results),
    items: results.map(({ item, outcomes }) => ({
      number: item.number,
      title: item.title,
      scope: item.scope,
      checked: item.checked,
      results: grouped(outcomes).map((group) => ({ status: group.status, note: group.note, subjects: group.subjects })),
    })),
  };
}

function counts(results: readonly ItemResult[]): Record<Status, number> {
  const worst = results.map(({ outcomes }) => STATUSES[Math.max(...outcomes.map((outcome) => STATUSES.indexOf(outcome.status)))] ?? "pass");
  return Object.fromEntries(STATUSES.map((status) => [status, worst.filter((found) => found === status).length])) as Record<Status, number>;
}

export function reportMarkdown(clusterName: string, results: readonly ItemResult[]): string {
  const total = counts(results);
  const lines = [
    `<!-- ${GENERATED_NOTICE} -->`,
    `# CIS Docker Benchmark: ${clusterName}`,
    "",
    "Each item of the CIS Docker Benchmark v1.6.0 (sections 1, 2, 3, 5 and 7; numbers as in the benchmark, titles in our own words),",
    "checked against every node's Ignition config, every service's stack entry and the cluster model. An item whose",
    "outcome differs between nodes or services lists each. A failing item is also a warning of `swarm-cluster build`",
    "(`--strict` fails on it).",
    "",
    `${total.pass} pass, ${total.exception} exception(s), ${total["not-applicable"]} not applicable, ${total.fail} fail (each item counted by its worst outcome).`,
  ];
  let section = "";
  for (const { item, outcomes } of results) {
    const itemSection = item.number.split(".")[0] ?? "";
    if (itemSection !== section) {
      section = itemSection;
      lines.push("", `## ${section} ${CIS_SECTIONS[section] ?? ""}`, "");
    }
    const groups = grouped(outcomes);
    const everyone = groups.length === 1;
    if (everyone) {
      const [only] = groups;
      lines.push(`- **${item.title}**: ${only?.status}: ${only?.note}`);
      continue;
    }
    lines.push(`- **${item.title}**:`);
    for (const group of groups) lines.push(`  - ${group.status} on ${group.subjects.join(", ")}: ${group.note}`);
  }
  lines.push("");
  return lines.join("\n");
}
