#!/usr/bin/env bash
# A real multi-node Docker Swarm on this machine, formed from the generated files of a build (out/).
# Every node of the cluster gets its own network namespace (its private address on eth1, linked through a
# bridge in a "switch" namespace, no default route) and its own UTS namespace (its hostname), and a dockerd
# of its own started with the node's generated daemon.json (vfs storage, roots and socket in the lab folder).
# The Swarm is formed by the generated swarm/bootstrap.sh (SWARM_SSH runs commands inside the nodes),
# then networks.sh, labels.sh and secrets.sh (test values) run against the first manager, and the stacks are
# deployed with stand-in images. What this machine cannot do is adapted in copies, listed in adapt.mjs.
#
#   lab.sh hold [out-dir]        form the lab, print "READY <lab-dir>", keep it until stdin ends or a
#                                signal, then remove everything it made (also after a failure or Ctrl-C)
#   lab.sh up [out-dir]          form the lab and leave it running; prints the lab folder
#   lab.sh down <lab-dir>        remove a lab: its daemons, mounts, namespaces, cgroups and files
#   lab.sh cut|heal <lab-dir> <node>   take a node's link down (not a clean stop) or bring it back
#
# LAB_DEPLOY=0 stops after the Swarm, networks, labels and secrets (no stacks).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
log() { printf 'lab: %s\n' "$*" >&2; }

# ---- teardown ---------------------------------------------------------------------------------------------

# True when pid $1 runs a program whose command line mentions the lab folder $2 (a recorded pid may have
# been reused by an unrelated process after ours exited).
ours() {
  local pid="$1" dir="$2"
  [ -r "/proc/$pid/cmdline" ] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$dir"
}

down() {
  local dir="$1"
  [ -f "$dir/lab" ] || { log "$dir is not a lab folder"; return 1; }
  local id
  id="$(cat "$dir/lab")"
  local pids=() node ns pid
  # Daemons first, all at once: each stops its containers, then its containerd.
  if [ -f "$dir/nodes" ]; then
    while read -r node _ _ ns _; do
      if [ -f "$dir/$node/pid" ]; then
        pid="$(cat "$dir/$node/pid")"
        if ours "$pid" "$dir"; then
          kill -TERM "$pid" 2>/dev/null || true
          pids+=("$pid")
        fi
      fi
    done <"$dir/nodes"
  fi
  local deadline=$((SECONDS + 30))
  for pid in ${pids[@]+"${pids[@]}"}; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if ours "$pid" "$dir"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  # What the daemons left: processes in the node namespaces (containerd, shims) and in the nodes'
  # cgroups (task processes). Both are the lab's own: it made those namespaces and cgroups.
  if [ -f "$dir/nodes" ]; then
    while read -r node _ _ ns _; do
      if [ -e "/run/netns/$ns" ]; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      fi
    done <"$dir/nodes"
  fi
  local cg
  for cg in /sys/fs/cgroup/*/"$id"-* /sys/fs/cgroup/unified/"$id"-*; do
    [ -d "$cg" ] || continue
    find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null | while read -r pid; do
      kill -KILL "$pid" 2>/dev/null || true
    done
  done
  sleep 0.3
  # Mounts dockerd leaves below the lab folder (its exec-root's netns/*, shm), deepest first.
  local mount_point
  awk -v dir="$dir/" 'index($5, dir) == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r mount_point; do
    umount "$mount_point" 2>/dev/null || umount -l "$mount_point" 2>/dev/null || true
  done
  if [ -f "$dir/nodes" ]; then
    while read -r node _ _ ns _; do
      ip netns del "$ns" 2>/dev/null || true
    done <"$dir/nodes"
  fi
  ip netns del "$id-switch" 2>/dev/null || true
  # Empty cgroup folders, children first.
  for cg in /sys/fs/cgroup/*/"$id"-* /sys/fs/cgroup/unified/"$id"-*; do
    [ -d "$cg" ] || continue
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$dir"
  log "removed $dir"
}

# ---- formation --------------------------------------------------------------------------------------------

docker_on() {
  local node="$1"
  shift
  docker -H "unix://$LAB_DIR/$node/docker.sock" "$@"
}

# Waits until the dockerd of node $1 answers, or its process exits.
wait_daemon() {
  local node="$1" pid deadline=$((SECONDS + 90))
  pid="$(cat "$LAB_DIR/$node/pid")"
  until docker_on "$node" version >/dev/null 2>&1; do
    if ! kill -0 "$pid" 2>/dev/null || [ "$SECONDS" -ge "$deadline" ]; then
      log "dockerd of $node did not start; its log:"
      tail -n 20 "$LAB_DIR/$node/dockerd.log" >&2
      return 1
    fi
    sleep 0.5
  done
}

start_node() {
  local node="$1" ns="$2" d="$LAB_DIR/$1"
  mkdir -p "$d/data" "$d/x"
  # Own network namespace (nsenter, not `ip netns exec`, which remounts /sys and loses the cgroup mounts)
  # and own UTS namespace with the node's hostname. DOCKER_SERVICE_PREFER_OFFLINE_IMAGE: a task uses the
  # local image and never asks a registry. The cgroup parent names the lab, so teardown finds every task.
  # shellcheck disable=SC2016 # $1 and $@ are the inner shell's
  DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 nsenter --net="/run/netns/$ns" \
    unshare --uts sh -c 'echo "$1" >/proc/sys/kernel/hostname; shift; exec "$@"' sh "$node" \
    dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/x" \
    -H "unix://$d/docker.sock" --pidfile "$d/dockerd.pid" --storage-driver vfs --bridge none \
    --cgroup-parent "/$LAB_ID-$node" >"$d/dockerd.log" 2>&1 </dev/null &
  echo "$!" >"$d/pid"
}

# One tiny stand-in rootfs: busybox (Debian's busybox-static), /standin/run that keeps the task alive until
# it is stopped, and the health-check programs the stacks call, which answer "healthy".
standin_rootfs() {
  local root="$LAB_DIR/standin"
  mkdir -p "$root/bin" "$root/standin" "$root/tmp" "$root/etc" "$root/usr/bin" "$root/usr/local/bin"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in sh grep sleep cat ls echo; do ln -s busybox "$root/bin/$applet"; done
  cat >"$root/standin/run" <<'RUN'
#!/bin/sh
# Stand-in task: stays up until Swarm stops it.
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
RUN
  cat >"$root/standin/healthy" <<'OK'
#!/bin/sh
# Stand-in for a health-check client: the stand-in task is up, so it answers "healthy" (curl prints 200,
# mysqladmin's extended-status says the Galera member is Synced).
case "$0" in
  *curl) echo 200 ;;
  *mysqladmin) case " $* " in *" extended-status "*) echo "| wsrep_local_state_comment | Synced |" ;; esac ;;
esac
exit 0
OK
  chmod +x "$root/standin/run" "$root/standin/healthy"
  for applet in curl wget php mysqladmin; do ln -s /standin/healthy "$root/usr/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -cf "$LAB_DIR/standin.tar" .
}

# Images that run their real program: a rootfs of busybox (its sh and wget for the health check), the
# program from the Debian package installed on this machine, laid out as the upstream image has it, and the
# libraries it links (from Debian's libc6).
real_image() {
  local recipe="$1" root="$LAB_DIR/real-$1" program
  mkdir -p "$root/bin" "$root/tmp" "$root/etc"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in sh wget grep cat ls; do ln -s busybox "$root/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  case "$recipe" in
    node-exporter)
      program=/bin/node_exporter
      cp /usr/bin/prometheus-node-exporter "$root$program"
      ;;
    *) log "no recipe for a real image '$recipe'"; return 1 ;;
  esac
  local lib
  for lib in $(ldd "$root$program" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  tar -C "$root" -cf "$LAB_DIR/real-$recipe.tar" .
  echo "$program"
}

load_images() {
  local node="$1" image recipe
  docker_on "$node" import --change 'ENTRYPOINT ["/standin/run"]' "$LAB_DIR/standin.tar" swarm-cluster-lab/standin:1 >/dev/null
  while read -r image; do
    docker_on "$node" tag swarm-cluster-lab/standin:1 "$image"
  done <"$LAB_DIR/images.txt"
  while read -r image recipe; do
    docker_on "$node" import --change "ENTRYPOINT [\"$(cat "$LAB_DIR/real-$recipe.entrypoint")\"]" \
      "$LAB_DIR/real-$recipe.tar" "$image" >/dev/null
  done <"$LAB_DIR/real-images.txt"
}

up() {
  local out="${1:-$repo/out}"
  out="$(cd "$out" && pwd)"
  LAB_DIR="$(mktemp -d /tmp/scl-XXXXXX)"
  LAB_ID="$(basename "$LAB_DIR")"
  export LAB_DIR LAB_ID
  echo "$LAB_ID" >"$LAB_DIR/lab"
  echo "$out" >"$LAB_DIR/source"
  log "lab folder $LAB_DIR, cluster from $out"

  LAB_NOFILE_MAX="$(ulimit -Hn)" node "$here/adapt.mjs" "$out" "$LAB_DIR"

  # The nodes as the generated bootstrap.sh lists them; each one's address and prefix from its generated
  # network unit.
  local i=0 host ip role addr
  : >"$LAB_DIR/nodes"
  while read -r host ip role; do
    i=$((i + 1))
    addr="$(sed -n 's/^Address=//p' "$out/nodes/$host/files/etc/systemd/network/10-private.network" | head -n 1)"
    [ "${addr%/*}" = "$ip" ] || { log "$host: bootstrap.sh says $ip, its network unit $addr"; return 1; }
    echo "$host $ip $role $LAB_ID-$i p$i $addr" >>"$LAB_DIR/nodes"
  done < <(sed -n '/^NODES=(/,/^)/p' "$out/swarm/bootstrap.sh" | sed -n "s/^ *'\(.*\)'$/\1/p")

  # The private network: a bridge in a namespace of its own, a veth from it to each node's eth1.
  local sw="$LAB_ID-switch" ns port
  ip netns add "$sw"
  ip -n "$sw" link set lo up
  ip -n "$sw" link add br0 type bridge
  ip -n "$sw" link set br0 up
  while read -r host ip role ns port addr; do
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$sw" link add "$port" type veth peer name eth1 netns "$ns"
    ip -n "$sw" link set "$port" master br0 up
    ip -n "$ns" addr add "$addr" dev eth1
    ip -n "$ns" link set eth1 up
  done <"$LAB_DIR/nodes"

  while read -r host _ _ ns _; do start_node "$host" "$ns"; done <"$LAB_DIR/nodes"
  standin_rootfs
  local image recipe
  while read -r image recipe; do
    real_image "$recipe" >"$LAB_DIR/real-$recipe.entrypoint"
    log "$image: runs its real program ($(cat "$LAB_DIR/real-$recipe.entrypoint"))"
  done <"$LAB_DIR/real-images.txt"
  while read -r host _; do wait_daemon "$host"; done <"$LAB_DIR/nodes"
  log "dockerd runs on every node"
  local loads=()
  while read -r host _; do
    load_images "$host" </dev/null &
    loads+=("$!")
  done <"$LAB_DIR/nodes"
  for i in "${loads[@]}"; do wait "$i"; done
  log "stand-in image loaded on every node under $(wc -l <"$LAB_DIR/images.txt") names"

  # The lab's copy of out/ (adapt.mjs): swarm/ as generated but for networks.sh, the stacks adapted.
  local lab_out="$LAB_DIR/out"
  SWARM_SSH="$here/node-ssh.sh" bash "$lab_out/swarm/bootstrap.sh" >&2
  local first
  first="$(sed -n 's/^FIRST_MANAGER=//p' "$lab_out/swarm/bootstrap.sh")"
  echo "$first" >"$LAB_DIR/first-manager"
  export DOCKER_HOST="unix://$LAB_DIR/$first/docker.sock"
  # Test values for every secret secrets.sh creates.
  mkdir -m 700 "$LAB_DIR/secrets"
  local file
  while read -r _ file; do
    printf 'lab-test-value-%s\n' "$file" >"$LAB_DIR/secrets/$file"
  done < <(sed -n 's/^ensure_secret \([^ ]*\) \([^ ]*\)$/\1 \2/p' "$lab_out/swarm/secrets.sh")
  export SECRETS_DIR="$LAB_DIR/secrets"
  log "Swarm formed"

  if [ "${LAB_DEPLOY:-1}" = 1 ] && [ -f "$lab_out/swarm/deploy.sh" ]; then
    # The generated deploy: networks.sh, labels.sh, secrets.sh, then every stack in order, the Galera
    # members rolled one at a time. Its stack deploys never resolve an image at a registry (its own
    # --resolve-image option); it reads a member's state through SWARM_SSH as bootstrap.sh does.
    SWARM_SSH="$here/node-ssh.sh" DEPLOY_POLL=1 DEPLOY_TIMEOUT=300 \
      bash "$lab_out/swarm/deploy.sh" --resolve-image never >&2
    log "deployed with swarm/deploy.sh"
  else
    bash "$lab_out/swarm/networks.sh" >&2
    bash "$lab_out/swarm/labels.sh" >/dev/null
    bash "$lab_out/swarm/secrets.sh" >/dev/null
    log "overlays, labels and secrets created"
    if [ "${LAB_DEPLOY:-1}" = 1 ]; then
      # Only for a build without swarm/deploy.sh: one `docker stack deploy` per stack.
      local stack
      for stack in "$lab_out"/stacks/*.yml; do
        docker stack deploy --resolve-image never -c "$stack" "$(basename "$stack" .yml)" >&2
      done
      log "stacks deployed with docker stack deploy"
    fi
  fi
}

# ---- link cuts --------------------------------------------------------------------------------------------

link() {
  local dir="$1" node="$2" state="$3" id port
  id="$(cat "$dir/lab")"
  port="$(awk -v node="$node" '$1 == node { print $5 }' "$dir/nodes")"
  [ -n "$port" ] || { log "no node $node in $dir"; return 1; }
  ip -n "$id-switch" link set "$port" "$state"
  if [ "$state" = down ]; then touch "$dir/$node/cut"; else rm -f "$dir/$node/cut"; fi
}

# ---- main -------------------------------------------------------------------------------------------------

[ "$(id -u)" -eq 0 ] || { log "needs root (network namespaces, dockerd)"; exit 1; }
command="${1:-}"
shift || true
case "$command" in
  up)
    trap 'status=$?; if [ "$status" -ne 0 ] && [ -n "${LAB_DIR:-}" ]; then down "$LAB_DIR"; fi' EXIT
    trap 'exit 130' INT TERM HUP
    up "$@"
    echo "$LAB_DIR"
    ;;
  hold)
    trap 'if [ -n "${LAB_DIR:-}" ]; then down "$LAB_DIR"; fi' EXIT
    trap 'exit 130' INT TERM HUP
    up "$@"
    echo "READY $LAB_DIR"
    # Until stdin ends; also ends when the process that started the lab is gone.
    parent="$PPID"
    while :; do
      status=0
      read -r -t 5 _ || status=$?
      if [ "$status" -eq 0 ]; then continue; fi
      if [ "$status" -le 128 ] || ! kill -0 "$parent" 2>/dev/null; then break; fi
    done
    ;;
  down) down "${1:?lab folder}" ;;
  cut) link "${1:?lab folder}" "${2:?node}" down ;;
  heal) link "${1:?lab folder}" "${2:?node}" up ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' >&2
    exit 2
    ;;
esac
