import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ETCD_MESSAGES } from "./messages.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile } from "../../src/model/node.js";
import type { Node } from "../../src/model/node.js";
import { SystemdUnit } from "../../src/model/node.js";
import { withHashHeader } from "../../src/synth/header.js";
import { listed } from "../../src/core/wording.js";
import type { MajorityGroup } from "../../src/validate/quorum-group.js";
import {
  clientEndpointsOf,
  ETCD_CLIENT_PORT,
  ETCD_PEER_PORT,
  etcdFlags,
  initialClusterOf,
  type EtcdPeer,
  type EtcdTlsFiles,
} from "./etcd-flags.js";
import { type DomainTlsPaths, HOST_TLS } from "../pki/host-paths.js";
import { commandLine, renderUnit } from "../systemd/unit-text.js";

export interface EtcdClusterProps {
  /**
   * Nodes that run a member, one each; 3 or 5 keep a majority through one or two failures. App-tier nodes
   * only, as the seed runs etcd: a member holds an etcd-client certificate with client auth (ClusterPki),
   * which opens etcd.
   */
  readonly members: readonly Node[];
  /**
   * etcd release, used for the default image tag.
   * @default "v3.5.17"
   */
  readonly version?: string;
  /**
   * Container image of etcd.
   * @default `quay.io/coreos/etcd:<version>`
   */
  readonly image?: string;
  /**
   * Members that join the running cluster instead of forming it: a replaced node (its data dir is new) or
   * an added one. Before provisioning it, run `etcdctl member remove <old id>` (a replacement) and
   * `etcdctl member add <hostname> --peer-urls=https://<privateIp>:2380` on a healthy member; the new member
   * then starts with `--initial-cluster-state=existing` and receives the data from its peers. Leaving it
   * listed afterwards is harmless: etcd reads the initial-cluster flags only while its data dir is empty.
   * @default none: every member forms the cluster
   */
  readonly joining?: readonly Node[];
}

export const ETCD_CLUSTER_PROPS = propsShape<EtcdClusterProps>()({
  members: "required list",
  version: "optional",
  image: "optional",
  joining: "optional list",
});

/** Name of the unit and of its container; `docker exec etcd-member etcdctl …` reaches a member. */
const MEMBER = "etcd-member";
const DATA_DIR = "/var/lib/etcd";

/**
 * A TLS etcd cluster on some nodes, each member a container started by systemd. The seed ran etcd through
 * CoreOS's etcd-wrapper, which current Flatcar no longer ships; Flatcar still ships Docker, so the member
 * runs as a host-network container with the data dir and certificates mounted from the host.
 */
export class EtcdCluster extends ClusterConstruct implements MajorityGroup {
  /** Marks the construct for the model validation's etcd membership checks. */
  readonly quorumKind = "etcd";
  /** Marks the construct for the failure simulation: a Raft group, one vote per member. */
  readonly majorityGroup = true;
  readonly quorumDescription = {
    component: "etcd",
    codePrefix: "etcd",
    addVoter: "add members (nodes of the app tier) to `members`",
  } as const;
  readonly members: readonly Node[];
  /** Members that join the running cluster (see EtcdClusterProps.joining). */
  readonly joining: readonly Node[];
  readonly version: string;
  readonly image: string;

  constructor(scope: Construct, id: string, props: EtcdClusterProps) {
    super(scope, id);
    props = this.acceptProps(props, ETCD_CLUSTER_PROPS);
    this.members = [...(props.members ?? [])];
    this.joining = [...(props.joining ?? [])];
    this.version = props.version ?? "v3.5.17";
    this.image = props.image ?? `quay.io/coreos/etcd:${this.version}`;
    for (const member of this.members) {
      new SystemdUnit(member, `${MEMBER}.service`, { contents: () => this.unitText(member) });
      new SystemdUnit(member, `${MEMBER}.path`, { contents: () => keyWatchText() });
      new HostFile(member, "etcd-profile", { path: "/etc/profile.d/01-etcd.sh", contents: () => this.profileScript() });
    }
  }

  /** The members as etcd addresses them: hostname, private IP, the standard ports. */
  get peers(): EtcdPeer[] {
    return this.members.map((member) => ({
      name: member.hostname,
      host: member.privateIp,
      clientPort: ETCD_CLIENT_PORT,
      peerPort: ETCD_PEER_PORT,
    }));
  }

  /** `--initial-cluster`: `sw-node-1=https://10.10.1.21:2380,…`, derived from the members. */
  get initialCluster(): string {
    return initialClusterOf(this.peers);
  }

  /** Client URLs of every member, for etcdctl and for anything that uses etcd (e.g. discovery). */
  get clientEndpoints(): string[] {
    return clientEndpointsOf(this.peers);
  }

  /** The etcd flags of one member, as its unit runs them. */
  flagsFor(member: Node): string[] {
    const peers = this.peers;
    const self = peers.find((peer) => peer.name === member.hostname);
    if (!self) throw new Error(`${member.path} is not a member of ${this.path}`);
    return etcdFlags({
      self,
      peers,
      clusterToken: Cluster.of(this).name,
      dataDir: DATA_DIR,
      tls: { client: tlsFiles(HOST_TLS.etcdClient), peer: tlsFiles(HOST_TLS.etcdPeer) },
      clusterState: this.joining.includes(member) ? "existing" : "new",
    });
  }

  override validateConstruct(): Problem[] {
    return [
      ...this.joining
        .filter((node) => !this.members.includes(node))
        .map((node) => ETCD_MESSAGES.problem("etcd/joining-not-member", this, "joining", { hostname: node.hostname })),
      ...this.misplacedMembers(),
    ];
  }

  /**
   * Members only on app-tier nodes, where the seed runs etcd: a member holds an etcd-client certificate with
   * client auth, which opens etcd. Kept to the app tier, a stolen front key (the nodes facing the internet)
   * does not.
   * An unknown tier is the schema's to report.
   */
  private misplacedMembers(): Problem[] {
    return this.members.flatMap((member, index) =>
      member.tier !== "app" && ["front", "proxy", "db"].includes(member.tier)
        ? [ETCD_MESSAGES.problem("etcd/member-not-app-tier", this, `members[${index}]`, { hostname: member.hostname, tier: member.tier })]
        : [],
    );
  }

  get voterNodes(): readonly Node[] {
    return this.members;
  }

  /** App nodes that run no member yet: where the seed runs etcd, and where a member's certificate may go. */
  voterCandidates(): readonly Node[] {
    return Cluster.of(this)
      .nodesInTier("app")
      .filter((node) => !this.members.includes(node));
  }

  addVotersFix(nodes: readonly Node[]): string {
    return `add ${listed(nodes.map((node) => node.hostname))} to the etcd \`members\``;
  }

  private unitText(member: Node): string {
    const docker = "/usr/bin/docker";
    const run = [
      "--rm",
      `--name=${MEMBER}`,
      "--net=host",
      `--volume=${DATA_DIR}:${DATA_DIR}`,
      // Its two domains only: the container never sees the node's Docker API key.
      `--volume=${HOST_TLS.etcdPeer.directory}:${HOST_TLS.etcdPeer.directory}:ro`,
      `--volume=${HOST_TLS.etcdClient.directory}:${HOST_TLS.etcdClient.directory}:ro`,
      this.image,
      "/usr/local/bin/etcd",
      ...this.flagsFor(member),
    ];
    return renderUnit({
      Unit: [
        ["Description", `etcd member ${member.hostname} of the ${Cluster.of(this).name} cluster`],
        // The member binds the private address: wait until the network is configured.
        ["Wants", "network-online.target"],
        ["After", "network-online.target docker.service"],
        ["Requires", "docker.service"],
        // The node keys are delivered apart from the public config (they never enter out/). Without them etcd
        // would exit at once and restart every 5 s; with these conditions the unit is skipped instead, and
        // etcd-member.path starts it when the keys arrive (provisioning writes both at once).
        ["ConditionPathExists", HOST_TLS.etcdPeer.key],
        ["ConditionPathExists", HOST_TLS.etcdClient.key],
      ],
      Service: [
        // A container left over from a crash would hold the name; "-" because usually there is none.
        ["ExecStartPre", `-${docker} rm --force ${MEMBER}`],
        ["ExecStart", commandLine(`${docker} run`, run)],
        ["ExecStop", `${docker} stop ${MEMBER}`],
        ["Restart", "always"],
        ["RestartSec", "5s"],
      ],
      Install: [["WantedBy", "multi-user.target"]],
    });
  }

  private profileScript(): string {
    const environment = [
      ["ETCDCTL_API", "3"],
      ["ETCDCTL_ENDPOINTS", this.clientEndpoints.join(",")],
      ["ETCDCTL_CACERT", HOST_TLS.etcdClient.trustBundle],
      ["ETCDCTL_CERT", HOST_TLS.etcdClient.certificate],
      ["ETCDCTL_KEY", HOST_TLS.etcdClient.key],
    ] as const;
    const names = environment.map(([name]) => `-e ${name}`).join(" ");
    return withHashHeader(
      [
        `# etcdctl environment for the ${Cluster.of(this).name} etcd cluster (TLS with client certificates).`,
        ...environment.map(([name, value]) => `export ${name}=${value}`),
        "# etcdctl of the member's own release, from its container, which mounts the certificates at these paths",
        "# (`docker exec -e NAME` passes this shell's value through).",
        `alias etcdctl='docker exec ${names} ${MEMBER} etcdctl'`,
        "",
      ].join("\n"),
    );
  }
}

/**
 * Starts the member when the node key appears, on a boot where it was missing. On boots where the key is
 * there, the member starts with multi-user.target and this unit is skipped: a path unit left watching
 * would start the member again after an operator stops it. (On the boot the key arrives, stop
 * etcd-member.path before stopping the member.)
 */
function keyWatchText(): string {
  return renderUnit({
    Unit: [
      ["Description", "Start etcd-member.service once the node keys are delivered"],
      ["ConditionPathExists", `!${HOST_TLS.etcdClient.key}`],
    ],
    Path: [
      ["PathExists", HOST_TLS.etcdClient.key],
      ["Unit", `${MEMBER}.service`],
    ],
    Install: [["WantedBy", "paths.target"]],
  });
}

function tlsFiles(paths: DomainTlsPaths): EtcdTlsFiles {
  return { ca: paths.trustBundle, cert: paths.certificate, key: paths.key, crl: paths.crl };
}
