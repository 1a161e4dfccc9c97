import type { Problem } from "../../src/core/problems.js";
import { CLUSTER_PKI_MESSAGES, X509_COMMON_NAME_MAX } from "./messages.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Certificate, CertificateAuthority } from "../../src/model/certificate.js";
import { Cluster } from "../../src/model/cluster.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import type { Node } from "../../src/model/node.js";

export interface ClusterPkiProps {
  /**
   * Subject common name of the cluster CA, at most 64 characters (X.509's ub-common-name).
   * @default "<cluster name> cluster CA"
   */
  readonly commonName?: string;
  /**
   * People (or tools) that drive the Docker TLS API; each gets a client certificate for
   * `~/.docker/{ca,cert,key}.pem`. Names must differ from every hostname (both name certificate files)
   * and hold at most 64 characters (each is its certificate's common name).
   * @default ["operator"]
   */
  readonly operators?: readonly string[];
  /**
   * Validity of the CA certificate, in days.
   * @default 1825 (five years, as the seed's cfssl CA)
   */
  readonly validityDays?: number;
  /**
   * Validity of the node and operator certificates, in days.
   * @default 825
   */
  readonly certificateValidityDays?: number;
}

/**
 * The cluster's PKI after the seed's cfssl set-up: one CA, a certificate per node and a client certificate
 * per operator. The seed gave every node cfssl's peer profile (server + client auth); here only etcd members
 * keep client auth, which their peer connections need, so a stolen front key opens neither etcd nor the
 * Docker TLS API.
 * Node certificates are added when the tree is prepared, so nodes declared after the ClusterPki get one too.
 */
export const CLUSTER_PKI_PROPS = propsShape<ClusterPkiProps>()({
  commonName: "optional",
  operators: "optional list",
  validityDays: "optional",
  certificateValidityDays: "optional",
});

export class ClusterPki extends ClusterConstruct implements Preparable {
  readonly authority: CertificateAuthority;
  private readonly nodeCertificates = new Map<string, Certificate>();
  private readonly operatorNames: readonly string[];

  constructor(cluster: Cluster, id = "pki", props: ClusterPkiProps = {}) {
    super(cluster, id);
    props = this.acceptProps(props, CLUSTER_PKI_PROPS);
    this.authority = new CertificateAuthority(this, "ca", {
      commonName: props.commonName ?? `${cluster.name} cluster CA`,
      validityDays: props.validityDays,
      certificateValidityDays: props.certificateValidityDays,
    });
    this.operatorNames = props.operators ?? ["operator"];
    for (const name of this.operatorNames) new Certificate(this.authority, name, { commonName: name, usages: ["client"] });
  }

  /** One certificate per node of the cluster, wherever the node is declared. */
  prepare(): void {
    const cluster = Cluster.of(this);
    const etcdMembers = new Set(cluster.all(EtcdCluster).flatMap((etcd) => etcd.members));
    for (const node of cluster.nodes) {
      // Reported by validateConstruct(); its certificate would collide with the operator's.
      if (this.operatorNames.includes(node.hostname)) continue;
      this.nodeCertificates.set(node.hostname, this.nodeCertificate(cluster, node, etcdMembers.has(node)));
    }
  }

  override validateConstruct(): Problem[] {
    const cluster = Cluster.of(this);
    const hostnames = new Set(cluster.nodes.map((node) => node.hostname));
    return [
      ...this.operatorNames
        .filter((name) => hostnames.has(name))
        .map((name) => CLUSTER_PKI_MESSAGES.problem("pki/operator-named-like-node", this, "operators", { name })),
      ...this.overlongCommonNames(cluster),
    ];
  }

  /**
   * Subject names X.509 bounds at 64 characters: the CA's and each operator's. A node's is its hostname,
   * which the model's schema already holds to one 63-character DNS label.
   */
  private overlongCommonNames(cluster: Cluster): Problem[] {
    const tooLong = (name: unknown): name is string => typeof name === "string" && name.length > X509_COMMON_NAME_MAX;
    const problems: Problem[] = [];
    const caName = this.authority.commonName;
    if (tooLong(caName)) {
      const derived = caName === `${cluster.name} cluster CA`;
      problems.push(
        CLUSTER_PKI_MESSAGES.problem("pki/common-name-too-long", this, "commonName", {
          commonName: caName,
          what: derived ? "the cluster CA (`<cluster name> cluster CA`)" : "the cluster CA",
          fix: derived
            ? `shorten the Cluster's \`name\` to at most ${X509_COMMON_NAME_MAX - " cluster CA".length} characters, or give ClusterPki a shorter \`commonName\``
            : "give ClusterPki a shorter `commonName`",
        }),
      );
    }
    this.operatorNames.forEach((name, index) => {
      if (tooLong(name)) {
        problems.push(
          CLUSTER_PKI_MESSAGES.problem("pki/common-name-too-long", this, `operators[${index}]`, {
            commonName: name,
            what: "an operator's client certificate",
            fix: "shorten the operator's name in `operators`",
          }),
        );
      }
    });
    return problems;
  }

  /** The certificate installed on a node (once the tree is prepared). */
  certificateFor(hostname: string): Certificate | undefined {
    return this.nodeCertificates.get(hostname);
  }

  /** The client certificates of the operators, in the order given. */
  get operatorCertificates(): Certificate[] {
    return this.operatorNames.flatMap((name) => this.authority.certificates.filter((certificate) => certificate.name === name));
  }

  /**
   * A node's certificate serves it as a server (etcd, dockerd, the registry) and, on etcd members, as a
   * client of their peers; reachable by its short name, its name in the cluster domain and every address.
   */
  private nodeCertificate(cluster: Cluster, node: Node, etcdMember: boolean): Certificate {
    return new Certificate(this.authority, node.hostname, {
      commonName: node.hostname,
      dnsNames: [node.hostname, `${node.hostname}.${cluster.domain}`, "localhost"],
      ipAddresses: [node.privateIp, ...(node.publicIp ? [node.publicIp] : []), "127.0.0.1"],
      // Client auth only where a node must log in somewhere: etcd members to their peers. The Docker TLS
      // API and etcd trust every client certificate of this CA, so a front's key (the nodes facing the
      // internet) must not open them.
      usages: etcdMember ? ["server", "client"] : ["server"],
      installedOn: node.hostname,
    });
  }
}
