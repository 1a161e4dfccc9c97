import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Karma construct's checks report. */
export const KARMA_MESSAGES = defineMessages({
  "karma/no-alertmanagers": entry<Record<string, never>>(
    () => "the Monitoring has no `alerting`: there is no Alertmanager for karma to read",
    "declare the Monitoring's `alerting: { nodes, slackWebhook }`, or leave Karma out",
  ),
  "karma/alertmanagers-unreachable": entry<{ network: string }>(
    ({ network }) => `karma joins ${network}, which the Alertmanagers do not: it could not reach them`,
    "give Karma the Monitoring's network",
  ),
});
