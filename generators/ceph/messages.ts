import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the CephCluster's own checks report. */
export const CEPH_MESSAGES = defineMessages({
  "ceph/fsid-not-uuid": entry<{ fsid: string }>(
    ({ fsid }) => `the Ceph fsid "${fsid}" is not a UUID`,
    "give the cluster a UUID of its own (`uuidgen`), once, and keep it: every daemon and client checks it",
  ),
  "ceph/even-monitors": entry<{ count: number }>(
    ({ count }) => `the Ceph cluster has ${count} monitors: an even number tolerates no more failures than one monitor fewer`,
    "list an odd number of monitors (3 or 5) in `monitors`",
  ),
  "ceph/duplicate-node": entry<{ hostname: string; field: string }>(
    ({ hostname, field }) => `${hostname} is listed twice in \`${field}\``,
    "list each node once: a node runs one daemon of each kind",
  ),
  "ceph/pool-size-exceeds-osd-nodes": entry<{ pool: string; size: number; nodes: number }>(
    ({ pool, size, nodes }) =>
      `pool ${pool} keeps ${size} copies but only ${nodes} node(s) run an OSD: CRUSH places copies on distinct hosts, so its placement groups never become clean`,
    ({ nodes }) => `lower \`size\` to ${Math.max(1, nodes)} or fewer, or add OSD nodes to \`osds\``,
  ),
  "ceph/min-size-invalid": entry<{ pool: string; minSize: number; size: number }>(
    ({ pool, minSize, size }) => `pool ${pool} has min_size ${minSize}, which must be at least 1 and at most its size ${size}`,
    "set `minSize` between 1 and `size` (Ceph's default is size − ⌊size/2⌋)",
  ),
  "ceph/duplicate-pool": entry<{ pool: string }>(({ pool }) => `pool ${pool} is declared twice`, "declare each pool once in `pools`"),
  "ceph/unknown-pool": entry<{ pool: string; volume: string; known: string }>(
    ({ pool, volume }) => `volume ${volume} names the pool ${pool}, which is not declared with application rbd`,
    ({ known }) => `declare it in \`pools\` with \`application: "rbd"\`, or use one of: ${known}`,
  ),
  "ceph/no-file-system": entry<{ volume: string }>(
    ({ volume }) => `volume ${volume} is a CephFS directory but the cluster declares no \`fileSystem\``,
    'declare `fileSystem: { dataPool: "<a pool with application cephfs>" }`',
  ),
  "ceph/file-system-pool": entry<{ pool: string }>(
    ({ pool }) => `the file system's data pool ${pool} is not declared with application cephfs`,
    'declare it in `pools` with `application: "cephfs"`',
  ),
  "ceph/rbd-volume-without-nodes": entry<{ volume: string }>(
    ({ volume }) => `RBD volume ${volume} names no node: an RBD image is mounted by exactly one node, so each listed node gets its own`,
    "list the nodes that mount it in `nodes`",
  ),
  "ceph/duplicate-volume": entry<{ volume: string }>(({ volume }) => `volume ${volume} is declared twice`, "give each volume its own name"),
  "ceph/no-osds": entry<Record<string, never>>(
    () => "the Ceph cluster has no OSD node: it stores nothing",
    "list the nodes holding a data disk in `osds`",
  ),
});
