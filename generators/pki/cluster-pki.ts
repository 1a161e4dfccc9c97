import type { Problem } from "../../src/core/problems.js";
import { CLUSTER_PKI_MESSAGES, X509_COMMON_NAME_MAX } from "./messages.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Certificate, CertificateAuthority, type CertificateUsage } from "../../src/model/certificate.js";
import { Cluster } from "../../src/model/cluster.js";
import { EtcdCluster } from "../etcd/etcd-cluster.js";
import type { Node } from "../../src/model/node.js";
import { crlDistributionPoint, TRUST_DOMAINS, type TrustDomain } from "./host-paths.js";

export interface ClusterPkiProps {
  /**
   * Validity of each CA certificate, in days.
   * @default 1825 (five years, as the seed's cfssl CA)
   */
  readonly validityDays?: number;
  /**
   * Validity of the node certificates, in days.
   * @default 825
   */
  readonly certificateValidityDays?: number;
}

export const CLUSTER_PKI_PROPS = propsShape<ClusterPkiProps>()({
  validityDays: "optional",
  certificateValidityDays: "optional",
});

/** What each domain's CA is for, in the order the inventory lists them. */
const DOMAIN_ORDER: readonly TrustDomain[] = [TRUST_DOMAINS.etcdPeer, TRUST_DOMAINS.etcdClient, TRUST_DOMAINS.dockerApi];

/**
 * The cluster's PKI: a CA per trust domain, as Talos keeps them apart. etcd's peers, etcd's clients and the
 * Docker TLS API each have their own CA, and each daemon trusts exactly its domain's CA, so a certificate good
 * for one domain opens nothing in another (the seed's single cfssl CA let any node certificate with client auth
 * open etcd and every Docker API). Node certificates, added when the tree is prepared (so nodes declared after
 * the ClusterPki get them too):
 * - docker-api: every node, server auth only (dockerd's TLS identity);
 * - etcd-peer: etcd members, server and client auth (members dial one another);
 * - etcd-client: etcd members, server auth for the client port and client auth for etcdctl on the member.
 * People get no committed certificate: `swarm-cluster operator-cert` mints a short-lived one from the domain's
 * CA key when it is needed.
 */
export class ClusterPki extends ClusterConstruct implements Preparable {
  private readonly authorities = new Map<TrustDomain, CertificateAuthority>();
  private readonly nodeCertificates = new Map<string, Certificate>();

  constructor(cluster: Cluster, id = "pki", props: ClusterPkiProps = {}) {
    super(cluster, id);
    props = this.acceptProps(props, CLUSTER_PKI_PROPS);
    for (const domain of DOMAIN_ORDER) {
      this.authorities.set(
        domain,
        new CertificateAuthority(this, domain, {
          commonName: `${cluster.name} ${domain} CA`,
          validityDays: props.validityDays,
          certificateValidityDays: props.certificateValidityDays,
          crlDistributionPoint: crlDistributionPoint(domain),
        }),
      );
    }
  }

  /** The CA of one trust domain. */
  authority(domain: TrustDomain): CertificateAuthority {
    const authority = this.authorities.get(domain);
    if (!authority) throw new Error(`ClusterPki declares no ${domain} CA`);
    return authority;
  }

  /** Every CA, in the order etcd-peer, etcd-client, docker-api. */
  get allAuthorities(): CertificateAuthority[] {
    return [...this.authorities.values()];
  }

  /** The node certificates of every node of the cluster, wherever the node is declared. */
  prepare(): void {
    const cluster = Cluster.of(this);
    const etcdMembers = new Set(cluster.all(EtcdCluster).flatMap((etcd) => etcd.members));
    for (const node of cluster.nodes) {
      this.nodeCertificates.set(
        `${TRUST_DOMAINS.dockerApi}/${node.hostname}`,
        this.nodeCertificate(cluster, node, TRUST_DOMAINS.dockerApi, ["server"]),
      );
      if (!etcdMembers.has(node)) continue;
      for (const domain of [TRUST_DOMAINS.etcdPeer, TRUST_DOMAINS.etcdClient]) {
        this.nodeCertificates.set(`${domain}/${node.hostname}`, this.nodeCertificate(cluster, node, domain, ["server", "client"]));
      }
    }
  }

  override validateConstruct(): Problem[] {
    return this.overlongCommonNames(Cluster.of(this));
  }

  /**
   * The CAs' subject names, which X.509 bounds at 64 characters. A node's is its hostname, which the model's
   * schema already holds to one 63-character DNS label.
   */
  private overlongCommonNames(cluster: Cluster): Problem[] {
    const longest = this.allAuthorities.reduce((a, b) => (b.commonName.length > a.commonName.length ? b : a));
    if (typeof longest.commonName !== "string" || longest.commonName.length <= X509_COMMON_NAME_MAX) return [];
    const suffix = longest.commonName.length - cluster.name.length;
    return [
      CLUSTER_PKI_MESSAGES.problem("pki/common-name-too-long", this, "", {
        commonName: longest.commonName,
        what: "a CA (`<cluster name> <domain> CA`)",
        fix: `shorten the Cluster's \`name\` to at most ${X509_COMMON_NAME_MAX - suffix} characters`,
      }),
    ];
  }

  /** A node's certificate in a domain (once the tree is prepared). */
  certificateFor(hostname: string, domain: TrustDomain = TRUST_DOMAINS.dockerApi): Certificate | undefined {
    return this.nodeCertificates.get(`${domain}/${hostname}`);
  }

  /**
   * A node's certificate serves it as a server (etcd, dockerd) and, where `usages` says so, as a client;
   * reachable by its short name, its name in the cluster domain and every address.
   */
  private nodeCertificate(cluster: Cluster, node: Node, domain: TrustDomain, usages: CertificateUsage[]): Certificate {
    return new Certificate(this.authority(domain), node.hostname, {
      commonName: node.hostname,
      dnsNames: [node.hostname, `${node.hostname}.${cluster.domain}`, "localhost"],
      ipAddresses: [node.privateIp, ...(node.publicIp ? [node.publicIp] : []), "127.0.0.1"],
      usages,
      installedOn: node.hostname,
    });
  }
}
