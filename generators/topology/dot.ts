import { TIER_TITLE, type Topology } from "./topology.js";
import { boxLines, EVERYWHERE_TITLE, overlayLines, publishedLabel, stackLines } from "./labels.js";

const FONT = "Helvetica";
/** One fill per tier, light enough for black text, telling the tiers apart at a glance. */
const TIER_FILL = { front: "#e8f1fb", app: "#eaf6ea", proxy: "#fdf3e1", db: "#f6e9f4" } as const;

/**
 * The topology in Graphviz's language, for out/topology.svg: the same picture as the Mermaid diagram,
 * laid out by dot. Edges to a tier end at the tier's frame (`compound`, `lhead`/`ltail`); an overlay's
 * first tier points at it and it points at the others, so overlays sit between the tiers they join.
 */
export function dotTopology(topology: Topology): string {
  const lines = [
    "digraph topology {",
    `  graph [rankdir=LR, compound=true, newrank=true, fontname="${FONT}", fontsize=14, nodesep=0.25, ranksep=0.7, labelloc=t, label=${quote(`cluster ${topology.cluster}`)}];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="${FONT}", fontsize=10];`,
    `  edge [fontname="${FONT}", fontsize=9, color="#555555"];`,
    `  internet [shape=ellipse, label="Internet", fillcolor="#f2f2f2"];`,
  ];
  const anchor = new Map<string, string>();
  for (const tier of topology.tiers) {
    lines.push(`  subgraph cluster_${tier.id} {`);
    lines.push(`    label=${quote(`${TIER_TITLE[tier.tier]} · ${tier.nodes} node${tier.nodes === 1 ? "" : "s"}`)};`);
    lines.push(`    style="rounded,filled"; fillcolor="${TIER_FILL[tier.tier]}"; color="#999999";`);
    for (const zone of tier.zones) {
      const indent = zone.zone === undefined ? "    " : "      ";
      if (zone.zone !== undefined) {
        lines.push(`    subgraph cluster_${zone.id} {`);
        lines.push(`      label=${quote(`zone ${zone.zone}`)}; style="dashed,rounded"; color="#777777";`);
      }
      for (const box of zone.boxes) {
        if (!anchor.has(tier.id)) anchor.set(tier.id, box.id);
        lines.push(`${indent}${box.id} [label=${quote(boxLines(box).join("\n"))}];`);
      }
      if (zone.zone !== undefined) lines.push("    }");
    }
    lines.push("  }");
  }
  for (const overlay of topology.overlays) {
    lines.push(`  ${overlay.id} [shape=hexagon, style=filled, fillcolor="#fff8d6", label=${quote(overlayLines(overlay).join("\n"))}];`);
  }
  if (topology.everywhere.length > 0) {
    lines.push(
      `  everywhere [shape=note, style=filled, fillcolor="#f7f7f7", label=${quote([EVERYWHERE_TITLE, ...stackLines(topology.everywhere)].join("\n"))}];`,
    );
  }
  const tierOf = new Map(topology.tiers.map((tier) => [tier.tier, tier.id]));
  const into = (tier: string) => `${anchor.get(tier)} [lhead=cluster_${tier}`;
  for (const published of topology.published) {
    for (const tier of published.tiers) {
      const id = tierOf.get(tier)!;
      lines.push(`  internet -> ${into(id)}, label=${quote(publishedLabel(published))}];`);
    }
  }
  for (const overlay of topology.overlays) {
    const [first, ...rest] = overlay.tiers.map((tier) => tierOf.get(tier)!);
    if (!first) continue;
    lines.push(`  ${anchor.get(first)} -> ${overlay.id} [ltail=cluster_${first}, dir=none];`);
    for (const tier of rest) lines.push(`  ${overlay.id} -> ${into(tier)}, dir=none];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

/** A DOT string literal; `\n` in the text becomes a centred line break. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
