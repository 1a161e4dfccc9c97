import { yamlText } from "../../src/core/yaml-text.js";
import { withHashHeader } from "../../src/synth/header.js";
import { bashScript, shellWord } from "../shell.js";
import { renderUnit } from "../systemd/unit-text.js";
import { PACKETBEAT_LOG_DIR } from "./filebeat-config.js";

export const PACKETBEAT_CONFIG = "/etc/packetbeat/packetbeat.yml";
export const PACKETBEAT_SCRIPT = "/opt/bin/packetbeat-run.sh";
export const PACKETBEAT_UNIT = "packetbeat.service";
const CONTAINER = "packetbeat";

/** Ports whose traffic Packetbeat decodes, by protocol: the stack's own (web, MySQL, the engine, DNS). */
export const PACKETBEAT_PROTOCOLS = [
  { type: "dns", ports: [53] },
  { type: "http", ports: [80, 8080, 9200, 5601] },
  { type: "tls", ports: [443, 2376, 2379, 2380] },
  { type: "mysql", ports: [3306] },
] as const;

/**
 * packetbeat.yml: flows and the protocols above on every interface, written as rotated NDJSON files under
 * /var/log/packetbeat, which Filebeat ships. Packetbeat runs outside Swarm, where Docker secrets do not reach,
 * so it holds no credential of the engine at all.
 */
export function packetbeatYaml(): string {
  const config = {
    "packetbeat.interfaces.device": "any",
    "packetbeat.flows": { timeout: "30s", period: "10s" },
    "packetbeat.protocols": PACKETBEAT_PROTOCOLS.map((protocol) => ({ type: protocol.type, ports: [...protocol.ports] })),
    "output.file": {
      path: PACKETBEAT_LOG_DIR,
      filename: "packetbeat",
      rotate_every_kb: 10240,
      number_of_files: 7,
      permissions: "0600",
    },
  };
  return withHashHeader(yamlText(config));
}

/**
 * The seed's deployPacketbeat.sh as a script its unit runs: Packetbeat in a container on the host's network
 * with the capabilities a packet capture needs, which a Swarm stack cannot grant. In the foreground, so that
 * systemd supervises it.
 */
export function packetbeatScript(image: string): string {
  const run = [
    "--rm",
    `--name=${CONTAINER}`,
    "--network=host",
    "--cap-drop=ALL",
    "--cap-add=NET_RAW",
    "--cap-add=NET_ADMIN",
    "--read-only",
    "--tmpfs=/tmp",
    `--volume=${PACKETBEAT_CONFIG}:/usr/share/packetbeat/packetbeat.yml:ro`,
    `--volume=${PACKETBEAT_LOG_DIR}:${PACKETBEAT_LOG_DIR}`,
    "--volume=/var/lib/packetbeat:/usr/share/packetbeat/data",
    "--user=root",
    image,
    "-e",
  ];
  return bashScript(
    ["Packetbeat on the host network (the seed's elk/deployPacketbeat.sh), run by packetbeat.service."],
    [
      `mkdir -p ${PACKETBEAT_LOG_DIR} /var/lib/packetbeat`,
      `chmod 0700 ${PACKETBEAT_LOG_DIR}`,
      "# A container left over from a crash would hold the name.",
      `docker rm --force ${CONTAINER} >/dev/null 2>&1 || true`,
      `exec docker run ${run.map(shellWord).join(" \\\n  ")}`,
    ],
  );
}

export function packetbeatUnit(): string {
  return renderUnit({
    Unit: [
      ["Description", "Packetbeat on the host network, writing to /var/log/packetbeat for Filebeat"],
      ["Wants", "network-online.target"],
      ["After", "network-online.target docker.service"],
      ["Requires", "docker.service"],
    ],
    Service: [
      ["ExecStart", `/usr/bin/bash ${PACKETBEAT_SCRIPT}`],
      ["ExecStop", `/usr/bin/docker stop ${CONTAINER}`],
      ["Restart", "always"],
      ["RestartSec", "10s"],
    ],
    Install: [["WantedBy", "multi-user.target"]],
  });
}
