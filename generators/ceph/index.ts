import type { Cluster } from "../../src/model/cluster.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { CephCluster } from "./ceph-cluster.js";
import { type CephBootstrapNode, bootstrapScript, daemonKeyring, type CephDaemonKind } from "./render.js";

export {
  CephCluster,
  CEPH_VOLUME_ROOT,
  cephVolumesOf,
  type CephClusterProps,
  type CephPoolProps,
  type CephVolume,
  type CephVolumeProps,
} from "./ceph-cluster.js";
export { CEPH_MESSAGES } from "./messages.js";

function cephClusters(cluster: Cluster): CephCluster[] {
  return cluster.node.findAll().filter((construct): construct is CephCluster => construct instanceof CephCluster);
}

/** Each node of a Ceph cluster: the keys bootstrap.sh copies to it and the units it starts there. */
function bootstrapNodes(ceph: CephCluster): CephBootstrapNode[] {
  return ceph.cephNodes.map((node) => {
    const units = node.units.map((unit) => unit.unitName).filter((name) => name.startsWith("ceph-"));
    const kinds = units.flatMap((name) => {
      const kind = /^ceph-(mon|mgr|osd|mds|rgw|rbd-mirror)\.service$/.exec(name)?.[1];
      return kind ? [kind as CephDaemonKind] : [];
    });
    const files = [
      ...kinds.map(daemonKeyring),
      ...(kinds.includes("mon") ? ["/etc/ceph/monmap", "/etc/ceph/ceph.client.admin.keyring"] : []),
      ...Object.values(ceph.volumes)
        .filter((volume) => volume.nodes.includes(node))
        .map((volume) => `/etc/ceph/ceph.${volume.client}.secret`),
    ];
    return { hostname: node.hostname, address: node.privateIp, files, units };
  });
}

/** out/ceph/bootstrap.sh (out/ceph/<id>/bootstrap.sh when a config declares several Ceph clusters). */
export const cephGenerator = defineGenerator({
  name: "ceph",
  generate({ cluster }): GeneratedFile[] {
    const all = cephClusters(cluster);
    return all.map((ceph) => ({
      path: OUT_PATHS.familyFile("ceph", all.length > 1 ? `${ceph.node.id}/bootstrap.sh` : "bootstrap.sh"),
      content: bootstrapScript(ceph.model, bootstrapNodes(ceph)),
      construct: ceph.path,
      delivery: { kind: "operator" },
    }));
  },
});
