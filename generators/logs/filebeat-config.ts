import { yamlText } from "../../src/core/yaml-text.js";
import { withHashHeader } from "../../src/synth/header.js";
import { FILEBEAT_WRITER, LIFECYCLE_POLICY } from "./lifecycle.js";

/** Where the host's files appear inside the Filebeat container. */
export const FILEBEAT_MOUNTS = {
  containers: "/var/lib/docker/containers",
  dockerSocket: "/var/run/docker.sock",
  journal: "/var/log/journal",
  hostLogs: "/hostfs/var/log",
  machineId: "/etc/machine-id",
} as const;

/** Where Packetbeat writes its events on each host, for Filebeat to ship (under /var/log). */
export const PACKETBEAT_LOG_DIR = "/var/log/packetbeat";

export interface FilebeatInputs {
  readonly endpoints: readonly string[];
  readonly replicas: number;
  /** systemd units of the host whose journal Filebeat ships besides the system module's. */
  readonly journaldUnits: readonly string[];
  /** Whether Packetbeat runs on some node (its files are then shipped). */
  readonly packetbeat: boolean;
}

/**
 * filebeat.yml: container logs through Docker autodiscover with hints (a container's labels choose a module,
 * e.g. nginx or mysql; any other container's log is read as is), the system and auditd modules, the journal,
 * and Packetbeat's event files; written to the engine as the writer user, whose password comes from the
 * environment (the start script reads it from its secret).
 */
export function filebeatYaml(inputs: FilebeatInputs): string {
  const journald = [
    // Same field, so the journal ORs them: the kernel's messages and the audit records journald receives.
    { type: "journald", id: "host-kernel-audit", include_matches: { match: ["_TRANSPORT=kernel", "_TRANSPORT=audit"] } },
    ...(inputs.journaldUnits.length > 0
      ? [{ type: "journald", id: "host-units", include_matches: { match: inputs.journaldUnits.map((unit) => `_SYSTEMD_UNIT=${unit}`) } }]
      : []),
  ];
  const packetbeat = inputs.packetbeat
    ? [
        {
          type: "filestream",
          id: "packetbeat",
          paths: [`${FILEBEAT_MOUNTS.hostLogs}/packetbeat/packetbeat*.ndjson`],
          // Packetbeat's events are complete documents: their fields replace Filebeat's own.
          parsers: [{ ndjson: { target: "", overwrite_keys: true, add_error_key: true } }],
          tags: ["packetbeat"],
        },
      ]
    : [];
  const config = {
    "filebeat.autodiscover": {
      providers: [
        {
          type: "docker",
          "hints.enabled": true,
          "hints.default_config": {
            type: "container",
            paths: [`${FILEBEAT_MOUNTS.containers}/\${data.docker.container.id}/*.log`],
          },
        },
      ],
    },
    "filebeat.modules": [
      {
        // Flatcar has no syslog daemon: the system module reads the journal.
        module: "system",
        syslog: { enabled: true, "var.use_journald": true },
        auth: { enabled: true, "var.use_journald": true },
      },
      { module: "auditd", log: { enabled: true, "var.paths": [`${FILEBEAT_MOUNTS.hostLogs}/audit/audit.log*`] } },
    ],
    "filebeat.inputs": [...journald, ...packetbeat],
    processors: [{ add_host_metadata: { when: { not: { contains: { tags: "forwarded" } } } } }],
    "output.elasticsearch": {
      hosts: [...inputs.endpoints],
      username: FILEBEAT_WRITER,
      password: "${FILEBEAT_PASSWORD}",
    },
    // The one-shot installs the policy; Filebeat only names it in its template.
    "setup.ilm.enabled": true,
    "setup.ilm.policy_name": LIFECYCLE_POLICY,
    "setup.ilm.check_exists": false,
    "setup.template.settings": {
      "index.number_of_shards": 1,
      "index.number_of_replicas": inputs.replicas,
    },
  };
  return withHashHeader(yamlText(config));
}
