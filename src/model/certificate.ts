import type { Construct } from "constructs";
import { ClusterConstruct } from "./base.js";
import { propsShape } from "./props-shape.js";

export type CertificateUsage = "server" | "client";

export interface CertificateAuthorityProps {
  /** Subject common name of the CA. */
  readonly commonName: string;
  /**
   * Validity of the CA certificate, in days.
   * @default 1825 (five years, as the seed's cfssl CA)
   */
  readonly validityDays?: number;
  /**
   * Validity of the certificates it issues, in days.
   * @default 825
   */
  readonly certificateValidityDays?: number;
  /**
   * Where the CA's certificate revocation list is published, as a URI: every certificate the CA issues names it
   * in its CRL Distribution Points extension.
   * @default none (no CRL Distribution Points extension)
   */
  readonly crlDistributionPoint?: string;
}

export const CERTIFICATE_AUTHORITY_PROPS = propsShape<CertificateAuthorityProps>()({
  commonName: "required",
  validityDays: "optional",
  certificateValidityDays: "optional",
  crlDistributionPoint: "optional",
});

/**
 * A CA of the cluster, one per trust domain (etcd peers, etcd clients, the Docker TLS API): its id names the
 * domain, and with it the domain's state folder (`pki/<id>/`) and its folder on the hosts (`/etc/ssl/swarm/<id>/`).
 * A daemon trusts exactly its domain's CA, so a certificate issued for one domain opens nothing in another.
 */
export class CertificateAuthority extends ClusterConstruct {
  /** The trust domain: the construct id. */
  readonly domain: string;
  readonly commonName: string;
  readonly validityDays: number;
  readonly certificateValidityDays: number;
  readonly crlDistributionPoint: string | undefined;

  constructor(scope: Construct, id: string, props: CertificateAuthorityProps) {
    super(scope, id);
    props = this.acceptProps(props, CERTIFICATE_AUTHORITY_PROPS);
    this.domain = id;
    this.commonName = props.commonName;
    this.validityDays = props.validityDays ?? 1825;
    this.certificateValidityDays = props.certificateValidityDays ?? 825;
    this.crlDistributionPoint = props.crlDistributionPoint;
  }

  get certificates(): Certificate[] {
    return this.node.children.filter((c): c is Certificate => c instanceof Certificate);
  }
}

export interface CertificateProps {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly ipAddresses?: readonly string[];
  /** `server` adds serverAuth, `client` adds clientAuth to the extended key usage. */
  readonly usages: readonly CertificateUsage[];
  /** Hostname of the node the certificate and its key are installed on, if any. */
  readonly installedOn?: string;
}

export const CERTIFICATE_PROPS = propsShape<CertificateProps>()({
  commonName: "required",
  dnsNames: "optional list",
  ipAddresses: "optional list",
  usages: "required list",
  installedOn: "optional",
});

/** A certificate the CA issues; its id is the certificate's file name stem. */
export class Certificate extends ClusterConstruct {
  readonly name: string;
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly usages: readonly CertificateUsage[];
  readonly installedOn: string | undefined;

  constructor(scope: CertificateAuthority, name: string, props: CertificateProps) {
    super(scope, name);
    props = this.acceptProps(props, CERTIFICATE_PROPS);
    this.name = name;
    this.commonName = props.commonName;
    this.dnsNames = props.dnsNames ?? [];
    this.ipAddresses = props.ipAddresses ?? [];
    this.usages = props.usages;
    this.installedOn = props.installedOn;
  }
}
