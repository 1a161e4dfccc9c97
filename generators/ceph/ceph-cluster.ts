import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { listed } from "../../src/core/wording.js";
import { finding } from "../../src/analysis/findings.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile, type Node, SystemdUnit } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import type { MajorityGroup } from "../../src/validate/quorum-group.js";
import { CEPH_MESSAGES } from "./messages.js";
import {
  CEPH_CONF_PATH,
  CEPH_NODE_SCRIPT,
  cephConf,
  cephNodeScript,
  daemonUnit,
  type CephDaemonKind,
  type CephModel,
  MON_V1_PORT,
  RGW_PORT,
  volumeUnit,
} from "./render.js";

/** What a pool is for: RBD images, the CephFS file system's data, or the object gateway. */
export type CephPoolApplication = "rbd" | "cephfs" | "rgw";

export interface CephPoolProps {
  readonly name: string;
  readonly application: CephPoolApplication;
  /**
   * Copies of every object, each on a distinct OSD node (CRUSH's failure domain is the host).
   * @default the number of OSD nodes, at most 3
   */
  readonly size?: number;
  /**
   * Copies that must be written before a write is acknowledged; below it the pool stops serving I/O.
   * @default size − ⌊size/2⌋, as Ceph's own default
   */
  readonly minSize?: number;
  /**
   * Placement groups at creation (the autoscaler adjusts them once the manager runs).
   * @default 32
   */
  readonly pgNum?: number;
}

export interface CephVolumeProps {
  /** The volume's name: its mount point is `/run/ceph-volumes/<name>` on the nodes that use it. */
  readonly name: string;
  /**
   * `cephfs`: a directory `/volumes/<name>` of the cluster's file system, mounted read-write by every node
   * that uses it (shared data: a docroot, uploads). `rbd`: one RBD image per listed node (`<name>-<hostname>`
   * in `pool`), formatted ext4 and mounted by that node only (a database's datadir): exclusive, but replicated
   * by Ceph, so the data outlives the node's disk.
   */
  readonly kind: "cephfs" | "rbd";
  /** For `rbd`: the pool holding the images (application rbd). */
  readonly pool?: string;
  /** For `rbd`: each image's size (`20G`, as `rbd create --size`). @default "10G" */
  readonly size?: string;
  /**
   * Nodes that mount it. For `cephfs` the default is every node a service mounting {@link CephVolume.hostPath}
   * can run on (derived from the stacks); for `rbd` they must be listed.
   */
  readonly nodes?: readonly Node[];
  /** What it holds, as a sentence has it ("the site's document root and uploads"). */
  readonly holds: string;
}

export interface CephClusterProps {
  /** The cluster's UUID (`uuidgen`, once): every daemon and client checks it. */
  readonly fsid: string;
  /** Nodes that run a monitor; an odd number (3 or 5) keeps a majority through one or two losses. */
  readonly monitors: readonly Node[];
  /** Nodes that run one OSD each, on {@link osdDevice}. */
  readonly osds: readonly Node[];
  /** The OSDs' data disk. @default "/dev/vdb" (the seed's) */
  readonly osdDevice?: string;
  /** Nodes that run a manager (one active, the others standby). @default the monitors */
  readonly managers?: readonly Node[];
  /** Nodes that run a metadata server for the file system. @default the first two monitors when a `fileSystem` is declared */
  readonly metadataServers?: readonly Node[];
  /** Nodes that run the object gateway (radosgw, S3 on port 7480 of the private address). @default none */
  readonly gateways?: readonly Node[];
  /** The network clients and monitors use. @default the cluster's private network */
  readonly publicNetwork?: string;
  /** The network OSDs replicate over. @default the public network */
  readonly clusterNetwork?: string;
  readonly pools: readonly CephPoolProps[];
  /** The CephFS file system, when a `cephfs` volume needs one; its metadata pool `<name>_metadata` is added. */
  readonly fileSystem?: { readonly name?: string; readonly dataPool: string };
  readonly volumes?: readonly CephVolumeProps[];
  /**
   * A second Ceph cluster (another provider, zone or data centre) the RBD pools are mirrored to: an rbd-mirror
   * daemon on the first manager and snapshot-based mirroring of every image of `pools` (default every rbd pool).
   */
  readonly disasterRecovery?: {
    readonly site: string;
    readonly pools?: readonly string[];
    /** How often a mirror snapshot is taken (`rbd mirror snapshot schedule add`). @default "1h" */
    readonly interval?: string;
  };
  /** The Ceph container image the daemons run. @default "quay.io/ceph/ceph:v16.2.15" */
  readonly image?: string;
}

export const CEPH_CLUSTER_PROPS = propsShape<CephClusterProps>()({
  fsid: "required",
  monitors: "required list",
  osds: "required list",
  osdDevice: "optional",
  managers: "optional list",
  metadataServers: "optional list",
  gateways: "optional list",
  publicNetwork: "optional",
  clusterNetwork: "optional",
  pools: "required list",
  fileSystem: "optional",
  volumes: "optional list",
  disasterRecovery: "optional",
  image: "optional",
});

/** Where a Ceph volume is mounted on a node, and what a Service bind-mounts. */
export const CEPH_VOLUME_ROOT = "/run/ceph-volumes";

/**
 * A Ceph volume as other families read it (the backup's volume selection, the analysis): its name, whether
 * it is shared between nodes, where it is mounted and on which nodes.
 */
export interface CephVolume {
  readonly name: string;
  readonly kind: "cephfs" | "rbd";
  /** True for a CephFS directory every node mounts at once; an RBD volume is one image per node. */
  readonly shared: boolean;
  /** The mount point on each node, which a Service mounts as `<hostPath>:<target>`. */
  readonly hostPath: string;
  readonly holds: string;
  /** The pool holding the data. */
  readonly pool: string;
  /** `rbd`: the image of each node (`<pool>/<name>-<hostname>`); `cephfs`: the directory in the file system. */
  source(node: Node): string;
  /** Nodes that mount it (resolved once the config has run). */
  readonly nodes: readonly Node[];
  /** The Ceph client the node mounts it as (`client.vol-<name>`), whose secret only those nodes receive. */
  readonly client: string;
  /** A Service's short-syntax mount of it (`/run/ceph-volumes/www:/var/www/html`). */
  mount(target: string, options?: { readonly readOnly?: boolean }): string;
}

const DEFAULT_IMAGE = "quay.io/ceph/ceph:v16.2.15";

/**
 * A Ceph cluster placed as the model says: monitors (a majority-quorum group, analysed like etcd), managers,
 * one OSD per node, metadata servers for CephFS, object gateways, the pools, and the volumes nodes mount.
 *
 * Daemons run in containers started by systemd (`docker run` of a pinned Ceph image, host network), as etcd
 * does here: Flatcar ships Docker and no Ceph packages, a Swarm stack cannot grant an OSD its disk (no
 * `--privileged`, no devices), and monitors and OSDs must start before the Swarm's services that use their
 * volumes. Every daemon runs one script (`/opt/ceph/bin/ceph-node.sh`) inside the container; the tests run
 * the same script with Debian's ceph binaries of the same release.
 */
export class CephCluster extends ClusterConstruct implements MajorityGroup, Preparable {
  readonly majorityGroup = true;
  readonly quorumKind = "ceph-mon";
  readonly quorumDescription = {
    component: "Ceph's monitor quorum",
    codePrefix: "ceph-mon",
    addVoter: "add monitors to `monitors` (an odd number: 3 or 5)",
  } as const;
  readonly fsid: string;
  readonly monitors: readonly Node[];
  readonly osds: readonly Node[];
  readonly osdDevice: string;
  readonly managers: readonly Node[];
  readonly metadataServers: readonly Node[];
  readonly gateways: readonly Node[];
  readonly image: string;
  readonly pools: readonly Required<CephPoolProps>[];
  readonly fileSystem: { readonly name: string; readonly dataPool: string; readonly metadataPool: string } | undefined;
  readonly disasterRecovery: { readonly site: string; readonly pools: readonly string[]; readonly interval: string } | undefined;
  /** The volumes by name (see {@link CephVolume}). */
  readonly volumes: Readonly<Record<string, CephVolume>>;
  private readonly declaredPools: readonly CephPoolProps[];
  private readonly declaredVolumes: readonly CephVolumeProps[];
  private readonly explicitPublicNetwork: string | undefined;
  private readonly explicitClusterNetwork: string | undefined;
  private volumeNodes = new Map<string, readonly Node[]>();

  constructor(scope: Construct, id: string, props: CephClusterProps) {
    super(scope, id);
    props = this.acceptProps(props, CEPH_CLUSTER_PROPS);
    this.fsid = props.fsid;
    this.monitors = [...(props.monitors ?? [])];
    this.osds = [...(props.osds ?? [])];
    this.osdDevice = props.osdDevice ?? "/dev/vdb";
    this.managers = [...(props.managers ?? this.monitors)];
    this.image = props.image ?? DEFAULT_IMAGE;
    this.explicitPublicNetwork = props.publicNetwork;
    this.explicitClusterNetwork = props.clusterNetwork;
    this.declaredPools = [...(props.pools ?? [])];
    this.declaredVolumes = [...(props.volumes ?? [])];
    const osdNodes = new Set(this.osds).size;
    const defaultSize = Math.max(1, Math.min(3, osdNodes));
    const fs = props.fileSystem;
    this.fileSystem = fs
      ? { name: fs.name ?? "cephfs", dataPool: fs.dataPool, metadataPool: `${fs.name ?? "cephfs"}_metadata` }
      : undefined;
    const pools: Required<CephPoolProps>[] = this.declaredPools.map((pool) => {
      const size = pool.size ?? defaultSize;
      return {
        name: pool.name,
        application: pool.application,
        size,
        minSize: pool.minSize ?? size - Math.floor(size / 2),
        pgNum: pool.pgNum ?? 32,
      };
    });
    if (this.fileSystem) {
      const data = pools.find((pool) => pool.name === this.fileSystem?.dataPool);
      const size = data?.size ?? defaultSize;
      pools.push({ name: this.fileSystem.metadataPool, application: "cephfs", size, minSize: size - Math.floor(size / 2), pgNum: 16 });
    }
    this.pools = pools;
    this.metadataServers = [...(props.metadataServers ?? (this.fileSystem ? this.monitors.slice(0, 2) : []))];
    this.gateways = [...(props.gateways ?? [])];
    const rbdPools = pools.filter((pool) => pool.application === "rbd").map((pool) => pool.name);
    this.disasterRecovery = props.disasterRecovery
      ? {
          site: props.disasterRecovery.site,
          pools: [...(props.disasterRecovery.pools ?? rbdPools)],
          interval: props.disasterRecovery.interval ?? "1h",
        }
      : undefined;
    const volumes: Record<string, CephVolume> = {};
    for (const volume of this.declaredVolumes) {
      if (!volume || typeof volume.name !== "string") continue;
      volumes[volume.name] = this.describeVolume(volume);
    }
    this.volumes = volumes;
  }

  private describeVolume(volume: CephVolumeProps): CephVolume {
    const hostPath = `${CEPH_VOLUME_ROOT}/${volume.name}`;
    const self = this;
    const pool = volume.kind === "rbd" ? (volume.pool ?? "") : (this.fileSystem?.dataPool ?? "");
    return {
      name: volume.name,
      kind: volume.kind,
      shared: volume.kind === "cephfs",
      hostPath,
      holds: volume.holds,
      pool,
      client: `client.vol-${volume.name}`,
      source: (node: Node) => (volume.kind === "rbd" ? `${pool}/${volume.name}-${node.hostname}` : `/volumes/${volume.name}`),
      get nodes() {
        return self.volumeNodes.get(volume.name) ?? volume.nodes ?? [];
      },
      mount: (target: string, options: { readonly readOnly?: boolean } = {}) => `${hostPath}:${target}${options.readOnly ? ":ro" : ""}`,
    };
  }

  get publicNetwork(): string {
    return this.explicitPublicNetwork ?? Cluster.of(this).privateNetwork;
  }

  get clusterNetwork(): string {
    return this.explicitClusterNetwork ?? this.publicNetwork;
  }

  /** Every node that runs a daemon or mounts a volume. */
  get cephNodes(): Node[] {
    const all = [
      ...this.monitors,
      ...this.managers,
      ...this.osds,
      ...this.metadataServers,
      ...this.gateways,
      ...this.mirrorNodes,
      ...Object.values(this.volumes).flatMap((volume) => volume.nodes),
    ];
    return Cluster.of(this).nodes.filter((node) => all.includes(node));
  }

  /** The node that runs rbd-mirror: the first manager, when a disaster-recovery site is declared. */
  get mirrorNodes(): Node[] {
    return this.disasterRecovery && this.managers[0] ? [this.managers[0]] : [];
  }

  /** The monitors' addresses as kernel clients take them (`10.10.1.41:6789,…`). */
  get monitorAddresses(): string {
    return this.monitors.map((node) => `${node.privateIp}:${MON_V1_PORT}`).join(",");
  }

  /** The object gateway's S3 endpoints (`http://10.10.1.31:7480`), for the backup's uploads. */
  get gatewayEndpoints(): string[] {
    return this.gateways.map((node) => `http://${node.privateIp}:${RGW_PORT}`);
  }

  /** The plain values the renderers take. */
  get model(): CephModel {
    return {
      fsid: this.fsid,
      clusterName: Cluster.of(this).name,
      image: this.image,
      publicNetwork: this.publicNetwork,
      clusterNetwork: this.clusterNetwork,
      monitors: this.monitors.map((node) => ({ name: node.hostname, address: node.privateIp })),
      osdDevice: this.osdDevice,
      pools: this.pools,
      fileSystem: this.fileSystem,
      volumes: Object.values(this.volumes).map((volume) => ({
        name: volume.name,
        kind: volume.kind,
        pool: volume.pool,
        client: volume.client,
        size: this.declaredVolumes.find((entry) => entry.name === volume.name)?.size ?? "10G",
        images: volume.kind === "rbd" ? volume.nodes.map((node) => volume.source(node)) : [],
      })),
      disasterRecovery: this.disasterRecovery,
    };
  }

  prepare(): void {
    // A CephFS volume is mounted where the services using it can run, as the finished tree says.
    for (const volume of this.declaredVolumes) {
      if (volume?.kind !== "cephfs" || volume.nodes) continue;
      const prefix = `${CEPH_VOLUME_ROOT}/${volume.name}:`;
      const users = Cluster.of(this)
        .stacks.flatMap((stack) => stack.services)
        .filter((service) => (service.props.volumes ?? []).some((mount) => typeof mount === "string" && mount.startsWith(prefix)));
      const nodes = new Set(users.flatMap((service) => service.eligibleNodes));
      this.volumeNodes.set(
        volume.name,
        Cluster.of(this).nodes.filter((node) => nodes.has(node)),
      );
    }
    const osdIds = new Map(this.osds.map((node, index) => [node, index]));
    for (const node of this.cephNodes) {
      new HostFile(node, "ceph-conf", { path: CEPH_CONF_PATH, contents: () => cephConf(this.model) });
      new HostFile(node, "ceph-node-script", { path: CEPH_NODE_SCRIPT, mode: 0o755, contents: () => cephNodeScript(this.model) });
      const daemons: [CephDaemonKind, boolean][] = [
        ["mon", this.monitors.includes(node)],
        ["mgr", this.managers.includes(node)],
        ["osd", osdIds.has(node)],
        ["mds", this.metadataServers.includes(node)],
        ["rgw", this.gateways.includes(node)],
        ["rbd-mirror", this.mirrorNodes.includes(node)],
      ];
      for (const [kind, runs] of daemons) {
        if (!runs) continue;
        new SystemdUnit(node, `ceph-${kind}.service`, {
          contents: () =>
            daemonUnit(this.model, kind, {
              hostname: node.hostname,
              address: node.privateIp,
              osdId: osdIds.get(node) ?? 0,
              device: this.osdDevice,
            }),
        });
      }
      for (const volume of Object.values(this.volumes)) {
        if (!volume.nodes.includes(node)) continue;
        new SystemdUnit(node, `ceph-volume-${volume.name}.service`, {
          contents: () => volumeUnit({ name: volume.name, kind: volume.kind, source: volume.source(node), target: volume.hostPath }),
        });
      }
    }
  }

  get voterNodes(): readonly Node[] {
    return this.monitors;
  }

  /** Nodes without a monitor, OSD nodes first (they run Ceph already), then the proxy, database and app tiers. */
  voterCandidates(): readonly Node[] {
    const rank = (node: Node): number => (this.osds.includes(node) ? 0 : ["proxy", "db", "app"].indexOf(node.tier) + 1 || 9);
    return Cluster.of(this)
      .nodes.filter((node) => !this.monitors.includes(node) && node.tier !== "front")
      .sort((a, b) => rank(a) - rank(b));
  }

  addVotersFix(nodes: readonly Node[]): string {
    return `add ${listed(nodes.map((node) => node.hostname))} to the Ceph \`monitors\``;
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (typeof this.fsid === "string" && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(this.fsid)) {
      problems.push(CEPH_MESSAGES.problem("ceph/fsid-not-uuid", this, "fsid", { fsid: this.fsid }));
    }
    if (this.monitors.length >= 4 && this.monitors.length % 2 === 0) {
      problems.push(CEPH_MESSAGES.problem("ceph/even-monitors", this, "monitors", { count: this.monitors.length }));
    }
    for (const field of ["monitors", "osds", "managers", "metadataServers", "gateways"] as const) {
      const list = this[field];
      list.forEach((node, index) => {
        if (list.indexOf(node) !== index)
          problems.push(CEPH_MESSAGES.problem("ceph/duplicate-node", this, `${field}[${index}]`, { hostname: node.hostname, field }));
      });
    }
    if (this.osds.length === 0) problems.push(CEPH_MESSAGES.problem("ceph/no-osds", this, "osds", {}));
    const osdNodes = new Set(this.osds).size;
    const seen = new Set<string>();
    this.declaredPools.forEach((declared, index) => {
      const pool = this.pools[index];
      if (!pool) return;
      if (seen.has(pool.name))
        problems.push(CEPH_MESSAGES.problem("ceph/duplicate-pool", this, `pools[${index}].name`, { pool: pool.name }));
      seen.add(pool.name);
      if (osdNodes > 0 && pool.size > osdNodes) {
        problems.push(
          CEPH_MESSAGES.problem(
            "ceph/pool-size-exceeds-osd-nodes",
            this,
            `pools[${index}].${declared.size === undefined ? "name" : "size"}`,
            {
              pool: pool.name,
              size: pool.size,
              nodes: osdNodes,
            },
          ),
        );
      }
      if (pool.minSize < 1 || pool.minSize > pool.size) {
        problems.push(
          CEPH_MESSAGES.problem("ceph/min-size-invalid", this, `pools[${index}].minSize`, {
            pool: pool.name,
            minSize: pool.minSize,
            size: pool.size,
          }),
        );
      }
    });
    if (this.fileSystem && !this.pools.some((pool) => pool.name === this.fileSystem?.dataPool && pool.application === "cephfs")) {
      problems.push(CEPH_MESSAGES.problem("ceph/file-system-pool", this, "fileSystem.dataPool", { pool: this.fileSystem.dataPool }));
    }
    const rbdPools = this.pools.filter((pool) => pool.application === "rbd").map((pool) => pool.name);
    const volumeNames = new Set<string>();
    this.declaredVolumes.forEach((volume, index) => {
      if (volumeNames.has(volume.name))
        problems.push(CEPH_MESSAGES.problem("ceph/duplicate-volume", this, `volumes[${index}].name`, { volume: volume.name }));
      volumeNames.add(volume.name);
      if (volume.kind === "cephfs" && !this.fileSystem) {
        problems.push(CEPH_MESSAGES.problem("ceph/no-file-system", this, `volumes[${index}].kind`, { volume: volume.name }));
      }
      if (volume.kind === "rbd") {
        if (!volume.pool || !rbdPools.includes(volume.pool)) {
          problems.push(
            CEPH_MESSAGES.problem("ceph/unknown-pool", this, `volumes[${index}].pool`, {
              pool: volume.pool ?? "(none)",
              volume: volume.name,
              known: rbdPools.length > 0 ? listed(rbdPools, "or") : "(none declared)",
            }),
          );
        }
        if (!volume.nodes || volume.nodes.length === 0) {
          problems.push(CEPH_MESSAGES.problem("ceph/rbd-volume-without-nodes", this, `volumes[${index}].nodes`, { volume: volume.name }));
        }
      }
    });
    return problems;
  }

  /**
   * What the pools survive: a pool whose min_size the remaining OSD nodes cannot meet after one loss stops
   * serving I/O (an error), one acknowledging writes with a single copy risks them (a warning), one copy loses
   * the data with its node (an error).
   */
  availabilityFindings(): Problem[] {
    const osdNodes = new Set(this.osds).size;
    if (osdNodes === 0) return [];
    const findings: Problem[] = [];
    const hosts = listed(this.osds.map((node) => node.hostname));
    for (const pool of this.pools) {
      if (pool.size > osdNodes) continue;
      if (pool.size === 1) {
        findings.push(
          finding("error", "ceph/pool-single-copy", this, {
            message: `Ceph pool ${pool.name} keeps 1 copy: losing the OSD node holding an object loses it`,
            hint: `set the pool's \`size\` to ${Math.min(3, osdNodes)}${osdNodes < 2 ? " and add OSD nodes" : ""}`,
          }),
        );
      } else if (pool.minSize > osdNodes - 1) {
        findings.push(
          finding("error", "ceph/pool-stops-on-osd-loss", this, {
            message: `Ceph pool ${pool.name} needs ${pool.minSize} copies written (min_size) and has ${osdNodes} OSD nodes (${hosts}): losing any one stops its I/O`,
            hint: osdNodes >= 3 ? `lower \`minSize\` to ${osdNodes - 1}` : "add a third OSD node (and size 3, min_size 2)",
          }),
        );
      } else if (pool.minSize === 1) {
        findings.push(
          finding("warning", "ceph/pool-min-size-one", this, {
            message: `Ceph pool ${pool.name} acknowledges writes with one copy (size ${pool.size}, min_size 1): while an OSD node is down, a second loss loses what was written meanwhile`,
            hint: osdNodes >= 3 ? "use size 3 and min_size 2" : "add a third OSD node, then size 3 and min_size 2",
          }),
        );
      }
    }
    return findings;
  }
}

/** Every Ceph volume of the cluster, by name: what the other families (backups, the analysis) read. */
export function cephVolumesOf(cluster: Cluster): CephVolume[] {
  return cluster.node
    .findAll()
    .filter((construct): construct is CephCluster => construct instanceof CephCluster)
    .flatMap((ceph) => Object.values(ceph.volumes));
}
