import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { bringUpSteps } from "./bring-up.js";
import { dotTopology } from "./dot.js";
import { preloadGraphviz, renderSvg } from "./graphviz.js";
import { mermaidTopology } from "./mermaid.js";
import { renderReadme } from "./readme.js";
import { topologyOf } from "./topology.js";
import { toleratedFailures } from "./tolerated-failures.js";

export { topologyOf, type Topology } from "./topology.js";
export { mermaidTopology } from "./mermaid.js";
export { dotTopology } from "./dot.js";
export { toleratedFailures, type ToleratedFailure } from "./tolerated-failures.js";

/**
 * The reviewer's view of out/: README.md (a Mermaid topology a pull request renders, what runs where, the
 * tolerated failures, the findings, the bring-up order) and topology.svg, the same topology drawn by Graphviz.
 */
export const topologyGenerator = defineGenerator({
  name: "topology",
  preload: preloadGraphviz,
  async generate({ cluster, ha }): Promise<GeneratedFile[]> {
    const delivery = { kind: "operator" } as const;
    const topology = topologyOf(cluster);
    const readme = renderReadme({
      cluster,
      mermaid: mermaidTopology(topology),
      svg: OUT_PATHS.topologySvg,
      failures: toleratedFailures(ha.failures),
      findings: ha.findings,
      bringUp: bringUpSteps(cluster),
    });
    return [
      { path: OUT_PATHS.reviewerReadme, content: readme, construct: "cluster", delivery },
      { path: OUT_PATHS.topologySvg, content: await renderSvg(dotTopology(topology)), construct: "cluster", delivery },
    ];
  },
});
