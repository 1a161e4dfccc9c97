export { Alerting, ALERTMANAGER_IMAGE, ALERTMANAGER_PORTS, type AlertingOptions, type AlertingProps } from "./alerting.js";
export { ALERT_JOBS, DESIRED_REPLICAS_RECORD, NODE_LABEL, type AlertSeverity } from "./alert-rules.js";
export type { SlackChannels } from "./alertmanager-config.js";
