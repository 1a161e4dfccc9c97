import { ClusterConstruct } from "../model/base.js";
import { Certificate, CertificateAuthority } from "../model/certificate.js";
import type { Cluster } from "../model/cluster.js";
import type { Node } from "../model/node.js";

export interface ClusterPkiProps {
  /**
   * Subject common name of the cluster CA.
   * @default "<cluster name> cluster CA"
   */
  readonly commonName?: string;
  /**
   * People (or tools) that drive the Docker TLS API; each gets a client certificate for
   * `~/.docker/{ca,cert,key}.pem`. Names must differ from every hostname: both name certificate files.
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
 * The cluster's PKI as the seed's cfssl set-up had it: one CA, a peer certificate per node (server + client
 * auth, for etcd peers and clients and the Docker TLS API) and a client certificate per operator.
 *
 * Declare it AFTER the nodes: the node certificates are created here, from the nodes declared so far
 * (constructs cannot be added once synthesis has started). A node declared later has no certificate,
 * which the tree's validation reports.
 */
export class ClusterPki extends ClusterConstruct {
  readonly authority: CertificateAuthority;
  private readonly nodeCertificates = new Map<string, Certificate>();
  private readonly operatorNames: readonly string[];

  constructor(cluster: Cluster, id = "pki", props: ClusterPkiProps = {}) {
    super(cluster, id);
    this.authority = new CertificateAuthority(this, "ca", {
      commonName: props.commonName ?? `${cluster.name} cluster CA`,
      validityDays: props.validityDays,
      certificateValidityDays: props.certificateValidityDays,
    });
    for (const node of cluster.nodes) this.nodeCertificates.set(node.hostname, this.peerCertificate(cluster, node));

    this.operatorNames = props.operators ?? ["operator"];
    for (const name of this.operatorNames) {
      if (this.nodeCertificates.has(name)) {
        throw new Error(`ClusterPki: operator "${name}" has the name of a node; operator and node certificates share pki/certs/<name>.crt`);
      }
      new Certificate(this.authority, name, { commonName: name, usages: ["client"] });
    }

    this.node.addValidation({
      validate: () =>
        cluster.nodes
          .filter((node) => !this.nodeCertificates.has(node.hostname))
          .map((node) => `node ${node.hostname} is declared after ${this.path}, so it has no certificate: declare ClusterPki after every node`),
    });
  }

  /** The peer certificate installed on a node, if the node was declared before this construct. */
  certificateFor(hostname: string): Certificate | undefined {
    return this.nodeCertificates.get(hostname);
  }

  /** The client certificates of the operators, in the order given. */
  get operatorCertificates(): Certificate[] {
    return this.operatorNames.flatMap((name) => this.authority.certificates.filter((certificate) => certificate.name === name));
  }

  /**
   * cfssl's peer profile: one certificate serves a node both as a server (etcd, dockerd) and as a client (etcd
   * peers), reachable by its short name, its name in the cluster domain and every address it listens on.
   */
  private peerCertificate(cluster: Cluster, node: Node): Certificate {
    return new Certificate(this.authority, node.hostname, {
      commonName: node.hostname,
      dnsNames: [node.hostname, `${node.hostname}.${cluster.domain}`, "localhost"],
      ipAddresses: [node.privateIp, ...(node.publicIp ? [node.publicIp] : []), "127.0.0.1"],
      usages: ["server", "client"],
      installedOn: node.hostname,
    });
  }
}
