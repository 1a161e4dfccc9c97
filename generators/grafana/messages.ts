import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Grafana construct's checks report. */
export const GRAFANA_MESSAGES = defineMessages({
  "grafana/prometheus-unreachable": entry<{ network: string }>(
    ({ network }) => `Grafana joins ${network}, which Prometheus does not: its data source would not resolve`,
    "give Grafana the Monitoring's network",
  ),
  "grafana/no-admin-entry": entry<{ front: string }>(
    ({ front }) => `FrontProxy ${front} declares no \`admin\` entry, so Grafana cannot be served through it`,
    "add `admin: { hostname, allow, htpasswdSecret }` to the FrontProxy, or leave Grafana's `front` out",
  ),
});
