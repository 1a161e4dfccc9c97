import type { Node } from "../../src/model/node.js";
import { bashScript, shellWord, SSH_COMMAND_SETUP, SSH_USER } from "../shell.js";

/** Swarm's control-plane port (FACTS: Swarm 2377). */
const SWARM_PORT = 2377;
/** The account Ignition installs the cluster's SSH keys for (generators/ignition/node-config.ts). */

/**
 * `swarm/bootstrap.sh`: forms the Swarm from the operator's workstation over SSH, as the seed's Ansible did
 * with its "swarm-advertiser": the first manager in declaration order initialises it, every other node
 * joins through it, then each node's role is checked against the model. Every Swarm address is the node's
 * private one: with two NICs Swarm would advertise the address of the default route, the public one, which
 * the host firewall drops.
 */
export function bootstrapScript(nodes: readonly Node[]): string {
  const first = nodes.find((node) => node.swarmRole === "manager");
  if (!first) {
    return bashScript(
      ["Would form the Swarm, but the model declares no manager (see analysis/ha-report.md)."],
      ['echo "error: cluster.config.ts declares no Swarm manager; give at least one node swarmRole: \\"manager\\"" >&2', "exit 1"],
    );
  }
  const managers = nodes.filter((node) => node.swarmRole === "manager").length;
  const data = [
    "# Every node: hostname, private address, Swarm role. The first manager initialises the Swarm; the others",
    "# join through it.",
    "NODES=(",
    ...nodes.map((node) => `  ${shellWord(`${node.hostname} ${node.privateIp} ${node.swarmRole}`)}`),
    ")",
    `FIRST_MANAGER=${shellWord(first.hostname)}`,
    `FIRST_MANAGER_IP=${shellWord(first.privateIp)}`,
    `SWARM_PORT=${SWARM_PORT}`,
    "",
  ];
  return bashScript(
    [
      `Forms the Swarm from the operator's workstation, over SSH as ${SSH_USER} to each node's private address:`,
      `initialises it on ${first.hostname}, joins every other node, then promotes or demotes nodes whose role`,
      "differs from the model. Run it first, then networks.sh and labels.sh, then the stacks. Safe to re-run:",
      "nodes already in a Swarm are left alone. Join tokens stay in shell variables: never on disk or printed.",
      'SWARM_SSH: the ssh command, split into words (default ssh; e.g. "ssh -J bastion" when the private',
      "network is not routed to this machine). BatchMode is on: the nodes' host keys must be known already.",
      "SWARM_READY_TIMEOUT: seconds to wait for joined nodes to show as Ready (default 60).",
    ],
    [
      ...SSH_COMMAND_SETUP,
      "SWARM_READY_TIMEOUT=${SWARM_READY_TIMEOUT:-60}",
      "",
      ...data,
      ...functions(),
      ...formSwarm(),
      ...checkRoles(),
      `echo "Swarm formed: ${nodes.length} nodes, ${managers} managers, roles as the model says"`,
    ],
  );
}

function functions(): string[] {
  return [
    "# Runs a command on a node. Over its private address: SSH may be closed on the public one.",
    "on() {",
    '  local ip="$1"',
    "  shift",
    `  "\${ssh_command[@]}" -o BatchMode=yes "${SSH_USER}@$ip" "$@" </dev/null`,
    "}",
    "",
    "# Binds Swarm's control plane, gossip and data path to the private address.",
    "addresses() {",
    '  echo "--advertise-addr $1 --data-path-addr $1 --listen-addr $1:$SWARM_PORT"',
    "}",
    "",
    "swarm_state() {",
    `  on "$1" "docker info --format '{{.Swarm.LocalNodeState}}'"`,
    "}",
    "",
    "# `docker swarm join` takes the token only as an argument. It travels on ssh's stdin and the node's shell",
    "# puts it in the argument list, so it is never in this machine's process list or in the ssh command line.",
    "# On the node it shows in the process list while the join runs (seconds): acceptable, because only core and",
    "# root log in there and the node is not in the Swarm yet, so no service task runs beside it.",
    "join() {",
    '  local ip="$1" token="$2"',
    `  printf '%s\\n' "$token" | "\${ssh_command[@]}" -o BatchMode=yes "${SSH_USER}@$ip" \\`,
    '    "read -r token && docker swarm join --token \\"\\$token\\" $(addresses "$ip") $FIRST_MANAGER_IP:$SWARM_PORT"',
    "}",
    "",
    "# Ready nodes as `id hostname manager-status` (empty on workers). A reinstalled node leaves a Down entry",
    "# under its hostname beside the new one: only Ready entries count, and changes go by id.",
    "ready_nodes() {",
    `  on "$FIRST_MANAGER_IP" "docker node ls --format '{{.ID}} {{.Hostname}} {{.Status}} {{.ManagerStatus}}'" |`,
    `    awk '$3 == "Ready" { print $1, $2, $4 }'`,
    "}",
    "",
  ];
}

function formSwarm(): string[] {
  return [
    'state="$(swarm_state "$FIRST_MANAGER_IP")"',
    'case "$state" in',
    '  active) echo "$FIRST_MANAGER: in a Swarm" ;;',
    "  inactive)",
    '    echo "$FIRST_MANAGER: initialising the Swarm on $FIRST_MANAGER_IP"',
    "    # Its output repeats the worker join command, token included: keep it off the terminal.",
    '    on "$FIRST_MANAGER_IP" "docker swarm init $(addresses "$FIRST_MANAGER_IP")" >/dev/null',
    "    ;;",
    "  *)",
    `    echo "error: $FIRST_MANAGER is in Swarm state '$state'; see docker info there, then re-run" >&2`,
    "    exit 1",
    "    ;;",
    "esac",
    "",
    'manager_token="$(on "$FIRST_MANAGER_IP" "docker swarm join-token -q manager")"',
    'worker_token="$(on "$FIRST_MANAGER_IP" "docker swarm join-token -q worker")"',
    "",
    "# A node that cannot be reached or joined is reported and skipped; the check below fails naming it.",
    'for entry in "${NODES[@]}"; do',
    '  read -r host ip role <<<"$entry"',
    '  if [ "$host" = "$FIRST_MANAGER" ]; then continue; fi',
    '  if ! state="$(swarm_state "$ip")"; then',
    '    echo "error: cannot read the Swarm state of $host over ssh to $ip" >&2',
    "    continue",
    "  fi",
    '  case "$state" in',
    '    active) echo "$host: in a Swarm" ;;',
    "    inactive)",
    '      echo "$host: joining as $role"',
    '      if [ "$role" = manager ]; then token="$manager_token"; else token="$worker_token"; fi',
    '      join "$ip" "$token" || echo "error: $host failed to join the Swarm" >&2',
    "      ;;",
    `    *) echo "error: $host is in Swarm state '$state'; see docker info there, then re-run" >&2 ;;`,
    "  esac",
    "done",
    "",
  ];
}

function checkRoles(): string[] {
  return [
    "# A join returns before the manager lists the node as Ready: wait for every node, up to the timeout.",
    "deadline=$((SECONDS + SWARM_READY_TIMEOUT))",
    "while :; do",
    '  listing="$(ready_nodes)"',
    "  missing=()",
    '  for entry in "${NODES[@]}"; do',
    '    read -r host _ _ <<<"$entry"',
    `    awk -v host="$host" '$2 == host { found = 1 } END { exit !found }' <<<"$listing" || missing+=("$host")`,
    "  done",
    '  if [ "${#missing[@]}" -eq 0 ] || [ "$SECONDS" -ge "$deadline" ]; then break; fi',
    "  sleep 2",
    "done",
    "",
    "failed=0",
    "promote=()",
    "demote=()",
    'for entry in "${NODES[@]}"; do',
    '  read -r host _ role <<<"$entry"',
    `  found="$(awk -v host="$host" '$2 == host { print $1, $3; exit }' <<<"$listing")"`,
    '  if [ -z "$found" ]; then continue; fi',
    '  read -r id status <<<"$found"',
    '  case "${status:-}" in',
    '    "") actual=worker ;;',
    "    Leader | Reachable) actual=manager ;;",
    '    *) echo "error: manager $host is $status; bring it back before changing roles" >&2; failed=1; continue ;;',
    "  esac",
    '  if [ "$actual" = "$role" ]; then continue; fi',
    '  if [ "$role" = manager ]; then promote+=("$id $host"); else demote+=("$id $host"); fi',
    "done",
    "",
    "# Promotions first, so the number of managers never drops below the model's on the way.",
    'for change in ${promote[@]+"${promote[@]}"}; do',
    '  read -r id host <<<"$change"',
    '  echo "$host: promoting to manager"',
    '  on "$FIRST_MANAGER_IP" "docker node promote $id" >/dev/null',
    "done",
    'for change in ${demote[@]+"${demote[@]}"}; do',
    '  read -r id host <<<"$change"',
    '  echo "$host: demoting to worker"',
    '  on "$FIRST_MANAGER_IP" "docker node demote $id" >/dev/null',
    "done",
    "",
    'if [ "${#missing[@]}" -gt 0 ]; then',
    '  echo "error: not Ready in the Swarm after ${SWARM_READY_TIMEOUT}s: ${missing[*]}" >&2',
    "  exit 1",
    "fi",
    'if [ "$failed" -ne 0 ]; then exit 1; fi',
  ];
}
