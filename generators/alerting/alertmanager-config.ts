import { yamlText } from "../../src/core/yaml-text.js";
import { withHashHeader } from "../../src/synth/header.js";
import { NODE_LABEL, type AlertSeverity } from "./alert-rules.js";

/** Slack channel each severity is posted to. */
export type SlackChannels = Readonly<Record<AlertSeverity, string>>;

/** What alertmanager.yml is rendered from. */
export interface AlertmanagerInputs {
  /** Where the Slack webhook URL is read (the Docker secret's mount path): never in the file itself. */
  readonly slackWebhookFile: string;
  readonly channels: SlackChannels;
}

/** How often a still-firing group is sent again: a critical alert keeps reminding sooner. */
const REPEAT_INTERVAL: Readonly<Record<AlertSeverity, string>> = { critical: "1h", warning: "4h", info: "24h" };
const SEVERITIES: readonly AlertSeverity[] = ["critical", "warning", "info"];

export const receiverName = (severity: AlertSeverity): string => `slack-${severity}`;

/**
 * alertmanager.yml: one Slack receiver per severity, alerts grouped per alert name and cluster, and the
 * inhibitions that keep a node's loss one message instead of one per target and task on it.
 */
export function alertmanagerYaml(inputs: AlertmanagerInputs): string {
  return withHashHeader(yamlText(alertmanagerConfig(inputs)));
}

function alertmanagerConfig({ slackWebhookFile, channels }: AlertmanagerInputs) {
  return {
    global: {
      // Read when a notification is sent, from the secret Docker mounts: the URL is a credential.
      slack_api_url_file: slackWebhookFile,
      resolve_timeout: "5m",
    },
    route: {
      // An alert without a known severity is still sent, as a warning.
      receiver: receiverName("warning"),
      group_by: ["alertname", "cluster"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: REPEAT_INTERVAL.warning,
      routes: SEVERITIES.map((severity) => ({
        receiver: receiverName(severity),
        matchers: [`severity="${severity}"`],
        // A critical alert goes out at once; the others wait for their group to gather.
        ...(severity === "critical" ? { group_wait: "10s" } : {}),
        repeat_interval: REPEAT_INTERVAL[severity],
      })),
    },
    inhibit_rules: [
      // A node down explains its targets being down (dockerd, exporters on its host network: instance=<hostname>)
      // and the tasks on it (their targets carry the node's hostname in `node`). NodeDown carries both labels.
      ...["instance", NODE_LABEL].map((label) => ({
        source_matchers: ['alertname="NodeDown"'],
        target_matchers: ['alertname!="NodeDown"'],
        equal: ["cluster", label],
      })),
      // The critical alert of a thing says enough: its warnings wait.
      {
        source_matchers: ['severity="critical"'],
        target_matchers: ['severity=~"warning|info"'],
        equal: ["cluster", "alertname", "instance"],
      },
    ],
    receivers: SEVERITIES.map((severity) => ({
      name: receiverName(severity),
      slack_configs: [
        {
          channel: channels[severity],
          send_resolved: true,
          title: `[{{ .Status | toUpper }}{{ if eq .Status "firing" }}:{{ .Alerts.Firing | len }}{{ end }}] {{ .CommonLabels.alertname }} ({{ .CommonLabels.cluster }})`,
          text: "{{ range .Alerts }}*{{ .Labels.severity }}* {{ .Annotations.summary }}\n{{ .Annotations.description }}\n{{ end }}",
        },
      ],
    })),
  };
}
