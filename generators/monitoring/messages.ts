import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Monitoring's own checks report. */
export const MONITORING_MESSAGES = defineMessages({
  "monitoring/node-exporter-port-shared": entry<{ other: string; port: number }>(
    ({ other, port }) => `node-exporter of ${other} already listens on port ${port} of the same nodes (both run on the host network)`,
    "give this Monitoring another `nodeExporterPort` (e.g. 9101)",
  ),
});
