import { TIER_TITLE, type TierGroup, type Topology } from "./topology.js";
import { boxLines, EVERYWHERE_TITLE, overlayLines, publishedLabel, stackLines } from "./labels.js";

const FONT = "Helvetica";
/** One fill per tier, light enough for black text, telling the tiers apart at a glance. */
const TIER_FILL = { front: "#e8f1fb", app: "#eaf6ea", proxy: "#fdf3e1", db: "#f6e9f4" } as const;

/**
 * The topology in Graphviz's language, for out/topology.svg: the same picture as the Mermaid diagram, laid
 * out by dot. Each tier is a column (its boxes share a rank), the columns in request order, two ranks apart
 * so that an overlay sits in the gap after the first tier it joins. Edges to a tier end at its frame
 * (`compound`, `lhead`/`ltail`).
 */
export function dotTopology(topology: Topology): string {
  const lines = [
    "digraph topology {",
    `  graph [rankdir=LR, compound=true, newrank=true, fontname="${FONT}", fontsize=14, nodesep=0.25, ranksep=0.5, labelloc=t, label=${quote(`cluster ${topology.cluster}`)}];`,
    `  node [shape=box, style="rounded,filled", fillcolor="#ffffff", fontname="${FONT}", fontsize=10];`,
    `  edge [fontname="${FONT}", fontsize=9, color="#555555"];`,
    `  internet [shape=ellipse, label="Internet", fillcolor="#f2f2f2"];`,
  ];
  for (const tier of topology.tiers) lines.push(...tierCluster(tier));
  for (const overlay of topology.overlays) {
    lines.push(`  ${overlay.id} [shape=hexagon, style=filled, fillcolor="#fff8d6", label=${quote(overlayLines(overlay).join("\n"))}];`);
  }
  if (topology.everywhere.length > 0) {
    lines.push(
      `  everywhere [shape=note, style=filled, fillcolor="#f7f7f7", label=${quote([EVERYWHERE_TITLE, ...stackLines(topology.everywhere)].join("\n"))}];`,
      "  { rank=same; internet; everywhere; }",
    );
  }
  // A tier's first box stands for the tier: edges start or end there and are clipped at the tier's frame.
  const anchors = new Map(
    topology.tiers.map((tier) => [tier.tier, { box: tier.zones[0]?.boxes[0]?.id ?? "", frame: `cluster_${tier.id}` }]),
  );
  const columns = topology.tiers.map((tier) => anchors.get(tier.tier)).filter((anchor) => anchor !== undefined);
  lines.push(`  ${["internet", ...columns.map((anchor) => anchor.box)].join(" -> ")} [style=invis, minlen=2];`);
  for (const published of topology.published) {
    for (const tier of published.tiers) {
      const to = anchors.get(tier);
      if (to) lines.push(`  internet -> ${to.box} [lhead=${to.frame}, label=${quote(publishedLabel(published))}];`);
    }
  }
  for (const overlay of topology.overlays) {
    const [first, ...rest] = overlay.tiers.map((tier) => anchors.get(tier)).filter((anchor) => anchor !== undefined);
    if (!first) continue;
    lines.push(`  ${first.box} -> ${overlay.id} [ltail=${first.frame}, dir=none];`);
    for (const to of rest) lines.push(`  ${overlay.id} -> ${to.box} [lhead=${to.frame}, dir=none];`);
  }
  lines.push("}");
  return `${lines.join("\n")}\n`;
}

function tierCluster(tier: TierGroup): string[] {
  const lines = [
    `  subgraph cluster_${tier.id} {`,
    `    label=${quote(`${TIER_TITLE[tier.tier]} · ${tier.nodes} node${tier.nodes === 1 ? "" : "s"}`)};`,
    `    style="rounded,filled"; fillcolor="${TIER_FILL[tier.tier]}"; color="#999999";`,
  ];
  // dot stacks a rank's nodes bottom-up when laying out left to right: declared last-first, they read top-down.
  for (const zone of [...tier.zones].reverse()) {
    const indent = zone.zone === undefined ? "    " : "      ";
    if (zone.zone !== undefined) {
      lines.push(
        `    subgraph cluster_${zone.id} {`,
        `      label=${quote(`zone ${zone.zone}`)}; style="dashed,rounded"; color="#777777";`,
      );
    }
    for (const box of [...zone.boxes].reverse()) {
      // A box of several nodes names them all in its tooltip, as its label may shorten the list.
      const tooltip = box.hostnames.length > 1 ? `, tooltip=${quote(box.hostnames.join(", "))}` : "";
      lines.push(`${indent}${box.id} [label=${quote(boxLines(box).join("\n"))}${tooltip}];`);
    }
    if (zone.zone !== undefined) lines.push("    }");
  }
  const boxes = tier.zones.flatMap((zone) => zone.boxes.map((box) => box.id));
  lines.push(`    { rank=same; ${boxes.join("; ")}; }`, "  }");
  return lines;
}

/** A DOT string literal; `\n` in the text becomes a centred line break. */
function quote(text: string): string {
  return `"${text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}
