import type { OverlayNetwork } from "../../src/model/network.js";
import { bashScript, shellWord } from "../shell.js";

/**
 * `swarm/networks.sh`: creates every overlay the stacks reference as external. Idempotent, because an
 * overlay cannot be changed in place: an existing one is left alone, and a subnet that differs from the
 * model's (subnet, MTU or encryption) is reported, since fixing it means removing the network with every
 * service detached.
 */
/** What `docker network inspect` shows of the settings fixed at creation, in the form signature() writes. */
const INSPECT_FORMAT =
  '{{range .IPAM.Config}}{{.Subnet}}{{end}} mtu={{index .Options "com.docker.network.driver.mtu"}}' +
  '{{range $key, $value := .Options}}{{if eq $key "encrypted"}} encrypted{{end}}{{end}}';

function signature(network: OverlayNetwork): string {
  return `${network.subnet} mtu=${network.mtu}${network.encrypted ? " encrypted" : ""}`;
}

export function networksScript(networks: readonly OverlayNetwork[]): string {
  const body = [
    "# Warns when an existing overlay differs from the model: subnet, MTU and encryption are fixed at creation.",
    "check_network() {",
    '  local name="$1" expected="$2" actual',
    `  actual="$(docker network inspect --format '${INSPECT_FORMAT}' "$name")"`,
    '  if [ "$actual" != "$expected" ]; then',
    "    echo \"warning: overlay $name is '$actual', the model says '$expected'; remove and recreate it to change it\" >&2",
    "  fi",
    "}",
    "",
  ];
  for (const network of networks) {
    const name = shellWord(network.name);
    const options = [
      "--driver overlay",
      // Attachable so one-off containers (backups, debugging) can join the overlay like a service would.
      "--attachable",
      `--subnet ${shellWord(network.subnet)}`,
      ...(network.encrypted ? ["--opt encrypted"] : []),
      `--opt com.docker.network.driver.mtu=${network.mtu}`,
    ];
    body.push(
      `if docker network inspect ${name} >/dev/null 2>&1; then`,
      `  check_network ${name} ${shellWord(signature(network))}`,
      "else",
      `  docker network create ${options.join(" ")} ${name}`,
      "fi",
      "",
    );
  }
  return bashScript(
    [
      "Creates the cluster's overlay networks; run once on a Swarm manager before the first `docker stack deploy`.",
      "Safe to re-run: networks that exist are kept.",
    ],
    body.slice(0, -1),
  );
}
