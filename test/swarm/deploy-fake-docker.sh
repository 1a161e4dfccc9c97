#!/usr/bin/env bash
# A stand-in `docker` for deploy.system.test.ts: keeps a Swarm's networks, secrets and services in files under
# $FAKE_STATE, records every call with the DOCKER_HOST it was given (calls), the deploys and Galera status reads
# in order (events), and answers the queries deploy.sh and the scripts it runs make. Nothing leaves the machine.
# Knobs, files of names in $FAKE_STATE: stuck (services that never run their replicas, their tasks rejected),
# unplaced (services whose tasks stay New, with no error), never-synced (members
# whose server never says Synced), rolled-back (services whose update Swarm rolls back).
set -euo pipefail
S="$FAKE_STATE"
printf '%s\t%s\n' "${DOCKER_HOST:-}" "$*" >>"$S/calls"
listed() { grep -qxF -- "$1" "$S/$2" 2>/dev/null; }
last="${*: -1}"
case "$1 ${2:-}" in
  "info --format") echo "${FAKE_CONTROL:-true}" ;;
  "network inspect") listed "$last" networks || exit 1 ;;
  "network create") echo "$last" >>"$S/networks" ;;
  "node update") ;;
  "secret inspect") listed "$last" secrets || exit 1 ;;
  "secret create")
    cat >/dev/null
    echo "$3" >>"$S/secrets"
    ;;
  "secret ls") cat "$S/secrets" ;;
  "stack deploy")
    if [ "$3" = --help ]; then
      echo "  -d, --detach   Exit immediately instead of waiting for the stack services to converge"
      exit 0
    fi
    file=""
    args=("$@")
    for i in "${!args[@]}"; do
      if [ "${args[$i]}" = -c ]; then file="${args[$((i + 1))]}"; fi
    done
    # Every config file the stack file names must be where docker looks: relative to the stack file.
    while read -r config; do
      [ -f "$(dirname "$file")/$config" ] || { echo "fake docker: $file names $config, which is not there" >&2; exit 1; }
    done < <(awk '$1 == "file:" { print $2 }' "$file")
    while read -r service; do
      name="${last}_$service"
      listed "$name" services || echo "$name" >>"$S/services"
      printf 'deploy\t%s\t%s\t%s\n' "$name" "$file" "${DOCKER_HOST:-}" >>"$S/events"
    done < <(awk '/^services:/ { on = 1; next } /^[^ #]/ { on = 0 } on && /^  [^ #]/ { sub(/^  /, ""); sub(/:$/, ""); print }' "$file")
    ;;
  "stack services")
    { grep "^$3_" "$S/services" || true; } | while read -r name; do
      if listed "$name" stuck || listed "$name" unplaced; then echo "$name 0/2"; else echo "$name 2/2 (max 1 per node)"; fi
    done
    ;;
  "service inspect")
    listed "$last" services || exit 1
    if [[ "$*" == *UpdateStatus.Message* ]]; then
      echo "update rolled back due to failure or early termination of task abc"
    elif listed "$last" rolled-back; then
      echo "$last rollback_completed 2026-01-01 00:00:00 +0000 UTC"
    else
      echo "$last completed 2026-01-01 00:00:00 +0000 UTC"
    fi
    ;;
  "service ps")
    # A stuck service's tasks are rejected, each with the reason Swarm gives; the others' run.
    if [[ "$*" == *"{{.Error}}"* ]]; then
      if listed "$last" stuck; then printf '%s\n' '"no suitable node (scheduling constraints not satisfied on 3 nodes)"' '' '"no suitable node (scheduling constraints not satisfied on 3 nodes)"'; fi
    elif listed "$last" unplaced; then
      printf '%s\n' "New 45 seconds ago" "New 45 seconds ago"
    else
      echo "Running 2 seconds ago"
    fi
    ;;
  "ps --filter")
    service="$(sed -n 's/.*label=com\.docker\.swarm\.service\.name=\([^ ]*\).*/\1/p' <<<"$*")"
    listed "$service" services || exit 0
    echo "c-$service"
    ;;
  "exec "*)
    service="${2#c-}"
    [ "$last" = extended-status ] || { echo "fake docker: exec $* does not read the status" >&2; exit 2; }
    # A member answers Joined the first time it is asked, then Synced (unless it never syncs).
    if listed "$service" never-synced || ! grep -q "^status	$service	" "$S/events"; then state=Joined; else state=Synced; fi
    printf 'status\t%s\t%s\t%s\n' "$service" "$state" "${DOCKER_HOST:-}" >>"$S/events"
    echo "| wsrep_local_state_comment                        | $state |"
    ;;
  *)
    echo "fake docker: unexpected $*" >&2
    exit 2
    ;;
esac
