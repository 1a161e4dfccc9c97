import { finding } from "../../src/analysis/findings.js";
import type { Problem } from "../../src/core/problems.js";
import { listed } from "../../src/core/wording.js";
import type { Node } from "../../src/model/node.js";
import type { Declared } from "../../src/validate/problem.js";

export interface ShardInputs {
  readonly at: Declared;
  /** The engine's data nodes. */
  readonly nodes: readonly Node[];
  /** Copies of each shard beyond its primary. */
  readonly replicas: number;
  /** The zone of every node of the cluster (undefined where none is declared). */
  readonly clusterZones: readonly (string | undefined)[];
}

/**
 * Each shard has a primary and `replicas` copies, never two on one node: the loss of more data nodes than
 * replicas loses the shards whose every copy was on them; fewer data nodes than copies leaves copies
 * unassigned (the cluster stays yellow).
 */
export function shardFindings({ at, nodes, replicas, clusterZones }: ShardInputs): Problem[] {
  const dataNodes = [...new Set(nodes)];
  if (dataNodes.length === 0) return [];
  const copies = replicas + 1;
  const hostnames = listed(dataNodes.map((node) => node.hostname));
  if (replicas === 0 || dataNodes.length === 1) {
    return [
      finding("error", "logs/shards-single-copy", at, {
        message:
          dataNodes.length === 1
            ? `the search engine keeps its logs on one data node (${hostnames}): losing it loses every shard`
            : `the logs' shards have no replica (replicas: 0) over ${dataNodes.length} data nodes (${hostnames}): losing any one loses the shards it holds`,
        hint: dataNodes.length === 1 ? "run Elasticsearch on a second node (`nodes`) and keep `replicas: 1`" : "set `replicas: 1`",
      }),
    ];
  }
  const findings: Problem[] = [];
  if (copies > dataNodes.length) {
    findings.push(
      finding("warning", "logs/replicas-unassigned", at, {
        message: `each shard wants ${copies} copies but there are ${dataNodes.length} data nodes (${hostnames}): ${copies - dataNodes.length} copy per shard stays unassigned and the cluster stays yellow`,
        hint: `set \`replicas: ${dataNodes.length - 1}\`, or run Elasticsearch on ${copies - dataNodes.length} more node(s)`,
      }),
    );
  }
  findings.push(...zoneFindings(at, dataNodes, clusterZones));
  const tolerated = Math.min(replicas, dataNodes.length - 1);
  findings.push(
    finding("info", "logs/shard-copies", at, {
      message: `each shard has ${Math.min(copies, dataNodes.length)} copies on distinct data nodes (${hostnames}): losing any ${tolerated} of them keeps every shard`,
      hint: "nothing to fix",
    }),
  );
  return findings;
}

/**
 * With zones declared, the engine spreads each shard's copies over its nodes' zones (allocation awareness),
 * so a zone's loss keeps a copy as long as the nodes span two zones or more; all in one zone, they go together.
 */
function zoneFindings(at: Declared, nodes: readonly Node[], clusterZones: readonly (string | undefined)[]): Problem[] {
  const declared = new Set(clusterZones.filter((zone): zone is string => zone !== undefined));
  const engineZones = new Set(nodes.map((node) => node.zone));
  const [only] = engineZones;
  if (declared.size < 2 || engineZones.size !== 1 || only === undefined) return [];
  const others = [...declared].filter((zone) => zone !== only).sort();
  return [
    finding("warning", "logs/shards-one-zone", at, {
      message: `every engine node is in zone ${only}: losing the zone loses every copy of every shard`,
      hint: `run engine nodes in another zone too (${listed(others)}); the copies then spread over the zones`,
    }),
  ];
}
