#!/usr/bin/env bash
# The lab's SWARM_SSH: called like ssh (`node-ssh.sh -o BatchMode=yes core@<private address> <command>`), it
# runs the command with bash inside that node's network namespace, against that node's dockerd, the way the
# node's login shell would. LAB_DIR names the lab (scripts/lab/lab.sh sets it). Nothing leaves the machine.
set -euo pipefail
: "${LAB_DIR:?LAB_DIR is not set}"
while [ "${1:-}" = -o ]; do shift 2; done
target="${1:?no user@host}"
shift
[ "${target%%@*}" = core ] || { echo "node-ssh: expected user core, got $target" >&2; exit 255; }
ip="${target#*@}"
node="$(awk -v ip="$ip" '$2 == ip { print $1 }' "$LAB_DIR/nodes")"
if [ -z "$node" ]; then
  echo "node-ssh: no lab node has the address $ip" >&2
  exit 255
fi
ns="$(awk -v node="$node" '$1 == node { print $4 }' "$LAB_DIR/nodes")"
# A cut link makes ssh to the node fail, as it would on the real network.
if [ -e "$LAB_DIR/$node/cut" ]; then
  echo "ssh: connect to host $ip port 22: No route to host" >&2
  exit 255
fi
exec nsenter --net="/run/netns/$ns" env DOCKER_HOST="unix://$LAB_DIR/$node/docker.sock" bash -c "$*"
