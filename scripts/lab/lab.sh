#!/usr/bin/env bash
# A real multi-node Docker Swarm on this machine, formed from the generated files of a build (out/).
# Every node of the cluster gets its own network namespace (its private address on eth1, linked through a
# bridge in a "switch" namespace, no default route) and its own UTS namespace (its hostname), and a dockerd
# of its own started with the node's generated daemon.json (vfs storage, roots and socket in the lab folder).
# The Swarm is formed by the generated swarm/bootstrap.sh (SWARM_SSH runs commands inside the nodes),
# then networks.sh, labels.sh and secrets.sh (values from `swarm-cluster secrets`, a test CA for Galera's TLS,
# test values for the rest) run against the first manager, and the stacks are
# deployed with real images where Debian packages the program (the Galera members and garbd included) and
# stand-ins elsewhere. What this machine cannot do is adapted in copies, listed in adapt.mjs.
#
#   lab.sh hold [out-dir|config] form the lab, print "READY <lab-dir>", keep it until stdin ends or a
#                                signal, then remove everything it made (also after a failure or Ctrl-C)
#   lab.sh up [out-dir|config]   form the lab and leave it running; prints the lab folder
#                                (a cluster config, *.config.ts, is built into <lab-dir>/build first)
#   lab.sh down <lab-dir>        remove a lab: its daemons, mounts, namespaces, cgroups and files
#   lab.sh cut|heal <lab-dir> <node>   take a node's link down (not a clean stop) or bring it back
#
# LAB_DEPLOY=0 stops after the Swarm, networks, labels and secrets (no stacks, no images); LAB_DEPLOY=try
# keeps the lab when swarm/deploy.sh fails (for a cluster the report says cannot deploy whole). Either way its
# output is in <lab-dir>/deploy.log and its exit status in <lab-dir>/deploy.status. LAB_DEPLOY_TIMEOUT is the
# time it gives each stack (DEPLOY_TIMEOUT, 300 s here). LAB_IMAGES_FROM names another lab's folder whose real
# images this lab links in where their recipes are the same, instead of building them.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
log() { printf 'lab: %s %s\n' "$(date +%T)" "$*" >&2; }

# ---- teardown ---------------------------------------------------------------------------------------------

# True when pid $1 runs a program whose command line mentions the lab folder $2 (a recorded pid may have
# been reused by an unrelated process after ours exited).
ours() {
  local pid="$1" dir="$2" cmdline
  # Read whole, then matched: `tr | grep -q` under pipefail reads "not ours" when grep stops tr early.
  cmdline="$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline")" || return 1
  [[ $cmdline == *"$dir"* ]]
}

# Kills every process in the cgroups of lab $1's nodes (the tasks' processes: dockerd's --cgroup-parent).
kill_cgroups() {
  local cg pid
  for cg in /sys/fs/cgroup/*/"$1"-* /sys/fs/cgroup/unified/"$1"-*; do
    [ -d "$cg" ] || continue
    # A cgroup emptied meanwhile fails find's cat: what was read is still killed, and down goes on.
    { find "$cg" -name cgroup.procs -exec cat {} + 2>/dev/null || true; } | while read -r pid; do
      kill -KILL "$pid" 2>/dev/null || true
    done
  done
}

down() {
  local dir="$1"
  [ -f "$dir/lab" ] || { log "$dir is not a lab folder"; return 1; }
  local id
  id="$(cat "$dir/lab")"
  local pids=() node ns pid
  log "removing $dir"
  # A deploy.sh still running (lab.sh was stopped while it deployed).
  if [ -f "$dir/deploy.pid" ]; then
    pid="$(cat "$dir/deploy.pid")"
    if ours "$pid" "$dir"; then kill -TERM "$pid" 2>/dev/null || true; fi
  fi
  # The tasks' processes first, killed: the lab is going away, and a dockerd that stops its containers waits
  # out each one's grace period. They are the lab's own: it made the nodes' cgroups.
  kill_cgroups "$id"
  # Then the daemons, all at once: each stops what is left of its containers, then its containerd.
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
  # A few seconds, then killed: nothing of the lab outlives it, and a manager that lost its quorum (the lab's
  # last check cuts two) can hold its dockerd's shutdown for half a minute.
  local deadline=$((SECONDS + 5))
  for pid in ${pids[@]+"${pids[@]}"}; do
    while kill -0 "$pid" 2>/dev/null && [ "$SECONDS" -lt "$deadline" ]; do sleep 0.2; done
    if ours "$pid" "$dir"; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
  log "daemons stopped"
  # What the daemons left: processes in the node namespaces (containerd, shims) and in the nodes'
  # cgroups (task processes). Both are the lab's own: it made those namespaces and cgroups.
  if [ -f "$dir/nodes" ]; then
    while read -r node _ _ ns _; do
      if [ -e "/run/netns/$ns" ]; then
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      fi
    done <"$dir/nodes"
  fi
  kill_cgroups "$id"
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
  local cg
  for cg in /sys/fs/cgroup/*/"$id"-* /sys/fs/cgroup/unified/"$id"-*; do
    [ -d "$cg" ] || continue
    find "$cg" -depth -type d -exec rmdir {} \; 2>/dev/null || true
  done
  rm -rf "$dir"
  log "removed $dir"
}

# ---- formation --------------------------------------------------------------------------------------------

# Whether this lab deploys the stacks (LAB_DEPLOY 1, the default, or try).
deploying() { [ "${LAB_DEPLOY:-1}" != 0 ]; }

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
  for applet in sh grep sleep cat ls echo nc; do ln -s busybox "$root/bin/$applet"; done
  cat >"$root/standin/run" <<'RUN'
#!/bin/sh
# Stand-in task: stays up until Swarm stops it.
trap 'exit 0' TERM INT
while :; do sleep 3600 & wait $!; done
RUN
  cat >"$root/standin/healthy" <<'OK'
#!/bin/sh
# Stand-in for a health-check client: the stand-in task is up, so it answers "healthy" (curl prints 200).
case "$0" in
  *curl) echo 200 ;;
esac
exit 0
OK
  chmod +x "$root/standin/run" "$root/standin/healthy"
  for applet in curl wget php; do ln -s /standin/healthy "$root/usr/bin/$applet"; done
  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
  tar -C "$root" -cf "$LAB_DIR/standin.tar" .
}

# The Debian packages a real image copies for the packages $@ name: those and their dependencies, but for
# what every Debian system has (Essential, or of priority required or important), debconf's and systemd's
# machinery (tzdata, the zone files, is kept), and shared libraries (lib*: the ldd walk of real_image copies the ones the programs and modules
# link). Only packages installed on this machine (validators.txt lists them).
package_closure() {
  local -A seen=()
  local queue=("$@") p alternative name deps
  local -a list names
  for p in "$@"; do seen[$p]=1; echo "$p"; done
  while [ "${#queue[@]}" -gt 0 ]; do
    p="${queue[0]}"
    queue=("${queue[@]:1}")
    deps="$(dpkg-query -W -f='${Depends}, ${Pre-Depends}' "$p")"
    IFS=',' read -ra list <<<"$deps"
    for alternative in "${list[@]}"; do
      IFS='|' read -ra names <<<"$alternative"
      for name in "${names[@]}"; do
        name="$(sed 's/([^)]*)//; s/:any//; s/[[:space:]]//g' <<<"$name")"
        [ -n "$name" ] || continue
        dpkg-query -W -f='${Status}' "$name" 2>/dev/null | grep -q ' installed$' || continue
        if [ -z "${seen[$name]:-}" ]; then
          seen[$name]=1
          case "$name $(dpkg-query -W -f='${Essential} ${Priority}' "$name")" in
            tzdata*) queue+=("$name") && echo "$name" ;; # data (zoneinfo), though of priority required
            lib* | zlib* | debconf* | systemd* | ucf* | sgml-base* | *" yes "* | *" required" | *" important") ;;
            *) queue+=("$name"); echo "$name" ;;
          esac
        fi
        break
      done
    done
  done
}

# Images that run their real program, from a recipe adapt.mjs writes (real-<recipe>.recipe): a rootfs of
# busybox (sh and wget for health checks, the tools entry scripts call), then either the files of Debian
# packages installed on this machine (`package`: an image the build defines, whose Dockerfile installs them;
# their /etc folders as configured here, maintainer scripts' links included) or one program at the upstream
# image's path (`binary`), the Dockerfile's COPY files (`copy`) and its RUN steps other than apt-get's
# (`run`, with busybox), and the libraries every program and module links (ldd). `change` lines become
# the image's Dockerfile instructions at import. Prints the program the container runs, as an absolute path.
real_image() {
  local recipe="$1" root="$LAB_DIR/real-$1" kind a b program=""
  mkdir -p "$root/bin" "$root/tmp" "$root/var/tmp" "$root/etc" "$root/run" "$root/usr/lib" "$root/usr/lib64" "$root/usr/bin" "$root/usr/sbin"
  chmod 1777 "$root/tmp" "$root/var/tmp"
  ln -s usr/lib "$root/lib"
  ln -s usr/lib64 "$root/lib64"
  cp /bin/busybox "$root/bin/busybox"
  local applet
  for applet in sh wget grep sed cat ls ln mkdir rm chown readlink ip id env timeout sleep; do ln -s busybox "$root/bin/$applet"; done
  printf '%s\n' root:x:0:0:root:/root:/bin/sh www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin \
    nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin >"$root/etc/passwd"
  printf '%s\n' root:x:0: www-data:x:33: nogroup:x:65534: >"$root/etc/group"
  local packages=()
  while read -r kind a b; do
    case "$kind" in
      package)
        # A pinned package must be the version this machine has: the lab runs what the image would install.
        if [ -n "$b" ] && [ "$(dpkg-query -W -f='${Version}' "$a" 2>/dev/null)" != "$b" ]; then
          log "$a: the image pins $b, this machine has '$(dpkg-query -W -f='${Version}' "$a" 2>/dev/null)'"
          return 1
        fi
        packages+=("$a")
        ;;
      binary) mkdir -p "$root$(dirname "$b")" && cp "$a" "$root$b" ;;
      dir) mkdir -p "$root$a" && chown "$(id -u "$b"):$(id -g "$b")" "$root$a" ;;
      # A system user the packages' maintainer scripts made here (mysql): its passwd and group lines.
      user)
        grep "^$a:" /etc/passwd >>"$root/etc/passwd"
        grep "^$(id -gn "$a"):" /etc/group >>"$root/etc/group"
        ;;
      data) tar -C / -cf - "${a#/}" | tar -C "$root" -xf - --keep-directory-symlink ;;
      program) program="$a" ;;
    esac
  done <"$LAB_DIR/real-$recipe.recipe"
  if [ "${#packages[@]}" -gt 0 ]; then
    local closure
    closure="$(package_closure "${packages[@]}")"
    # The packages' files (no documentation), directories included so that their modes are kept.
    # shellcheck disable=SC2086 # one package name a word
    dpkg-query -L $closure | grep -vE '^/usr/share/(doc|doc-base|man|info|lintian|locale|bug)(/|$)' | sort -u |
      while read -r a; do
        # Top-level folders (/bin, /lib: links into /usr here) are the rootfs' own.
        case "$a" in /*/*) ;; *) continue ;; esac
        if [ -e "$a" ] || [ -L "$a" ]; then echo "${a#/}"; fi
      done >"$root.files"
    tar -C / -cf - --no-recursion -T "$root.files" | tar -C "$root" -xf - --keep-directory-symlink
    # Their own /etc folders (owned by those packages only) as configured here: the links maintainer
    # scripts make (php's conf.d, nginx's modules-enabled) are in no package's list.
    local owners
    while read -r a; do
      [ -d "/$a" ] || continue
      owners="$(dpkg-query -S "/$a" 2>/dev/null | sed 's/: .*//' | tr -d ' ' | tr ',' '\n' | sed 's/:.*//')"
      if ! grep -qvxF -f <(echo "$closure") <<<"$owners"; then
        tar -C / -cf - "$a" | tar -C "$root" -xf - --keep-directory-symlink
      fi
    done < <(grep -oE '^etc/[^/]+$' "$root.files" | sort -u)
    # Programs the packages reach through Debian's alternatives (php → php8.2): a direct link.
    for a in /usr/bin/* /usr/sbin/* /bin/* /sbin/*; do
      if [ -L "$a" ] && [ "$(readlink "$a")" = "/etc/alternatives/${a##*/}" ]; then
        b="$(readlink -f "$a")"
        if [ -e "$root$b" ] && [ ! -e "$root$a" ]; then ln -s "$b" "$root$a"; fi
      fi
    done
    rm -f "$root.files"
  fi
  # The Dockerfile's COPY and RUN steps, in order.
  while read -r kind a; do
    case "$kind" in
      copy) mkdir -p "$root$(dirname "${a#* }")" && cp "${a%% *}" "$root${a#* }" ;;
      run) chroot "$root" /bin/sh -c "$a" </dev/null ;;
    esac
  done <"$LAB_DIR/real-$recipe.recipe"
  # The libraries of every program and module (ELF files), and the dynamic loader.
  local lib
  find "$root" -type f \( -perm -u+x -o -name '*.so' -o -name '*.so.*' \) ! -path "$root/bin/busybox" -print0 |
    while IFS= read -r -d '' a; do
      [ "$(head -c 4 "$a" | od -An -c | tr -d ' ')" = '177ELF' ] || continue
      ldd "$a" 2>/dev/null | grep -o '/[^ ]*' || true
    done | sort -u | while read -r lib; do
      if [ ! -e "$root$lib" ]; then mkdir -p "$root$(dirname "$lib")" && cp -L "$lib" "$root$lib"; fi
    done
  # The program as an absolute path, searched in the rootfs like the image's PATH.
  if [ "${program#/}" = "$program" ]; then
    for a in /usr/local/sbin /usr/local/bin /usr/sbin /usr/bin /sbin /bin; do
      if [ -e "$root$a/$program" ]; then program="$(readlink -f "$root$a/$program")" && program="${program#"$root"}" && break; fi
    done
  fi
  tar -C "$root" -cf "$LAB_DIR/real-$recipe.tar" .
  rm -rf "$root"
  echo "$program"
}

# The key of an image's recipe: its lines, a copied file named by its content (two builds keep one generated
# file in different folders). A built image's key is kept beside its tar (real-<recipe>.key).
image_key() {
  local kind a rest
  while read -r kind a rest; do
    if [ "$kind" = copy ]; then a="$(sha256sum <"$a")"; fi
    printf '%s %s %s\n' "$kind" "${a%% *}" "$rest"
  done <"$LAB_DIR/real-$1.recipe" | sha256sum | cut -d' ' -f1
}
# Links in the image of the same recipe that the lab in LAB_IMAGES_FROM built, with its entrypoint; fails
# (and the image is built) when there is none, or when that lab is gone meanwhile. Everything stays inside
# the two labs' folders, which their teardown removes.
borrowed_image() {
  local key file
  [ -n "${LAB_IMAGES_FROM:-}" ] || return 1
  key="$(image_key "$1")"
  for file in "$LAB_IMAGES_FROM"/real-*.key; do
    [ "$(cat "$file" 2>/dev/null)" = "$key" ] || continue
    cp "${file%.key}.entrypoint" "$LAB_DIR/real-$1.entrypoint" 2>/dev/null || return 1
    ln "${file%.key}.tar" "$LAB_DIR/real-$1.tar" 2>/dev/null || cp "${file%.key}.tar" "$LAB_DIR/real-$1.tar" 2>/dev/null || return 1
    echo "$key" >"$LAB_DIR/real-$1.key"
    return 0
  done
  return 1
}

# The secrets secrets.sh creates, into $LAB_DIR/project/secrets/docker/ (adaptation galera-tls): what the
# project's `swarm-cluster secrets` makes, made by it (the build's config is linked into $LAB_DIR/project/, so
# the CLI writes there: random values in the syntax each consumer reads); the Galera TLS files a test CA and
# one certificate signed by it (openssl), which every member and garbd present; any other a test value.
make_secrets() {
  local out="$1" config
  config="${LAB_CONFIG:-$(dirname "$out")/$(sed -n 's/^  "config": "\(.*\)",$/\1/p' "$out/manifest.json")}"
  [ -f "$config" ] || { log "no config $config for $out (set LAB_CONFIG)"; return 1; }
  mkdir -m 700 "$LAB_DIR/project"
  ln -s "$(cd "$(dirname "$config")" && pwd)/$(basename "$config")" "$LAB_DIR/project/$(basename "$config")"
  node "$repo/bin/swarm-cluster.js" secrets -c "$LAB_DIR/project/$(basename "$config")" --quiet 2>/dev/null
  local dir="$LAB_DIR/project/secrets/docker" tls="$LAB_DIR/galera-tls" kind file
  mkdir -m 700 "$tls"
  if [ -s "$LAB_DIR/galera-tls.txt" ]; then
    openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tls/ca.key" -out "$tls/ca.pem" -days 2 \
      -subj "/CN=swarm-cluster lab Galera CA" 2>/dev/null
    openssl req -newkey rsa:2048 -nodes -keyout "$tls/key.pem" -out "$tls/req.pem" -subj "/CN=galera" 2>/dev/null
    openssl x509 -req -in "$tls/req.pem" -CA "$tls/ca.pem" -CAkey "$tls/ca.key" -CAcreateserial -days 2 \
      -out "$tls/cert.pem" 2>/dev/null
    while read -r kind file; do
      install -m 600 "$tls/$kind.pem" "$dir/$file"
    done <"$LAB_DIR/galera-tls.txt"
  fi
  while read -r _ file; do
    if [ ! -s "$dir/$file" ]; then printf 'lab-test-value-%s\n' "$file" >"$dir/$file" && chmod 600 "$dir/$file"; fi
  done < <(sed -n 's/^ensure_secret \([^ ]*\) \([^ ]*\)$/\1 \2/p' "$LAB_DIR/out/swarm/secrets.sh")
}

load_images() {
  local node="$1" image recipe a
  docker_on "$node" import --change 'ENTRYPOINT ["/standin/run"]' "$LAB_DIR/standin.tar" swarm-cluster-lab/standin:1 >/dev/null
  while read -r image; do
    docker_on "$node" tag swarm-cluster-lab/standin:1 "$image"
  done <"$LAB_DIR/images.txt"
  local nodes changes
  while read -r image recipe nodes; do
    # Only on the nodes its services may run on: vfs keeps a full copy of every image on every node.
    case ",$nodes," in *",$node,"*) ;; *) continue ;; esac
    changes=(--change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin')
    while read -r a; do changes+=(--change "$a"); done < <(sed -n 's/^change //p' "$LAB_DIR/real-$recipe.recipe")
    docker_on "$node" import "${changes[@]}" "$LAB_DIR/real-$recipe.tar" "$image" >/dev/null
  done <"$LAB_DIR/real-images.txt"
}

up() {
  local out="${1:-$repo/out}" config
  LAB_DIR="$(mktemp -d /tmp/scl-XXXXXX)"
  LAB_ID="$(basename "$LAB_DIR")"
  export LAB_DIR LAB_ID
  echo "$LAB_ID" >"$LAB_DIR/lab"
  # A cluster config rather than a build: built into the lab folder, which teardown removes with the rest.
  if [ -f "$out" ]; then
    config="$(cd "$(dirname "$out")" && pwd)/$(basename "$out")"
    node "$repo/bin/swarm-cluster.js" build -c "$config" -o "$LAB_DIR/build" --quiet >&2
    out="$LAB_DIR/build"
    export LAB_CONFIG="${LAB_CONFIG:-$config}"
  fi
  out="$(cd "$out" && pwd)"
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
  # Images only for a deploy (LAB_DEPLOY=0 runs no task).
  local image recipe
  if deploying; then
    standin_rootfs
    # Two at a time (this machine's cores): each image's rootfs is its own folder and tar. Each build is a
    # process group of its own (set -m), listed in LAB_BUILDS, so that the EXIT traps stop it whole before
    # `down` (a background job of a script ignores SIGINT, and `down` knows only the daemons and deploy.sh).
    set -m
    while read -r image recipe _; do
      (
        from=""
        if borrowed_image "$recipe"; then
          from=", built by the lab in $LAB_IMAGES_FROM"
        else
          rm -f "$LAB_DIR/real-$recipe.tar"
          real_image "$recipe" >"$LAB_DIR/real-$recipe.entrypoint"
          # Last: a key there says the tar is whole (another lab may borrow it).
          image_key "$recipe" >"$LAB_DIR/real-$recipe.key"
        fi
        log "$image: runs its real program ($(cat "$LAB_DIR/real-$recipe.entrypoint"))$from"
      ) </dev/null &
      LAB_BUILDS+=("$!")
      if [ "${#LAB_BUILDS[@]}" -ge 2 ]; then
        wait "${LAB_BUILDS[0]}" || return 1
        LAB_BUILDS=("${LAB_BUILDS[@]:1}")
      fi
    done <"$LAB_DIR/real-images.txt"
    set +m
    while [ "${#LAB_BUILDS[@]}" -gt 0 ]; do
      wait "${LAB_BUILDS[0]}" || return 1
      LAB_BUILDS=("${LAB_BUILDS[@]:1}")
    done
  fi
  while read -r host _; do wait_daemon "$host"; done <"$LAB_DIR/nodes"
  log "dockerd runs on every node"
  if deploying; then
    local loads=()
    while read -r host _; do
      load_images "$host" </dev/null &
      loads+=("$!")
    done <"$LAB_DIR/nodes"
    for i in "${loads[@]}"; do wait "$i"; done
    log "stand-in image loaded on every node under $(wc -l <"$LAB_DIR/images.txt") names, real images where they run"
  fi

  # The lab's copy of out/ (adapt.mjs): swarm/ as generated but for networks.sh, the stacks adapted.
  local lab_out="$LAB_DIR/out"
  SWARM_SSH="$here/node-ssh.sh" bash "$lab_out/swarm/bootstrap.sh" >&2
  local first
  first="$(sed -n 's/^FIRST_MANAGER=//p' "$lab_out/swarm/bootstrap.sh")"
  echo "$first" >"$LAB_DIR/first-manager"
  export DOCKER_HOST="unix://$LAB_DIR/$first/docker.sock"
  # A shorter heartbeat: a cut node is marked down sooner (adapt.mjs, dispatcher-heartbeat, says why not shorter).
  docker swarm update --dispatcher-heartbeat 3s >/dev/null
  make_secrets "$out"
  # The fronts' certificates: the generated bootstrap (certbot-bootstrap.service runs it on certbot's node at
  # boot; the lab runs no host unit) fills the certificate volume's placeholder with self-signed ones.
  if [ -f "$out/certbot/bootstrap.sh" ]; then
    bash "$out/certbot/bootstrap.sh" "$LAB_DIR/host$(sed -n 's/^volume=${1:-\(.*\)}$/\1/p' "$out/certbot/bootstrap.sh")" >&2
  fi
  export SECRETS_DIR="$LAB_DIR/project/secrets/docker"
  # The lab's page in every web root a front serves (the placeholder of its bound volume, which the php-fpm
  # tasks bind too): which php-fpm task answers.
  while read -r file; do
    cat >"$file/index.php" <<'PHP'
<?php
// The swarm-cluster lab's page (scripts/lab/lab.sh): which php-fpm task answered; with ?db, which database
// server answered a query sent, as the application's user, to the host the stack gives php-fpm
// (WORDPRESS_DB_HOST: ProxySQL's service, a forwarding stand-in in the lab).
header('Content-Type: text/plain');
echo 'lab-page php-fpm=', gethostname(), ' php=', PHP_VERSION, "\n";
if (isset($_GET['db'])) {
    [$host, $port] = explode(':', getenv('WORDPRESS_DB_HOST')) + [1 => '3306'];
    $password = trim(file_get_contents(getenv('WORDPRESS_DB_PASSWORD_FILE')));
    $db = new mysqli($host, getenv('WORDPRESS_DB_USER'), $password, getenv('WORDPRESS_DB_NAME'), (int) $port);
    echo 'lab-db server=', $db->query('SELECT @@hostname')->fetch_row()[0], "\n";
}
PHP
  done <"$LAB_DIR/docroots.txt"
  log "Swarm formed"

  if deploying && [ -f "$lab_out/swarm/deploy.sh" ]; then
    # The generated deploy: networks.sh, labels.sh, secrets.sh, then every stack in order, the Galera
    # members rolled one at a time. Its stack deploys never resolve an image at a registry (its own
    # --resolve-image option); it reads a member's state through SWARM_SSH as bootstrap.sh does.
    # In the background, waited on: a signal to lab.sh then ends the lab at once (down stops deploy.sh by its pid).
    # Its output goes whole to deploy.log, which a follower copies to the lab's log as it grows.
    local deploy_pid follower status=0
    SWARM_SSH="$here/node-ssh.sh" DEPLOY_POLL=1 DEPLOY_TIMEOUT="${LAB_DEPLOY_TIMEOUT:-300}" \
      bash "$lab_out/swarm/deploy.sh" --resolve-image never >"$LAB_DIR/deploy.log" 2>&1 &
    deploy_pid="$!"
    echo "$deploy_pid" >"$LAB_DIR/deploy.pid"
    tail -s 0.2 -n +1 -f --pid="$deploy_pid" "$LAB_DIR/deploy.log" | while IFS= read -r line; do log "deploy: $line"; done &
    follower="$!"
    wait "$deploy_pid" || status=$?
    wait "$follower" || true
    echo "$status" >"$LAB_DIR/deploy.status"
    if [ "$status" -eq 0 ]; then
      log "deployed with swarm/deploy.sh"
    elif [ "${LAB_DEPLOY:-1}" = try ]; then
      log "swarm/deploy.sh failed (exit $status); the lab is kept (LAB_DEPLOY=try)"
    else
      return 1
    fi
  else
    bash "$lab_out/swarm/networks.sh" >&2
    bash "$lab_out/swarm/labels.sh" >/dev/null
    bash "$lab_out/swarm/secrets.sh" >/dev/null
    log "overlays, labels and secrets created"
    if deploying; then
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

# The image builds still running (each its own process group; up() removes one once waited on).
LAB_BUILDS=()
# Stops them, process groups whole, and waits for them (only them: the dockerds are children too).
# shellcheck disable=SC2317 # run by the EXIT traps below
stop_builds() {
  local p
  set +m # when up() stopped in the middle of its builds: down's pipelines run in lab.sh's process group
  for p in ${LAB_BUILDS[@]+"${LAB_BUILDS[@]}"}; do kill -TERM -- "-$p" 2>/dev/null || true; done
  for p in ${LAB_BUILDS[@]+"${LAB_BUILDS[@]}"}; do wait "$p" 2>/dev/null || true; done
  LAB_BUILDS=()
}

[ "$(id -u)" -eq 0 ] || { log "needs root (network namespaces, dockerd)"; exit 1; }
command="${1:-}"
shift || true
# The dispatch ends in `exit` on its last line: bash reads a script as it runs, so without it a lab held while
# lab.sh is edited would go on to run whatever lands at the old end of the file.
case "$command" in
  up)
    trap 'status=$?; stop_builds; if [ "$status" -ne 0 ] && [ -n "${LAB_DIR:-}" ]; then down "$LAB_DIR"; fi' EXIT
    trap 'exit 130' INT TERM HUP
    up "$@"
    echo "$LAB_DIR"
    ;;
  hold)
    trap 'stop_builds; if [ -n "${LAB_DIR:-}" ]; then down "$LAB_DIR"; fi' EXIT
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
esac; exit
