import type { Cluster } from "../model/cluster.js";
import type { Declared } from "./problem.js";

/** A construct of the tree and the field within it that a document path points at. */
export interface DocumentTarget {
  readonly construct: Declared;
  /** Dotted field path inside the construct, e.g. `privateIp`, `ports[0].published`, `labels.type`; empty for the whole construct. */
  readonly field: string;
}

/**
 * Maps a JSON Pointer into the ModelDocument of `cluster` (ajv's `instancePath`, e.g. `/nodes/3/privateIp`)
 * back to the construct that declared the value. toModelDocument keeps the tree's order in each array,
 * so the indexes of the pointer are indexes into `cluster.nodes`, `stack.services`, and so on.
 */
export function locateDocumentPath(cluster: Cluster, instancePath: string): DocumentTarget {
  const [collection, indexText, ...rest] = parsePointer(instancePath);
  const index = Number(indexText);
  const element = <T>(items: readonly T[]): T | undefined => (indexText === undefined ? undefined : items[index]);

  let target: { construct: Declared | undefined; rest: string[] } = { construct: undefined, rest: [] };
  switch (collection) {
    case "cluster":
      return { construct: cluster, field: fieldPath(indexText === undefined ? [] : [indexText, ...rest]) };
    case "nodes":
      target = { construct: element(cluster.nodes), rest };
      break;
    case "networks":
      target = { construct: element(cluster.networks), rest };
      break;
    case "secrets":
      target = { construct: element(cluster.secrets), rest };
      break;
    case "sites":
      target = { construct: element(cluster.sites), rest };
      break;
    case "stacks": {
      const stack = element(cluster.stacks);
      const [services, serviceIndex, ...serviceRest] = rest;
      const service = services === "services" && serviceIndex !== undefined ? stack?.services[Number(serviceIndex)] : undefined;
      target = service ? { construct: service, rest: serviceRest } : { construct: stack, rest };
      break;
    }
  }
  if (target.construct) return { construct: target.construct, field: fieldPath(target.rest) };
  // A whole collection (or the document itself) at fault: the cluster owns it.
  return { construct: cluster, field: fieldPath([collection, indexText, ...rest].filter((s): s is string => s !== undefined)) };
}

/** RFC 6901: segments separated by `/`, with `~1` for `/` and `~0` for `~`. */
function parsePointer(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** `["ports", "0", "published"]` → `ports[0].published`, the way the field is written in the config. */
export function fieldPath(segments: readonly string[]): string {
  return segments.reduce((path, segment) => (/^\d+$/.test(segment) ? `${path}[${segment}]` : path ? `${path}.${segment}` : segment), "");
}
