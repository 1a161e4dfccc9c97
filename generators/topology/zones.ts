import type { Node } from "../../src/model/node.js";

/** The node label that names a node's failure domain (zone, datacentre) until the model has a field for it. */
export const ZONE_LABEL = "zone";

/** The failure domain a node sits in, when the config declares one. */
export function zoneOf(node: Node): string | undefined {
  return node.labels[ZONE_LABEL];
}
