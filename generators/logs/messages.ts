import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the logs family's own checks report. */
export const LOGS_MESSAGES = defineMessages({
  "logs/no-engine-nodes": entry<Record<string, never>>(
    () => "the search engine has no nodes: nothing stores or serves the logs",
    "list the nodes that run an Elasticsearch node in `nodes` (three, for a master quorum that survives one loss)",
  ),
  "logs/engine-node-twice": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is listed twice: one node runs one Elasticsearch node (one data volume, one vote)`,
    "list distinct nodes",
  ),
  "logs/master-not-engine-node": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is master-eligible but runs no Elasticsearch node`,
    "list it in `nodes` too, or drop it from `masterEligible`",
  ),
  "logs/master-count-even": entry<{ count: number }>(
    ({ count }) =>
      count === 0
        ? "no master-eligible node: the cluster can never elect a master"
        : `${count} master-eligible nodes: an even count tolerates no more losses than ${count - 1}, and Elasticsearch withholds one vote to keep the count odd`,
    "make an odd number of nodes master-eligible (`masterEligible`): 3 tolerate one loss, 5 tolerate two",
  ),
  "logs/memory-limit": entry<{ value: string }>(
    ({ value }) => `memoryLimit "${value}" is not a Docker memory size`,
    'write it as Docker does, e.g. "2G" or "4096M"',
  ),
  "logs/heap-fraction": entry<{ fraction: number }>(
    ({ fraction }) =>
      `heapFraction ${fraction} is outside (0, 0.5]: Elasticsearch needs the other half of its memory for the file-system cache`,
    "give the heap at most half of the memory limit (0.5, Elastic's advice)",
  ),
  "logs/heap-too-large": entry<{ heap: string }>(
    ({ heap }) => `a heap of ${heap} is past 31 GiB, where the JVM stops compressing object pointers and holds fewer objects than below it`,
    "lower `memoryLimit` or `heapFraction` so the heap stays at or below 31 GiB; add nodes for more capacity",
  ),
  "logs/heap-too-small": entry<{ heap: string }>(
    ({ heap }) => `a heap of ${heap} is below 256 MiB, less than Elasticsearch starts with`,
    "raise `memoryLimit` (1G gives a 512 MiB heap at the default fraction)",
  ),
  "logs/replicas": entry<{ value: number }>(
    ({ value }) => `replicas ${value} is not a whole number of 0 or more`,
    "give the copies of each shard beyond the primary, e.g. 1",
  ),
  "logs/retention": entry<{ field: string; value: number }>(
    ({ field, value }) => `retention.${field} ${value} is not a whole number of days of at least 1`,
    "give whole days, e.g. `deleteAfterDays: 7`",
  ),
  "logs/packetbeat-node-twice": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is listed twice in \`packetbeat.nodes\``,
    "list distinct nodes",
  ),
});
