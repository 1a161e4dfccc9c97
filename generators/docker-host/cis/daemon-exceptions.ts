/**
 * The reasons for the daemon items this cluster does not meet. Written beside daemon.json on every node
 * (daemon.json.exceptions: dockerd refuses unknown keys, so daemon.json cannot carry them) and in the report.
 */
export const DAEMON_EXCEPTIONS = {
  "2.1":
    "dockerd runs as root: a rootless daemon cannot run Swarm mode's overlay and ingress networking, and the seed's host agents (node-exporter, the Portainer agent) need a root daemon",
  "2.9":
    "no userns-remap: Swarm services cannot opt out of it per service, and node-exporter (the host's /proc, /sys, /) and the Portainer agent (the Docker socket, the volumes) must see host-owned files as root",
  "2.12":
    "no authorization plugin: the local socket is root's and the docker group's (empty), and the TCP API on managers requires a client certificate of the docker-api CA",
  "2.13":
    "logs stay in json-file, rotated: `docker service logs` reads them, and the seed ships them to its log stack with filebeat from those files rather than through a remote log driver",
  "2.15": "live-restore stays off: Swarm mode refuses it (dockerd fails `swarm init` and `swarm join` with it set)",
} as const;

/** daemon.json.exceptions: why the daemon.json beside it leaves these CIS items unmet. */
export function daemonExceptionsText(): string {
  const lines = [
    "# CIS Docker Benchmark items the daemon.json beside this file does not meet, and why.",
    "# (daemon.json cannot say it: dockerd refuses keys it does not know.) The whole check: out/analysis/cis-docker.md.",
    ...Object.entries(DAEMON_EXCEPTIONS).map(([item, reason]) => `${item}: ${reason}`),
  ];
  return `${lines.join("\n")}\n`;
}
