/** What one CA (one trust domain) resolved to: reused from the committed state or newly issued; public parts only. */
export interface AuthorityMaterial {
  /** PEM of the CA that issues the domain's certificates. */
  readonly caCertificatePem: string;
  /**
   * PEM of every CA the domain's daemons trust now: the issuing CA, followed, during a rotation, by the CA
   * coming in (`ca.next.crt`) or going out (`ca.previous.crt`). Outside a rotation, the issuing CA alone.
   */
  readonly trustBundlePem: string;
  /** PEM of each issued certificate, by certificate name. */
  readonly certificates: ReadonlyMap<string, string>;
  /**
   * PEM of the issuing CA's certificate revocation list (`pki/<domain>/crl.pem`), as committed; undefined when a
   * check finds none yet.
   */
  readonly crlPem?: string | undefined;
}

/** Certificates the build resolved, by trust domain (the CertificateAuthority's id). */
export interface PkiMaterial {
  readonly authorities: ReadonlyMap<string, AuthorityMaterial>;
}

export const NO_PKI: PkiMaterial = { authorities: new Map() };

/** A file outside out/ that the build keeps as state: issued certificates (committed) and keys (secrets/). */
export interface StateWrite {
  /** Absolute path. */
  readonly path: string;
  readonly content: string;
  /** Permission bits; 0o600 for private keys. */
  readonly mode: number;
}

export interface PkiResolution {
  readonly material: PkiMaterial;
  /** State to write when the build succeeds; empty when every certificate was reused. */
  readonly writes: readonly StateWrite[];
  /** Why certificates need issuing, one line each; `build --check` reports these as differences. */
  readonly pending: readonly string[];
}

export interface PkiOptions {
  /** Committed certificate state, e.g. `<config dir>/pki`; each trust domain has a folder in it. */
  readonly stateDir: string;
  /** Git-ignored private keys, e.g. `<config dir>/secrets/pki`; each trust domain has a folder in it. */
  readonly secretsDir: string;
  /** False for `build --check`: nothing may be issued, pending issues are reported instead. */
  readonly allowIssue: boolean;
}

/** Reuses committed certificates whose inputs are unchanged and issues the rest (needs the CA key). */
export type PkiResolver = (cluster: import("../model/cluster.js").Cluster, options: PkiOptions) => Promise<PkiResolution>;
