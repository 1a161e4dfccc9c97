import type { Problem } from "../core/problems.js";
import type { Certificate, CertificateAuthority } from "../model/certificate.js";
import type { InvalidClock } from "./clock.js";
import type { Change } from "./compare.js";
import type { PkiState } from "./state.js";

/**
 * Every PKI problem a build can stop on, in one place. Each says which file is at stake and how to get
 * out, because the way out (restore a key, or start over with a new CA) is an operational decision.
 */

const NEW_CA_CONSEQUENCE = "every node must then be re-provisioned with the new CA and certificates";

/** `isNew`: no certificate is committed yet (a node or operator was added), as opposed to one that changed. */
export function caKeyMissing(certificate: Certificate, changes: readonly Change[], isNew: boolean, state: PkiState): Problem {
  const key = state.display(state.caKey);
  const what = isNew ? "must be issued (it is new)" : `must be re-issued (${describe(changes)})`;
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-key-missing",
    construct: certificate.path,
    field: changes.find((change) => change.field !== "")?.field ?? "",
    message: `${state.display(state.certificate(certificate.name))} ${what}, but the CA private key ${key} is missing, so nothing can be signed`,
    hint: `restore ${key} from your secret store (the key of the CA in ${state.display(state.caCertificate)}), or remove ${state.display(state.stateDir)}/ to create a new CA (${NEW_CA_CONSEQUENCE})`,
    location: certificate.location,
  };
}

export function caKeyMismatch(authority: CertificateAuthority, state: PkiState): Problem {
  const key = state.display(state.caKey);
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-key-mismatch",
    construct: authority.path,
    field: "",
    message: `the CA private key ${key} does not belong to the CA certificate ${state.display(state.caCertificate)}; certificates signed with it would not verify`,
    hint: `restore the matching ${key} from your secret store, or remove ${state.display(state.caCertificate)} and ${key} to create a new CA (${NEW_CA_CONSEQUENCE})`,
    location: authority.location,
  };
}

export function caRenamed(authority: CertificateAuthority, committedName: string, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-renamed",
    construct: authority.path,
    field: "commonName",
    message: `the CA in ${state.display(state.caCertificate)} is "${committedName}", the config names it "${authority.commonName}"; a renamed CA is a new CA`,
    hint: `set commonName back to "${committedName}", or, to replace the CA, remove ${state.display(state.caCertificate)} and ${state.display(state.caKey)} (${NEW_CA_CONSEQUENCE})`,
    location: authority.location,
  };
}

export function caExpiring(authority: CertificateAuthority, expires: string, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-expiring",
    construct: authority.path,
    field: "validityDays",
    message: `the CA in ${state.display(state.caCertificate)} expires on ${expires}: certificates it issues cannot outlive it, so renewing them no longer helps`,
    hint: `rotate the CA with an overlap (README, "Rotating a CA"): \`swarm-cluster rotate-ca ${authority.domain} start\`, build and apply, then \`switch\`, then \`finish\``,
    location: authority.location,
  };
}

export function caKeyWithoutCertificate(authority: CertificateAuthority, state: PkiState): Problem {
  const key = state.display(state.caKey);
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-certificate-missing",
    construct: authority.path,
    field: "",
    message: `${state.display(state.caCertificate)} is missing but the CA private key ${key} exists; creating a new CA would overwrite that key`,
    hint: `restore ${state.display(state.caCertificate)} from git history, or move ${key} away to create a new CA (${NEW_CA_CONSEQUENCE})`,
    location: authority.location,
  };
}

export function unreadableCaCertificate(authority: CertificateAuthority, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/ca-certificate-unreadable",
    construct: authority.path,
    field: "",
    message: `${state.display(state.caCertificate)} is not a PEM certificate`,
    hint: `restore ${state.display(state.caCertificate)} from git history`,
    location: authority.location,
  };
}

export function duplicateDomain(authority: CertificateAuthority): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/duplicate-domain",
    construct: authority.path,
    field: "",
    message: `two CertificateAuthority constructs have the id "${authority.domain}"; the id names the trust domain and its state folder pki/${authority.domain}/`,
    hint: "give each CertificateAuthority an id of its own (ClusterPki declares etcd-peer, etcd-client and docker-api)",
    location: authority.location,
  };
}

export function invalidDomain(authority: CertificateAuthority): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/domain-name",
    construct: authority.path,
    field: "",
    message: `the CertificateAuthority id "${authority.domain}" cannot name a folder (pki/<id>/, /etc/ssl/swarm/<id>/)`,
    hint: "use lower-case letters, digits and dashes, starting with a letter or digit (e.g. `docker-api`)",
    location: authority.location,
  };
}

export function reservedName(certificate: Certificate): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/reserved-name",
    construct: certificate.path,
    field: "",
    message: `a certificate cannot be named "${certificate.name}": its files would be the CA's own (ca.crt, ca.next.crt, ca.previous.crt and their keys)`,
    hint: "give the certificate another id",
    location: certificate.location,
  };
}

export function invalidClock(authority: CertificateAuthority, error: InvalidClock): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/invalid-clock",
    construct: authority.path,
    field: "",
    message: `${error.message}, so the build cannot tell which certificates have expired or date new ones`,
    hint: "set SOURCE_DATE_EPOCH to whole seconds, e.g. SOURCE_DATE_EPOCH=$(date -d 2027-01-01 +%s), or unset it to use the system clock",
    location: authority.location,
  };
}

/** The changes as one clause for messages and `--check` lines. */
export function describe(changes: readonly Change[]): string {
  return changes.map((change) => change.text).join("; ");
}

const DOMAIN_NAME = /^[a-z0-9][a-z0-9-]*$/;
const CA_FILE_STEMS = new Set(["ca", "ca.next", "ca.previous"]);

/**
 * What makes the PKI state ambiguous: two CAs with one id (each domain's state is the folder pki/<id>/), an id
 * that cannot be a folder, or a certificate named like a CA's own files. Validation reports it with every other
 * problem; the resolver refuses it too.
 */
export function misdeclaredPki(authorities: readonly CertificateAuthority[]): Problem[] {
  const seen = new Set<string>();
  const problems: Problem[] = [];
  for (const authority of authorities) {
    if (!DOMAIN_NAME.test(authority.domain)) problems.push(invalidDomain(authority));
    else if (seen.has(authority.domain)) problems.push(duplicateDomain(authority));
    seen.add(authority.domain);
    for (const certificate of authority.certificates) {
      if (CA_FILE_STEMS.has(certificate.name)) problems.push(reservedName(certificate));
    }
  }
  return problems;
}

/** The domain's CRL runs out soon (or has): only the CA key can sign it again, which a build does not do. */
export function crlDue(authority: CertificateAuthority, nextUpdate: string, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/crl-due",
    construct: authority.path,
    field: "",
    message: `the revocation list ${state.display(state.crl)} has its next update on ${nextUpdate}: a verifier that checks it refuses every certificate of ${authority.domain} after that day`,
    hint: `re-sign it where the CA key is: \`swarm-cluster pki crl ${authority.domain}\`, then build, commit pki/ and out/ and apply the nodes`,
    location: authority.location,
  };
}

/** A committed CA without its CRL, and no CA key here to sign the first (empty) one. */
export function crlMissing(authority: CertificateAuthority, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/crl-missing",
    construct: authority.path,
    field: "",
    message: `${state.display(state.crl)} is missing: etcd refuses every connection when its --client-crl-file cannot be read, and the CA key ${state.display(state.caKey)} that would sign an empty list is missing too`,
    hint: `run \`swarm-cluster pki crl ${authority.domain}\` where the CA key is and commit ${state.display(state.crl)}, or restore it from git`,
    location: authority.location,
  };
}

/** The list is not a CRL, or not the issuing CA's. */
export function crlUnreadable(authority: CertificateAuthority, state: PkiState): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/crl-unreadable",
    construct: authority.path,
    field: "",
    message: `${state.display(state.crl)} is not a readable certificate revocation list`,
    hint: `restore it from git, or sign it again with \`swarm-cluster pki crl ${authority.domain}\` where the CA key is (revoked certificates must then be revoked again)`,
    location: authority.location,
  };
}
