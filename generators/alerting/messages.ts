import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Alerting's own checks report. */
export const ALERTING_MESSAGES = defineMessages({
  "alerting/single-alertmanager": entry<{ count: number }>(
    ({ count }) =>
      count === 0 ? "no Alertmanager node: no alert is ever sent" : "one Alertmanager node: losing it stops every notification",
    "list at least two nodes in `alerting.nodes`: one Alertmanager runs on each, clustered with the others",
  ),
  "alerting/alertmanagers-share-node": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is listed twice: its loss would take two Alertmanagers at once`,
    "list distinct nodes in `alerting.nodes`",
  ),
  "alerting/certificate-expiry-days": entry<{ days: number }>(
    ({ days }) => `certificateExpiryDays ${days} is not a whole number of days of at least 1`,
    "give the days before expiry the alert fires, e.g. 14",
  ),
});
