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
    hint: `roll the CA over: move ${state.display(state.caCertificate)} and ${state.display(state.caKey)} aside and build (${NEW_CA_CONSEQUENCE})`,
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

export function singleAuthority(authority: CertificateAuthority): Problem {
  return {
    severity: "error",
    origin: "model",
    code: "pki/one-ca",
    construct: authority.path,
    field: "",
    message: "the cluster declares more than one CertificateAuthority; its PKI state (pki/ca.crt) holds one",
    hint: "declare a single CertificateAuthority (ClusterPki creates one) and put every certificate under it",
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
    message: `a certificate cannot be named "ca": its key would be secrets/pki/ca.key, the CA's own key`,
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

/**
 * What makes the PKI state ambiguous: a second CA (the state holds one, pki/ca.crt) or a certificate named
 * like the CA's own files. Validation reports it with every other problem; the resolver refuses it too.
 */
export function misdeclaredPki(authorities: readonly CertificateAuthority[]): Problem[] {
  const [first, ...others] = authorities;
  return [
    ...others.map(singleAuthority),
    ...(first?.certificates.filter((certificate) => certificate.name === "ca").map(reservedName) ?? []),
  ];
}
