#!/bin/bash
# The lab's /entrypoint.sh in the image of the Galera members (scripts/lab/adapt.mjs, adaptation
# pxc-entrypoint): the generated start script (stacks/db/xtradb-start.sh) ends with
# `exec /entrypoint.sh "$@"`, the entrypoint of Percona XtraDB Cluster's image, which the lab cannot pull.
# This one does with Debian's MariaDB what that entrypoint does with the variables the stack sets:
# - a member that bootstraps (CLUSTER_JOIN empty) on an empty data dir initialises it (root on the local
#   socket, no password: MYSQL_ALLOW_EMPTY_PASSWORD), starts a server without networking or replication,
#   sources every /docker-entrypoint-initdb.d/*.sh with the client command in the array `mysql` (root over
#   the socket), stops that server;
# - a data dir without a position in grastate.dat gets it from InnoDB (--wsrep-recover), as PXC's does;
# - then it runs the server as `mysql` in cluster CLUSTER_NAME: with --wsrep-new-cluster when CLUSTER_JOIN is
#   empty, else joining gcomm://$CLUSTER_JOIN (a joiner with an empty data dir receives a full copy, SST).
# The Galera provider, wsrep_on and the settings PXC's image has in its own my.cnf are in the image's
# /etc/mysql/mariadb.conf.d/ (adapt.mjs writes them); the generated drop-in, adapted, is read after them.
set -eo pipefail

if [[ ${1:-} != mysqld && ${1:-} != mariadbd ]]; then exec "$@"; fi

datadir=/var/lib/mysql
socket=/run/mysqld/mysqld.sock
mkdir -p /run/mysqld "$datadir"
chown mysql:mysql /run/mysqld
chown -R mysql:mysql "$datadir"

if [[ -z ${CLUSTER_JOIN:-} && ! -d $datadir/mysql ]]; then
  if [[ -z ${MYSQL_ROOT_PASSWORD:-} && -z ${MYSQL_ALLOW_EMPTY_PASSWORD:-} ]]; then
    echo >&2 "entrypoint: the data dir is empty and neither MYSQL_ROOT_PASSWORD nor MYSQL_ALLOW_EMPTY_PASSWORD is set"
    exit 1
  fi
  echo >&2 "entrypoint: initialising $datadir"
  if ! output=$(mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --wsrep_on=OFF --wsrep_provider=none 2>&1); then
    echo >&2 "$output"
    exit 1
  fi
  "$@" --user=mysql --skip-networking --socket="$socket" --wsrep_on=OFF --wsrep_provider=none &
  pid=$!
  # The array the init scripts use, as PXC's entrypoint names it.
  mysql=(mysql --protocol=socket -uroot -hlocalhost --socket="$socket")
  for ((i = 0; ; i++)); do
    if echo 'SELECT 1' | "${mysql[@]}" >/dev/null 2>&1; then break; fi
    if ((i >= 120)) || ! kill -0 "$pid" 2>/dev/null; then
      echo >&2 "entrypoint: the initialising server did not start"
      exit 1
    fi
    sleep 1
  done
  for f in /docker-entrypoint-initdb.d/*.sh; do
    [[ -e $f ]] || continue
    echo >&2 "entrypoint: running $f"
    # shellcheck disable=SC1090 # the stack's init scripts, sourced as PXC's entrypoint sources them
    . "$f"
  done
  if ! kill -TERM "$pid" || ! wait "$pid"; then
    echo >&2 "entrypoint: the initialising server did not stop cleanly"
    exit 1
  fi
  echo >&2 "entrypoint: $datadir initialised"
fi

options=(--user=mysql "--wsrep_cluster_name=${CLUSTER_NAME:-}")
if [[ -z ${CLUSTER_JOIN:-} ]]; then
  options+=(--wsrep-new-cluster --wsrep_cluster_address=gcomm://)
else
  options+=("--wsrep_cluster_address=gcomm://$CLUSTER_JOIN")
fi
# A data dir whose grastate.dat holds no position (seqno -1: the server ran, or stopped before writing it) gets
# its position from InnoDB (--wsrep-recover, which needs the cluster address too), as PXC's entrypoint does:
# without it the member joins as if it had no state and needs a full copy, even when its data is the group's.
seqno=$(sed -n 's/^seqno:[[:space:]]*//p' "$datadir/grastate.dat" 2>/dev/null || true)
if [[ -d $datadir/mysql && ${seqno:--1} == -1 ]]; then
  recovery_log=$(mktemp "$datadir/wsrep-recover.XXXXXX")
  chown mysql:mysql "$recovery_log"
  "$@" "${options[@]}" --wsrep-recover --log-error="$recovery_log" || true
  position=$(sed -n 's/.*WSREP: Recovered position:[[:space:]]*//p' "$recovery_log" | tail -1)
  if [[ -n $position ]]; then
    echo >&2 "entrypoint: recovered position $position"
    options+=("--wsrep_start_position=$position")
  else
    echo >&2 "entrypoint: no position recovered from the data dir:"
    cat >&2 "$recovery_log"
  fi
  rm -f "$recovery_log"
fi
echo >&2 "entrypoint: exec $* ${options[*]}"
exec "$@" "${options[@]}"
