import type { Node } from "../../src/model/node.js";
import { bashScript, shellWord } from "../shell.js";

/**
 * `swarm/labels.sh`: applies the node labels the stacks' placement constraints select on. `--label-add`
 * overwrites a label's value, so re-running it converges; labels removed from the model are not removed.
 */
export function labelsScript(nodes: readonly Node[]): string {
  const body = nodes.map((node) => {
    const labels = Object.keys(node.labels)
      .sort()
      .map((key) => `--label-add ${shellWord(`${key}=${node.labels[key] ?? ""}`)}`);
    return `docker node update ${labels.join(" ")} ${shellWord(node.hostname)}`;
  });
  return bashScript(["Labels every Swarm node from the model; run on a manager once all nodes joined. Safe to re-run."], body);
}
