import { TIER_TITLE, type Topology } from "./topology.js";
import { boxLines, EVERYWHERE_TITLE, overlayLines, publishedLabel, stackLines } from "./labels.js";

const INTERNET_ID = "internet";
const EVERYWHERE_ID = "everywhere";

/**
 * The topology as a Mermaid flowchart, which GitHub and GitLab draw inside a pull request: tiers left to
 * right in request order, zones inside tiers, one box per node (or per set of alike nodes), overlays as
 * hexagons joined to the tiers whose services use them, and the Internet's edges to published ports.
 */
export function mermaidTopology(topology: Topology): string {
  const lines = ["flowchart LR", `  ${INTERNET_ID}(("Internet"))`];
  for (const tier of topology.tiers) {
    lines.push(`  subgraph ${tier.id}[${text([`${TIER_TITLE[tier.tier]} · ${tier.nodes} node${tier.nodes === 1 ? "" : "s"}`])}]`);
    lines.push("    direction TB");
    for (const zone of tier.zones) {
      const indent = zone.zone === undefined ? "    " : "      ";
      if (zone.zone !== undefined) lines.push(`    subgraph ${zone.id}[${text([`zone ${zone.zone}`])}]`);
      for (const box of zone.boxes) lines.push(`${indent}${box.id}[${text(boxLines(box))}]`);
      if (zone.zone !== undefined) lines.push("    end");
    }
    lines.push("  end");
  }
  for (const overlay of topology.overlays) lines.push(`  ${overlay.id}{{${text(overlayLines(overlay))}}}`);
  if (topology.everywhere.length > 0) lines.push(`  ${EVERYWHERE_ID}[/${text([EVERYWHERE_TITLE, ...stackLines(topology.everywhere)])}/]`);
  const tierId = new Map(topology.tiers.map((tier) => [tier.tier, tier.id]));
  for (const published of topology.published) {
    for (const tier of published.tiers) lines.push(`  ${INTERNET_ID} -->|${text([publishedLabel(published)])}| ${tierId.get(tier)}`);
  }
  for (const overlay of topology.overlays) {
    for (const tier of overlay.tiers) lines.push(`  ${tierId.get(tier)} --- ${overlay.id}`);
  }
  return `${lines.join("\n")}\n`;
}

/** A quoted Mermaid label: lines joined by `<br/>`, quotes as entities (the only character a quoted label cannot hold). */
function text(lines: readonly string[]): string {
  return `"${lines.map((line) => line.replace(/"/g, "#quot;")).join("<br/>")}"`;
}
