/**
 * Where the cluster's TLS material lives on every host: one folder per trust domain, laid out as the Docker
 * CLI's `~/.docker/{ca,cert,key}.pem`. The Ignition generator writes the public parts; the constructs (etcd,
 * the Docker TLS API) point their flags at the same paths, so both read them from here.
 */
export interface DomainTlsPaths {
  /** The domain's folder, mounted read-only into a container that needs exactly this domain. */
  readonly directory: string;
  /** Every CA the domain trusts now: the issuing one, and during a rotation the one coming in or going out. */
  readonly trustBundle: string;
  /** The node's certificate in this domain. */
  readonly certificate: string;
  /**
   * The node's private key in this domain. Never in out/ (a committed folder): it is delivered out of band from
   * the git-ignored secrets/ folder, so nothing generated writes it.
   */
  readonly key: string;
  /**
   * The domain's certificate revocation list, as committed in `pki/<domain>/crl.pem`: etcd refuses the
   * certificates it lists (`--client-crl-file`, `--peer-crl-file`); every certificate of the domain names it
   * (as a `file:` URI) in its CRL Distribution Points extension.
   */
  readonly crl: string;
}

const ROOT = "/etc/ssl/swarm";

export function hostTls(domain: string): DomainTlsPaths {
  const directory = `${ROOT}/${domain}`;
  return {
    directory,
    trustBundle: `${directory}/ca.pem`,
    certificate: `${directory}/cert.pem`,
    key: `${directory}/key.pem`,
    crl: `${directory}/crl.pem`,
  };
}

/**
 * Where a domain's CRL is published, named in every certificate of the domain: the file its hosts hold. No
 * program of the cluster fetches a CRL (Go's TLS in etcd, dockerd, the Docker CLI and etcdctl never does; etcd
 * reads its local file), so a `file:` URI names the one place the list is published and read, rather than a web
 * address nothing serves.
 */
export function crlDistributionPoint(domain: string): string {
  return `file://${hostTls(domain).crl}`;
}

/** `/etc/ssl/swarm/<domain>/cert.pem` → domain, for a reader of an Ignition config (provisioning). */
export function domainOfCertificatePath(file: string): string | undefined {
  return new RegExp(`^${ROOT}/([a-z0-9][a-z0-9-]*)/cert\\.pem$`).exec(file)?.[1];
}

/** The trust domains ClusterPki declares, each a CA of its own: a certificate good for one opens nothing else. */
export const TRUST_DOMAINS = {
  /** etcd members to one another (port 2380): `--peer-trusted-ca-file`. */
  etcdPeer: "etcd-peer",
  /** etcd's clients (port 2379): the members' serving certificate and every client's, `--trusted-ca-file`. */
  etcdClient: "etcd-client",
  /** The Docker TLS API (port 2376): dockerd's serving certificate and the operators', `--tlscacert`. */
  dockerApi: "docker-api",
} as const;

export type TrustDomain = (typeof TRUST_DOMAINS)[keyof typeof TRUST_DOMAINS];

export const HOST_TLS = {
  /** Every domain's folder sits here (audited as one). */
  root: ROOT,
  etcdPeer: hostTls(TRUST_DOMAINS.etcdPeer),
  etcdClient: hostTls(TRUST_DOMAINS.etcdClient),
  dockerApi: hostTls(TRUST_DOMAINS.dockerApi),
} as const;
