import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { bashScript, SSH_COMMAND_SETUP, SSH_USER, shellWord } from "../shell.js";
import { commandLine, renderUnit } from "../systemd/unit-text.js";

/** Monitor ports: msgr2 (3300) and the legacy protocol (6789) that kernel clients (rbd, CephFS mounts) speak. */
export const MON_V2_PORT = 3300;
export const MON_V1_PORT = 6789;
/** The object gateway's S3 port (radosgw's default). */
export const RGW_PORT = 7480;
export const CEPH_CONF_PATH = "/etc/ceph/ceph.conf";
export const CEPH_NODE_SCRIPT = "/opt/ceph/bin/ceph-node.sh";

export type CephDaemonKind = "mon" | "mgr" | "osd" | "mds" | "rgw" | "rbd-mirror";

/** The plain values of a CephCluster the renderers take. */
export interface CephModel {
  readonly fsid: string;
  readonly clusterName: string;
  readonly image: string;
  readonly publicNetwork: string;
  readonly clusterNetwork: string;
  readonly monitors: readonly { readonly name: string; readonly address: string }[];
  readonly osdDevice: string;
  readonly pools: readonly {
    readonly name: string;
    readonly application: string;
    readonly size: number;
    readonly minSize: number;
    readonly pgNum: number;
  }[];
  readonly fileSystem: { readonly name: string; readonly dataPool: string; readonly metadataPool: string } | undefined;
  readonly volumes: readonly {
    readonly name: string;
    readonly kind: "cephfs" | "rbd";
    readonly pool: string;
    readonly client: string;
    readonly size: string;
    readonly images: readonly string[];
  }[];
  readonly disasterRecovery: { readonly site: string; readonly pools: readonly string[]; readonly interval: string } | undefined;
}

/** `[v2:10.10.1.41:3300,v1:10.10.1.41:6789]`: a monitor's address vector. */
function addressVector(address: string): string {
  return `[v2:${address}:${MON_V2_PORT},v1:${address}:${MON_V1_PORT}]`;
}

/** /etc/ceph/ceph.conf: the cluster's identity, its monitors and networks, cephx everywhere. */
export function cephConf(model: CephModel): string {
  const size = Math.max(1, Math.min(...model.pools.map((pool) => pool.size), 3));
  return [
    `# ${GENERATED_NOTICE}`,
    `# Ceph cluster of ${model.clusterName}: every daemon and client of it reads this file.`,
    "[global]",
    `fsid = ${model.fsid}`,
    `mon_initial_members = ${model.monitors.map((monitor) => monitor.name).join(", ")}`,
    `mon_host = ${model.monitors.map((monitor) => addressVector(monitor.address)).join(",")}`,
    `public_network = ${model.publicNetwork}`,
    `cluster_network = ${model.clusterNetwork}`,
    "auth_cluster_required = cephx",
    "auth_service_required = cephx",
    "auth_client_required = cephx",
    "ms_bind_ipv6 = false",
    "# Copies go to distinct hosts; pools the daemons create themselves (the gateway's) take these sizes.",
    "osd_crush_chooseleaf_type = 1",
    `osd_pool_default_size = ${size}`,
    `osd_pool_default_min_size = ${size - Math.floor(size / 2)}`,
    "",
    "[mon]",
    "# Refuse deleting a pool by mistake; `ceph config set mon mon_allow_pool_delete true` when it is meant.",
    "mon_allow_pool_delete = false",
    "# Every client here is of this release: none needs the insecure global_id reclaim (CVE-2021-20288).",
    "auth_allow_insecure_global_id_reclaim = false",
    "",
  ].join("\n");
}

const CONTAINER_MOUNTS = [
  "/etc/ceph:/etc/ceph",
  "/var/lib/ceph:/var/lib/ceph",
  "/var/log/ceph:/var/log/ceph",
  "/opt/ceph/bin:/opt/ceph/bin:ro",
];

const DAEMON_NAMES: Record<CephDaemonKind, string> = {
  mon: "monitor",
  mgr: "manager",
  osd: "OSD",
  mds: "metadata server",
  rgw: "object gateway (S3)",
  "rbd-mirror": "RBD mirror daemon",
};

/** The keyring a daemon's unit waits for: delivered by out/ceph/bootstrap.sh, never part of out/. */
export function daemonKeyring(kind: CephDaemonKind): string {
  return kind === "mon" ? "/etc/ceph/ceph.mon.keyring" : `/var/lib/ceph/bootstrap-${kind}/ceph.keyring`;
}

/** A daemon's unit: the pinned Ceph image on the host network, running ceph-node.sh with the daemon's arguments. */
export function daemonUnit(
  model: CephModel,
  kind: CephDaemonKind,
  node: { readonly hostname: string; readonly address: string; readonly osdId: number; readonly device: string },
): string {
  const docker = "/usr/bin/docker";
  const container = `ceph-${kind}`;
  const args: Record<CephDaemonKind, string[]> = {
    mon: ["mon", node.hostname],
    mgr: ["mgr", node.hostname],
    osd: ["osd", String(node.osdId), node.device, node.hostname],
    mds: ["mds", node.hostname],
    rgw: ["rgw", node.hostname, `${node.address}:${RGW_PORT}`],
    "rbd-mirror": ["rbd-mirror", node.hostname],
  };
  const run = [
    "--rm",
    `--name=${container}`,
    "--net=host",
    // The OSD owns its disk: the device node and the kernel's view of it (udev, device-mapper) come from the host.
    ...(kind === "osd" ? ["--privileged", "--volume=/dev:/dev"] : []),
    ...CONTAINER_MOUNTS.map((mount) => `--volume=${mount}`),
    "--entrypoint=/bin/bash",
    model.image,
    CEPH_NODE_SCRIPT,
    ...args[kind],
  ];
  return renderUnit({
    Unit: [
      ["Description", `Ceph ${DAEMON_NAMES[kind]} on ${node.hostname} (cluster ${model.fsid})`],
      ["Wants", "network-online.target"],
      ["After", "network-online.target docker.service"],
      ["Requires", "docker.service"],
      ["#", "The keys are delivered by out/ceph/bootstrap.sh, which starts the unit; until then it is skipped."],
      ["ConditionPathExists", daemonKeyring(kind)],
      ...(kind === "mon" ? ([["ConditionPathExists", "/etc/ceph/monmap"]] as const) : []),
    ],
    Service: [
      ["ExecStartPre", `-${docker} rm --force ${container}`],
      ["ExecStart", commandLine(`${docker} run`, run)],
      ["ExecStop", `${docker} stop ${container}`],
      ["Restart", "always"],
      ["RestartSec", "10s"],
    ],
    Install: [["WantedBy", "multi-user.target"]],
  });
}

/** The unit that maps/mounts a volume on the host, at `/run/ceph-volumes/<name>`. */
export function volumeUnit(volume: {
  readonly name: string;
  readonly kind: "cephfs" | "rbd";
  readonly source: string;
  readonly target: string;
}): string {
  const command = (action: string) =>
    commandLine("/usr/bin/bash", [CEPH_NODE_SCRIPT, "volume", action, volume.kind, volume.name, volume.source, volume.target]);
  return renderUnit({
    Unit: [
      [
        "Description",
        `Ceph volume ${volume.name} (${volume.kind === "cephfs" ? "CephFS directory, shared" : "RBD image of this node"}) at ${volume.target}`,
      ],
      ["Wants", "network-online.target"],
      ["After", "network-online.target"],
      ["#", "The client's secret is delivered by out/ceph/bootstrap.sh; until then the unit is skipped."],
      ["ConditionPathExists", `/etc/ceph/ceph.client.vol-${volume.name}.secret`],
    ],
    Service: [
      ["Type", "oneshot"],
      ["RemainAfterExit", "yes"],
      ["ExecStart", command("mount")],
      ["ExecStop", command("unmount")],
      ["#", "The monitors may still be starting (on this node, in Docker): try again until they answer."],
      ["Restart", "on-failure"],
      ["RestartSec", "15s"],
    ],
    Install: [["WantedBy", "multi-user.target"]],
  });
}

/**
 * The script every Ceph daemon runs in its container (and the volume units on the host): creates its key
 * from the bootstrap keyring and its data directory on first start, then execs the daemon as the ceph user.
 * `keys` (the first monitor, once) makes every key and the monitor map; `setup` (the first monitor, once the
 * OSDs are up) the pools, the file system, the RBD images and the mirroring. Paths come from CEPH_NODE_ETC,
 * CEPH_NODE_DATA, CEPH_NODE_RUN and CEPH_NODE_LOG (defaults: Ceph's own), so the tests run it unchanged outside a container.
 */
export function cephNodeScript(model: CephModel): string {
  const monmapArgs = model.monitors.flatMap((monitor) => ["--addv", monitor.name, addressVector(monitor.address)]);
  const volumeKeys = model.volumes.map((volume) => {
    const caps =
      volume.kind === "cephfs"
        ? [
            "--cap",
            "mon",
            "allow r",
            "--cap",
            "mds",
            `allow rw path=/volumes/${volume.name}`,
            "--cap",
            "osd",
            `allow rw tag cephfs data=${model.fileSystem?.name ?? "cephfs"}`,
          ]
        : ["--cap", "mon", "profile rbd", "--cap", "osd", `profile rbd pool=${volume.pool}`];
    return `  client_key ${shellWord(volume.client)} ${caps.map(shellWord).join(" ")}`;
  });
  const poolLines = model.pools.map(
    (pool) => `  pool ${shellWord(pool.name)} ${shellWord(pool.application)} ${pool.size} ${pool.minSize} ${pool.pgNum}`,
  );
  const imageLines = model.volumes.flatMap((volume) =>
    volume.images.map((image) => `  image ${shellWord(image)} ${shellWord(volume.size)}`),
  );
  const directories = model.volumes.filter((volume) => volume.kind === "cephfs").map((volume) => shellWord(`volumes/${volume.name}`));
  const mirror = model.disasterRecovery;
  return bashScript(
    [
      `Ceph node script of the ${model.clusterName} cluster (fsid ${model.fsid}), run by the ceph-* units.`,
      "Usage: ceph-node.sh keys | mon ID | mgr ID | osd ID DEVICE HOST | mds ID | rgw ID ADDR:PORT | rbd-mirror ID",
      "       | setup [pools|filesystem|images|directories|mirror] | volume mount|unmount cephfs|rbd NAME SOURCE TARGET",
    ],
    [
      "CEPH_NODE_ETC=${CEPH_NODE_ETC:-/etc/ceph}",
      "CEPH_NODE_DATA=${CEPH_NODE_DATA:-/var/lib/ceph}",
      "CEPH_NODE_RUN=${CEPH_NODE_RUN:-/var/run/ceph}",
      "CEPH_NODE_LOG=${CEPH_NODE_LOG:-/var/log/ceph}",
      "CEPH_NODE_USER=${CEPH_NODE_USER:-ceph}",
      "export CEPH_CONF=${CEPH_CONF:-$CEPH_NODE_ETC/ceph.conf}",
      `FSID=${shellWord(model.fsid)}`,
      `MON_ADDRESSES=${shellWord(model.monitors.map((monitor) => `${monitor.address}:${MON_V1_PORT}`).join(","))}`,
      `FS_NAME=${shellWord(model.fileSystem?.name ?? "")}`,
      "",
      "# What every daemon gets: run and log directories it owns, and the ceph user.",
      "daemon_args=()",
      "prepare_daemon() {",
      '  mkdir -p "$CEPH_NODE_RUN" "$CEPH_NODE_LOG"',
      '  chown "$CEPH_NODE_USER:$CEPH_NODE_USER" "$CEPH_NODE_RUN" "$CEPH_NODE_LOG"',
      '  daemon_args=(-f --setuser "$CEPH_NODE_USER" --setgroup "$CEPH_NODE_USER" --run-dir "$CEPH_NODE_RUN" --log-file "$CEPH_NODE_LOG/\\$cluster-\\$name.log")',
      "}",
      "",
      "# A key made with a bootstrap keyring (a profile that may create only this kind of key), kept in the daemon's directory.",
      "bootstrap_key() {",
      "  local kind=$1 entity=$2 keyring=$3",
      "  shift 3",
      "  [[ -s $keyring ]] && return 0",
      '  mkdir -p "$(dirname "$keyring")"',
      '  ceph --name "client.bootstrap-$kind" --keyring "$CEPH_NODE_DATA/bootstrap-$kind/ceph.keyring" auth get-or-create "$entity" "$@" -o "$keyring.new"',
      '  mv "$keyring.new" "$keyring"',
      "}",
      "",
      "# keys: every key of the cluster and the monitor map, once, on the first monitor. The keys never leave the cluster.",
      "client_key() {",
      "  local entity=$1",
      "  shift",
      "  local keyring=$CEPH_NODE_ETC/ceph.$entity.keyring",
      '  ceph-authtool --create-keyring "$keyring" --gen-key -n "$entity" "$@" >/dev/null',
      '  ceph-authtool -p -n "$entity" "$keyring" >"$CEPH_NODE_ETC/ceph.$entity.secret"',
      '  ceph-authtool "$mon_keyring.new" --import-keyring "$keyring" >/dev/null',
      "}",
      "keys() {",
      "  mon_keyring=$CEPH_NODE_ETC/ceph.mon.keyring",
      '  if [[ -e $mon_keyring ]]; then echo "keys: $mon_keyring exists, nothing to do"; return 0; fi',
      "  umask 077",
      '  mkdir -p "$CEPH_NODE_ETC"',
      '  rm -f "$mon_keyring.new"',
      "  ceph-authtool --create-keyring \"$mon_keyring.new\" --gen-key -n mon. --cap mon 'allow *' >/dev/null",
      '  ceph-authtool --create-keyring "$CEPH_NODE_ETC/ceph.client.admin.keyring" --gen-key -n client.admin \\',
      "    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null",
      '  ceph-authtool "$mon_keyring.new" --import-keyring "$CEPH_NODE_ETC/ceph.client.admin.keyring" >/dev/null',
      "  local kind",
      "  for kind in osd mgr mds rgw rbd-mirror; do",
      '    mkdir -p "$CEPH_NODE_DATA/bootstrap-$kind"',
      '    ceph-authtool --create-keyring "$CEPH_NODE_DATA/bootstrap-$kind/ceph.keyring" --gen-key -n "client.bootstrap-$kind" \\',
      '      --cap mon "profile bootstrap-$kind" >/dev/null',
      '    ceph-authtool "$mon_keyring.new" --import-keyring "$CEPH_NODE_DATA/bootstrap-$kind/ceph.keyring" >/dev/null',
      "  done",
      "  # One client per volume, allowed its own directory or pool only.",
      ...volumeKeys,
      `  monmaptool --create --fsid "$FSID" ${monmapArgs.map(shellWord).join(" ")} --clobber "$CEPH_NODE_ETC/monmap" >/dev/null`,
      '  mv "$mon_keyring.new" "$mon_keyring"',
      "}",
      "",
      "mon() {",
      "  local id=$1 data=$CEPH_NODE_DATA/mon/ceph-$1",
      "  prepare_daemon",
      "  if [[ ! -e $data/done ]]; then",
      '    mkdir -p "$data"',
      '    ceph-mon --mkfs -i "$id" --mon-data "$data" --monmap "$CEPH_NODE_ETC/monmap" --keyring "$CEPH_NODE_ETC/ceph.mon.keyring"',
      '    touch "$data/done"',
      "  fi",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  exec ceph-mon -i "$id" --mon-data "$data" "${daemon_args[@]}"',
      "}",
      "",
      "mgr() {",
      "  local id=$1 data=$CEPH_NODE_DATA/mgr/ceph-$1",
      "  prepare_daemon",
      "  bootstrap_key mgr \"mgr.$id\" \"$data/keyring\" mon 'allow profile mgr' osd 'allow *' mds 'allow *'",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  exec ceph-mgr -i "$id" --mgr-data "$data" --keyring "$data/keyring" "${daemon_args[@]}"',
      "}",
      "",
      "# osd ID DEVICE HOST: the OSD's id is its place in the model's list; its BlueStore sits on DEVICE.",
      "osd() {",
      "  local id=$1 device=$2 host=$3 data=$CEPH_NODE_DATA/osd/ceph-$1",
      "  prepare_daemon",
      '  mkdir -p "$data"',
      "  if [[ ! -e $data/ready ]]; then",
      '    [[ -s $data/osd_uuid ]] || cat /proc/sys/kernel/random/uuid >"$data/osd_uuid"',
      "    local uuid key",
      '    uuid=$(<"$data/osd_uuid")',
      '    [[ -s $data/keyring ]] || ceph-authtool --create-keyring "$data/keyring" --gen-key -n "osd.$id" >/dev/null',
      '    key=$(ceph-authtool -p -n "osd.$id" "$data/keyring")',
      "    # The key reaches the monitors on standard input, never as an argument.",
      '    printf \'{"cephx_secret": "%s"}\' "$key" |',
      '      ceph --name client.bootstrap-osd --keyring "$CEPH_NODE_DATA/bootstrap-osd/ceph.keyring" osd new "$uuid" "$id" -i -',
      '    ceph-osd --mkfs -i "$id" --osd-uuid "$uuid" --osd-data "$data" --osd-objectstore bluestore \\',
      '      --bluestore-block-path "$device" --keyring "$data/keyring"',
      '    touch "$data/ready"',
      "  fi",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  chown "$CEPH_NODE_USER:$CEPH_NODE_USER" "$device"',
      '  exec ceph-osd -i "$id" --osd-data "$data" --keyring "$data/keyring" --crush-location "host=$host root=default" "${daemon_args[@]}"',
      "}",
      "",
      "mds() {",
      "  local id=$1 data=$CEPH_NODE_DATA/mds/ceph-$1",
      "  prepare_daemon",
      "  bootstrap_key mds \"mds.$id\" \"$data/keyring\" mon 'allow profile mds' osd 'allow rwx' mds 'allow'",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  exec ceph-mds -i "$id" --mds-data "$data" --keyring "$data/keyring" "${daemon_args[@]}"',
      "}",
      "",
      "rgw() {",
      "  local id=$1 endpoint=$2 data=$CEPH_NODE_DATA/radosgw/ceph-rgw.$1",
      "  prepare_daemon",
      "  bootstrap_key rgw \"client.rgw.$id\" \"$data/keyring\" mon 'allow rw' osd 'allow rwx'",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  exec radosgw --name "client.rgw.$id" --rgw-data "$data" --keyring "$data/keyring" --rgw-frontends "beast endpoint=$endpoint" "${daemon_args[@]}"',
      "}",
      "",
      "rbd_mirror() {",
      "  local id=$1 data=$CEPH_NODE_DATA/rbd-mirror/ceph-$1",
      "  prepare_daemon",
      "  bootstrap_key rbd-mirror \"client.rbd-mirror.$id\" \"$data/keyring\" mon 'profile rbd-mirror' osd 'profile rbd'",
      '  chown -R "$CEPH_NODE_USER:$CEPH_NODE_USER" "$data"',
      '  exec rbd-mirror --id "rbd-mirror.$id" --keyring "$data/keyring" "${daemon_args[@]}"',
      "}",
      "",
      "# setup: what the model declares, on the first monitor with the admin key; every step is idempotent.",
      'admin() { ceph --name client.admin --keyring "$CEPH_NODE_ETC/ceph.client.admin.keyring" "$@"; }',
      'rbd_admin() { rbd --name client.admin --keyring "$CEPH_NODE_ETC/ceph.client.admin.keyring" "$@"; }',
      "pool() {",
      "  local name=$1 application=$2 size=$3 min_size=$4 pg_num=$5",
      '  admin osd pool ls | grep -qxF "$name" || admin osd pool create "$name" "$pg_num" "$pg_num" replicated',
      '  admin osd pool set "$name" size "$size"',
      '  admin osd pool set "$name" min_size "$min_size"',
      '  if [[ $application == rbd ]]; then rbd_admin pool init "$name"; else admin osd pool application enable "$name" "$application"; fi',
      "}",
      "image() {",
      "  local spec=$1 size=$2",
      '  rbd_admin info "$spec" >/dev/null 2>&1 || rbd_admin create --size "$size" --image-feature layering,exclusive-lock "$spec"',
      "}",
      "setup_pools() {",
      ...(poolLines.length > 0 ? poolLines : ["  :"]),
      "}",
      "setup_filesystem() {",
      model.fileSystem
        ? `  admin fs ls | grep -qF "name: $FS_NAME," || admin fs new "$FS_NAME" ${shellWord(model.fileSystem.metadataPool)} ${shellWord(model.fileSystem.dataPool)}`
        : "  :",
      "}",
      "setup_images() {",
      ...(imageLines.length > 0 ? imageLines : ["  :"]),
      "}",
      "# The CephFS volumes' directories, made through a kernel mount of the file system's root with the admin key.",
      "setup_directories() {",
      ...(directories.length > 0
        ? [
            "  local root fstab directory",
            "  root=$(mktemp -d) fstab=$(mktemp)",
            '  printf \'%s:/ %s ceph name=admin,secret=%s 0 0\\n\' "$MON_ADDRESSES" "$root" "$(ceph-authtool -p -n client.admin "$CEPH_NODE_ETC/ceph.client.admin.keyring")" >"$fstab"',
            '  mount -T "$fstab" "$root" || { rm -f "$fstab"; rmdir "$root"; return 1; }',
            '  rm -f "$fstab"',
            `  local directories=(${directories.join(" ")})`,
            '  for directory in "${directories[@]}"; do mkdir -p "$root/$directory"; done',
            '  umount "$root"',
            '  rmdir "$root"',
          ]
        : ["  :"]),
      "}",
      "setup_mirror() {",
      ...(mirror
        ? [
            `  local site=${shellWord(mirror.site)} pool image`,
            `  for pool in ${mirror.pools.map(shellWord).join(" ")}; do`,
            '    rbd_admin mirror pool enable "$pool" image',
            '    for image in $(rbd_admin ls "$pool"); do',
            '      rbd_admin mirror image status "$pool/$image" >/dev/null 2>&1 || rbd_admin mirror image enable "$pool/$image" snapshot',
            "    done",
            `    rbd_admin mirror snapshot schedule add --pool "$pool" ${shellWord(mirror.interval)}`,
            "    # The peer's token (`rbd mirror pool peer bootstrap create` on the other cluster), delivered by the operator.",
            "    if [[ -s $CEPH_NODE_ETC/rbd-mirror-peer-$site.token ]]; then",
            '      rbd_admin mirror pool peer bootstrap import --site-name "$FSID" --direction rx-tx "$pool" "$CEPH_NODE_ETC/rbd-mirror-peer-$site.token"',
            "    else",
            '      echo "setup mirror: no $CEPH_NODE_ETC/rbd-mirror-peer-$site.token yet: pool $pool is not mirrored to $site" >&2',
            "    fi",
            "  done",
          ]
        : ["  :"]),
      "}",
      "setup() {",
      "  case ${1:-all} in",
      "    all) setup_pools; setup_filesystem; setup_images; setup_directories; setup_mirror ;;",
      '    pools | filesystem | images | directories | mirror) "setup_$1" ;;',
      '    *) echo "setup: unknown step $1" >&2; return 2 ;;',
      "  esac",
      "}",
      "",
      "# volume: on the host. An RBD image is mapped through sysfs and a CephFS directory mounted through a private",
      "# fstab, so the client's secret is never a command's argument; neither needs Ceph's tools on the host.",
      "rbd_device() {",
      "  local pool=$1 image=$2 device",
      "  for device in /sys/bus/rbd/devices/*; do",
      "    [[ -e $device/pool ]] || continue",
      '    if [[ $(<"$device/pool") == "$pool" && $(<"$device/name") == "$image" ]]; then echo "/dev/rbd${device##*/}"; return 0; fi',
      "  done",
      "  return 1",
      "}",
      "volume() {",
      "  local action=$1 kind=$2 name=$3 source=$4 target=$5 key device fstab",
      "  local client=vol-$name",
      "  case $action/$kind in",
      "    mount/rbd)",
      "      modprobe rbd",
      '      if ! device=$(rbd_device "${source%%/*}" "${source#*/}"); then',
      '        read -r key <"$CEPH_NODE_ETC/ceph.client.$client.secret"',
      '        printf \'%s name=%s,secret=%s %s %s\' "$MON_ADDRESSES" "$client" "$key" "${source%%/*}" "${source#*/}" >/sys/bus/rbd/add_single_major',
      '        device=$(rbd_device "${source%%/*}" "${source#*/}")',
      "      fi",
      '      blkid "$device" >/dev/null || mkfs.ext4 -q -L "$name" "$device"',
      '      mkdir -p "$target"',
      "      # Absent unless mounted: a Service binding it never writes to the node's own disk.",
      '      mountpoint -q "$target" || mount "$device" "$target" || { rmdir "$target"; return 1; }',
      "      ;;",
      "    mount/cephfs)",
      "      modprobe ceph",
      '      mountpoint -q "$target" && return 0',
      '      read -r key <"$CEPH_NODE_ETC/ceph.client.$client.secret"',
      "      fstab=$(mktemp)",
      '      printf \'%s:%s %s ceph name=%s,secret=%s 0 0\\n\' "$MON_ADDRESSES" "$source" "$target" "$client" "$key" >"$fstab"',
      '      mkdir -p "$target"',
      '      mount -T "$fstab" "$target" || { rm -f "$fstab"; rmdir "$target"; return 1; }',
      '      rm -f "$fstab"',
      "      ;;",
      "    unmount/*)",
      '      if mountpoint -q "$target"; then umount "$target"; fi',
      '      if [[ $kind == rbd ]] && device=$(rbd_device "${source%%/*}" "${source#*/}"); then',
      "        # A container started while it was mounted keeps its own mount: the image stays mapped until it stops.",
      '        echo "${device#/dev/rbd}" >/sys/bus/rbd/remove_single_major || echo "volume: $device still in use, left mapped" >&2',
      "      fi",
      "      # Absent, the mount point makes a Service's bind mount fail (and Swarm retry) instead of writing to the node's disk.",
      '      rmdir "$target" 2>/dev/null || true',
      "      ;;",
      '    *) echo "volume: unknown $action/$kind" >&2; return 2 ;;',
      "  esac",
      "}",
      "",
      "command=${1:-}",
      "shift || true",
      "case $command in",
      "  keys) keys ;;",
      '  mon | mgr | mds) "$command" "$@" ;;',
      '  osd) osd "$@" ;;',
      '  rgw) rgw "$@" ;;',
      '  rbd-mirror) rbd_mirror "$@" ;;',
      '  setup) setup "$@" ;;',
      '  volume) volume "$@" ;;',
      '  *) echo "usage: ceph-node.sh keys|mon|mgr|osd|mds|rgw|rbd-mirror|setup|volume …" >&2; exit 2 ;;',
      "esac",
    ],
  );
}

/** What out/ceph/bootstrap.sh needs of the model: each node and the files and units it gets. */
export interface CephBootstrapNode {
  readonly hostname: string;
  readonly address: string;
  /** Key files copied from the first monitor to this node (paths on both). */
  readonly files: readonly string[];
  /** Units started, in the order of the cluster's bring-up (monitors, managers, OSDs, …). */
  readonly units: readonly string[];
}

/**
 * The operator's bring-up of the Ceph cluster, over SSH as bootstrap.sh does: the keys and the monitor map
 * made on the first monitor (in the Ceph container), each node's keys copied from there straight to the node
 * (through this machine's pipe, never written here), then the daemons started in order and `setup` run.
 * Safe to re-run: nothing is made twice.
 */
export function bootstrapScript(model: CephModel, nodes: readonly CephBootstrapNode[]): string {
  const [first] = model.monitors;
  const stages: [string, (unit: string) => boolean][] = [
    ["monitors", (unit) => unit === "ceph-mon.service"],
    ["managers", (unit) => unit === "ceph-mgr.service"],
    ["OSDs", (unit) => unit === "ceph-osd.service"],
  ];
  const later: [string, (unit: string) => boolean][] = [
    [
      "metadata servers, gateways and mirror daemons",
      (unit) => ["ceph-mds.service", "ceph-rgw.service", "ceph-rbd-mirror.service"].includes(unit),
    ],
    ["volumes", (unit) => unit.startsWith("ceph-volume-")],
  ];
  const startLines = (stage: readonly [string, (unit: string) => boolean][]) =>
    stage.flatMap(([label, selects]) => {
      const lines = nodes.flatMap((node) => {
        const units = node.units.filter(selects);
        return units.length > 0 ? [`on ${node.address} systemctl start ${units.join(" ")}`] : [];
      });
      return lines.length > 0 ? [`echo "starting the ${label}"`, ...lines] : [];
    });
  const copies = nodes.flatMap((node) =>
    node.address === first?.address ? [] : node.files.map((file) => `copy ${node.address} ${shellWord(file)}`),
  );
  const image = shellWord(model.image);
  return bashScript(
    [
      `Brings up the Ceph cluster ${model.fsid}: keys, monitors, managers, OSDs, pools, file system, gateways, volumes.`,
      `Run from your workstation after bootstrap.sh (SSH as ${SSH_USER}; SWARM_SSH="ssh -J bastion" as for the Swarm).`,
      "The keys are made on the first monitor and copied node to node through this shell's pipe; none is written here.",
    ],
    [
      ...SSH_COMMAND_SETUP,
      `FIRST=${shellWord(first?.address ?? "")}`,
      `on() { local host=$1; shift; "\${ssh_command[@]}" -o BatchMode=yes "${SSH_USER}@$host" sudo "$@"; }`,
      "# A root-only file of the first monitor onto another node, same path, 0600.",
      'copy() { on "$FIRST" cat "$2" | on "$1" install -D -m 0600 /dev/stdin "$2"; }',
      `in_ceph() { on "$FIRST" docker run --rm --net=host --privileged --volume=/etc/ceph:/etc/ceph --volume=/var/lib/ceph:/var/lib/ceph --volume=/opt/ceph/bin:/opt/ceph/bin:ro --entrypoint=/bin/bash ${image} ${CEPH_NODE_SCRIPT} "$@"; }`,
      "",
      'echo "keys and monitor map on $FIRST"',
      "in_ceph keys",
      ...copies,
      ...startLines(stages),
      'echo "waiting for the OSDs"',
      "for _ in $(seq 60); do",
      `  in_ceph setup pools && break`,
      "  sleep 5",
      "done",
      "in_ceph setup filesystem",
      "in_ceph setup images",
      ...startLines(later.slice(0, 1)),
      "# The file system's kernel client, for the directories' mount inside the container.",
      'on "$FIRST" modprobe ceph',
      "in_ceph setup directories",
      "in_ceph setup mirror",
      ...startLines(later.slice(1)),
      `on "$FIRST" docker run --rm --net=host --volume=/etc/ceph:/etc/ceph:ro ${image} ceph -s`,
    ],
  );
}
