/**
 * Filebeat's own names, kept as data so that filebeat.yml and the autodiscover hints are checked against what
 * Filebeat 8.19 knows rather than against our memory of it. Sources (Filebeat Reference 8.19):
 * - modules and their filesets: https://www.elastic.co/guide/en/beats/filebeat/8.19/filebeat-modules.html
 *   and each module's page (filebeat-module-<name>.html);
 * - input types: https://www.elastic.co/guide/en/beats/filebeat/8.19/configuration-filebeat-options.html;
 * - hint labels: https://www.elastic.co/guide/en/beats/filebeat/8.19/configuration-autodiscover-hints.html.
 * Only the modules this family configures are listed, each with every fileset its page documents.
 */
export const FILEBEAT_SOURCE = "https://www.elastic.co/guide/en/beats/filebeat/8.19/";

export const FILEBEAT_MODULES = {
  nginx: ["access", "error", "ingress_controller"],
  mysql: ["error", "slowlog"],
  system: ["syslog", "auth"],
  auditd: ["log"],
} as const satisfies Readonly<Record<string, readonly string[]>>;

export type FilebeatModule = keyof typeof FILEBEAT_MODULES;

/** The input types of the 8.19 reference (`log` is deprecated there in favour of `filestream`). */
export const FILEBEAT_INPUT_TYPES = [
  "aws-cloudwatch",
  "aws-s3",
  "azure-eventhub",
  "azure-blob-storage",
  "benchmark",
  "cel",
  "cloudfoundry",
  "cometd",
  "container",
  "entity-analytics",
  "etw",
  "filestream",
  "gcp-pubsub",
  "gcs",
  "http_endpoint",
  "httpjson",
  "journald",
  "kafka",
  "log",
  "mqtt",
  "net-netflow",
  "o365audit",
  "redis",
  "salesforce",
  "stdin",
  "streaming",
  "syslog",
  "tcp",
  "udp",
  "unix",
  "winlog",
] as const;

/** The autodiscover hint labels (`co.elastic.logs/<key>`) the family writes. */
export const FILEBEAT_HINT_KEYS = ["enabled", "module", "fileset", "fileset.stdout", "fileset.stderr"] as const;
