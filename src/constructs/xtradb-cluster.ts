import type { Construct } from "constructs";
import type { Finding } from "../analysis/findings.js";
import { quorumFindings } from "../analysis/quorum.js";
import { ClusterConstruct } from "../model/base.js";
import type { OverlayNetwork } from "../model/network.js";
import type { Node } from "../model/node.js";
import type { Secret } from "../model/secret.js";
import { Service } from "../model/service.js";
import type { Stack } from "../model/stack.js";

export interface XtraDbClusterProps {
  readonly stack: Stack;
  /** The overlay the Galera members and their proxies share (dbnet). */
  readonly network: OverlayNetwork;
  /** Database nodes; one Galera member is pinned to each (a member has an identity and a data dir). */
  readonly nodes: readonly Node[];
  /**
   * A node that runs the Galera arbitrator (garbd): a voter without data, so that two data nodes keep a
   * majority when one fails.
   */
  readonly arbitrator?: Node;
  /** Docker secret holding the MySQL root password. */
  readonly rootPassword: Secret;
  /**
   * Galera cluster name (`wsrep_cluster_name`).
   * @default "xtracluster"
   */
  readonly clusterName?: string;
  /** @default "percona/percona-xtradb-cluster:8.0.39" */
  readonly image?: string;
}

export interface GaleraBackend {
  /** Service name, resolvable on the overlay. */
  readonly host: string;
  readonly port: number;
  readonly node: Node;
}

/** A Percona XtraDB (Galera) cluster: one pinned member per database node, plus an optional arbitrator. */
export class XtraDbCluster extends ClusterConstruct {
  readonly clusterName: string;
  readonly members: readonly Service[];
  readonly arbitrator: Service | undefined;
  private readonly dataNodes: readonly Node[];

  constructor(scope: Construct, id: string, props: XtraDbClusterProps) {
    super(scope, id);
    this.clusterName = props.clusterName ?? "xtracluster";
    this.dataNodes = props.nodes;
    const image = props.image ?? "percona/percona-xtradb-cluster:8.0.39";
    const memberNames = props.nodes.map((_, index) => `pxc-${index + 1}`);
    this.members = props.nodes.map(
      (node, index) =>
        new Service(props.stack, memberNames[index] as string, {
          image,
          placement: { hostname: node.hostname, tier: "db" },
          networks: [props.network],
          environment: {
            CLUSTER_NAME: this.clusterName,
            // The first member bootstraps; the others join it and every earlier member.
            CLUSTER_JOIN: memberNames.filter((name) => name !== memberNames[index]).join(","),
            MYSQL_ROOT_PASSWORD_FILE: `/run/secrets/${props.rootPassword.name}`,
          },
          secrets: [props.rootPassword],
          volumes: [`xtradb-data:/var/lib/mysql`],
        }),
    );
    this.arbitrator = props.arbitrator
      ? new Service(props.stack, "garbd", {
          image,
          placement: { hostname: props.arbitrator.hostname },
          networks: [props.network],
          command: ["garbd", "--group", this.clusterName, "--address", `gcomm://${memberNames.join(",")}`],
        })
      : undefined;
  }

  /** What ProxySQL routes to: each member by service name on the database overlay. */
  get backends(): GaleraBackend[] {
    return this.members.map((service, index) => ({ host: service.name, port: 3306, node: this.dataNodes[index] as Node }));
  }

  availabilityFindings(): Finding[] {
    const voters = this.members.length + (this.arbitrator ? 1 : 0);
    const findings = quorumFindings(this.path, `XtraDB cluster "${this.clusterName}" (Galera)`, voters, "galera");
    if (this.members.length < 2) {
      findings.push({
        severity: "error",
        code: "galera/single-copy",
        construct: this.path,
        message: `XtraDB cluster "${this.clusterName}" keeps its data on ${this.members.length} node(s): losing it loses the data`,
      });
    }
    return findings;
  }
}
