import { ConfigError } from "../core/problems.js";
import { compareStrings } from "../core/stable-json.js";
import { type Certificate, CertificateAuthority } from "../model/certificate.js";
import { InvalidClock, pkiNow } from "./clock.js";
import {
  type Change,
  type CertificateRequest,
  commonNameOf,
  compareWithRequest,
  parseCertificate,
  RENEW_WITHIN_DAYS,
  requestOf,
} from "./compare.js";
import type { AuthorityMaterial, PkiOptions, PkiResolver, StateWrite } from "./material.js";
import { NO_PKI } from "./material.js";
import type { CertificateView } from "./certificate-facts.js";
import { CRL_RESIGN_WITHIN_DAYS, namesDistributionPoint, normalizeSerial, readCrl } from "./crl.js";
import * as problem from "./problems.js";
import { certificateWrite, PkiState, privateKeyWrite, trustBundle } from "./state.js";

/**
 * Certificates are committed state, like a lock file: a certificate whose request (subject, SANs, usages, CA)
 * is unchanged is reused byte for byte and needs no private key, so a fresh clone without `secrets/` builds
 * the same out/. Only a changed or new request is issued, and that needs its domain's CA key. Each
 * CertificateAuthority is a trust domain with its own state folder, resolved on its own.
 */
export const resolvePki: PkiResolver = async (cluster, options) => {
  const authorities = cluster.all(CertificateAuthority);
  if (authorities.length === 0) return { material: NO_PKI, writes: [], pending: [] };
  // The validation phase reports these with every other problem (src/validate/semantic/certificates.ts); a
  // resolver called on its own, without synthesis, must not issue into a misdeclared state either.
  const misdeclared = problem.misdeclaredPki(authorities);
  if (misdeclared.length > 0) throw new ConfigError(misdeclared);

  const now = buildTime(authorities[0] as CertificateAuthority);
  const writes: StateWrite[] = [];
  const pending: string[] = [];
  const material = new Map<string, AuthorityMaterial>();
  for (const authority of [...authorities].sort((a, b) => compareStrings(a.domain, b.domain))) {
    const resolved = await resolveDomain(authority, new PkiState(options, authority.domain), options, now);
    material.set(authority.domain, resolved.material);
    writes.push(...resolved.writes);
    pending.push(...resolved.pending);
  }
  return { material: { authorities: material }, writes, pending };
};

async function resolveDomain(
  authority: CertificateAuthority,
  state: PkiState,
  options: PkiOptions,
  now: Date,
): Promise<{ material: AuthorityMaterial; writes: StateWrite[]; pending: string[] }> {
  const certificates = [...authority.certificates].sort((a, b) => compareStrings(a.name, b.name));
  const ca = await resolveAuthority(authority, state, options, now);
  const crl = await resolveCrl(authority, state, options, now, ca);
  const writes: StateWrite[] = [...ca.writes, ...crl.writes];
  const pending: string[] = [...ca.pending, ...crl.pending];
  const material = new Map<string, string>();

  const toIssue: { certificate: Certificate; request: CertificateRequest; changes: Change[]; isNew: boolean }[] = [];
  for (const certificate of certificates) {
    const request = requestOf(certificate);
    const file = state.certificate(certificate.name);
    const committed = state.read(file);
    const parsed = committed === undefined ? undefined : parseCertificate(committed);
    const changes: Change[] =
      committed === undefined
        ? [{ field: "", text: "not issued yet" }]
        : parsed === undefined
          ? [{ field: "", text: "not a readable PEM certificate" }]
          : [
              ...compareWithRequest(request, parsed, ca.certificate, now, state.display(state.caCertificate)),
              ...revocationChanges(authority, state, parsed, crl.revoked),
            ];
    if (changes.length === 0 && committed !== undefined) {
      material.set(certificate.name, committed);
    } else if (!options.allowIssue) {
      pending.push(`${state.display(file)}: ${problem.describe(changes)}`);
      // The committed certificate stands in until it is re-issued, so a check lists only the real reasons.
      if (committed !== undefined && parsed !== undefined) material.set(certificate.name, committed);
    } else {
      toIssue.push({ certificate, request, changes, isNew: committed === undefined });
    }
  }

  if (toIssue.length > 0 && ca.pem !== undefined) {
    const caKeyPem = ca.keyPem ?? state.read(state.caKey);
    if (caKeyPem === undefined) {
      throw new ConfigError(toIssue.map(({ certificate, changes, isNew }) => problem.caKeyMissing(certificate, changes, isNew, state)));
    }
    const { keyMatchesCertificate, openIssuer } = await import("./issue.js");
    if (!keyMatchesCertificate(ca.pem, caKeyPem)) throw new ConfigError([problem.caKeyMismatch(authority, state)]);
    const issuer = await openIssuer(ca.pem, caKeyPem, { crlDistributionPoint: authority.crlDistributionPoint });
    for (const { certificate, request } of toIssue) {
      const issued = await issuer.issue(request, authority.certificateValidityDays, now);
      material.set(certificate.name, issued.certificatePem);
      writes.push(certificateWrite(state.certificate(certificate.name), issued.certificatePem));
      writes.push(privateKeyWrite(state.key(certificate.name), issued.privateKeyPem));
    }
  }

  const sorted = new Map([...material].sort(([a], [b]) => compareStrings(a, b)));
  const caPem = ca.pem ?? "";
  return {
    material: { caCertificatePem: caPem, trustBundlePem: trustBundle(caPem, state), certificates: sorted, crlPem: crl.pem },
    writes,
    pending,
  };
}

/**
 * Why a committed certificate must be re-issued for revocation's sake: the domain's CRL lists it (a revoked
 * node certificate is replaced at the next build, with a new key), or it does not name where the CRL is.
 */
function revocationChanges(
  authority: CertificateAuthority,
  state: PkiState,
  certificate: CertificateView,
  revoked: ReadonlySet<string>,
): Change[] {
  const changes: Change[] = [];
  if (revoked.size > 0 && revoked.has(normalizeSerial(certificate.serialNumber)))
    changes.push({ field: "", text: `revoked in ${state.display(state.crl)}` });
  const uri = authority.crlDistributionPoint;
  if (uri !== undefined && !namesDistributionPoint(certificate, uri)) {
    changes.push({ field: "", text: `names no CRL distribution point ${uri}` });
  }
  return changes;
}

interface ResolvedCrl {
  /** The committed (or just signed) list; undefined only when a check finds none. */
  readonly pem: string | undefined;
  /** Serials the list revokes, normalized. */
  readonly revoked: ReadonlySet<string>;
  readonly writes: readonly StateWrite[];
  readonly pending: readonly string[];
}

/**
 * The domain's CRL: committed state, signed only by the actions that change it (`pki revoke`, `pki crl`, a
 * CA's creation). A CA committed before CRLs existed gets its first, empty, list from the build that finds it
 * missing, if the CA key is at hand, as a missing certificate is issued.
 */
async function resolveCrl(
  authority: CertificateAuthority,
  state: PkiState,
  options: PkiOptions,
  now: Date,
  ca: ResolvedAuthority,
): Promise<ResolvedCrl> {
  if (ca.pem === undefined) return { pem: undefined, revoked: new Set(), writes: [], pending: [] };
  const display = state.display(state.crl);
  const committed = state.read(state.crl);
  if (committed === undefined) {
    if (!options.allowIssue) return { pem: undefined, revoked: new Set(), writes: [], pending: [`${display}: not signed yet`] };
    const caKeyPem = ca.keyPem ?? state.read(state.caKey);
    if (caKeyPem === undefined) throw new ConfigError([problem.crlMissing(authority, state)]);
    const { keyMatchesCertificate } = await import("./issue.js");
    if (!keyMatchesCertificate(ca.pem, caKeyPem)) throw new ConfigError([problem.caKeyMismatch(authority, state)]);
    const { signCrl } = await import("./crl.js");
    const pem = await signCrl(ca.pem, caKeyPem, { entries: [], number: 1n, thisUpdate: now });
    return { pem, revoked: new Set(), writes: [certificateWrite(state.crl, pem)], pending: [] };
  }
  const facts = readCrl(committed);
  if (facts === undefined) throw new ConfigError([problem.crlUnreadable(authority, state)]);
  const pending: string[] = [];
  // A list that runs out with its CA is renewed by the CA's rotation (its `switch` re-signs the list); one that
  // runs out before is re-signed on its own.
  const caExpiry = ca.certificate ? new Date(ca.certificate.validTo).getTime() : Number.POSITIVE_INFINITY;
  const next = facts.nextUpdate;
  if (next && next.getTime() < caExpiry && next.getTime() - now.getTime() < CRL_RESIGN_WITHIN_DAYS * 86_400_000) {
    const day = next.toISOString().slice(0, 10);
    if (options.allowIssue) throw new ConfigError([problem.crlDue(authority, day, state)]);
    pending.push(`${display}: its next update is on ${day}; re-sign it with \`swarm-cluster pki crl ${authority.domain}\``);
  }
  return { pem: committed, revoked: new Set(facts.entries.map((entry) => entry.serial)), writes: [], pending };
}

/** One "now" for the whole build, so every certificate is checked and issued against the same moment. */
function buildTime(authority: CertificateAuthority): Date {
  try {
    return pkiNow();
  } catch (error) {
    if (error instanceof InvalidClock) throw new ConfigError([problem.invalidClock(authority, error)]);
    throw error;
  }
}

interface ResolvedAuthority {
  /** The CA certificate, committed or just created; undefined only when a check finds none. */
  readonly pem: string | undefined;
  readonly certificate: CertificateView | undefined;
  /** The CA key, when it was created in this build (otherwise read from secrets/ only if needed). */
  readonly keyPem: string | undefined;
  readonly writes: readonly StateWrite[];
  readonly pending: readonly string[];
}

async function resolveAuthority(
  authority: CertificateAuthority,
  state: PkiState,
  options: PkiOptions,
  now: Date,
): Promise<ResolvedAuthority> {
  const display = state.display(state.caCertificate);
  const committed = state.read(state.caCertificate);
  if (committed !== undefined) {
    const certificate = parseCertificate(committed);
    if (!certificate) throw new ConfigError([problem.unreadableCaCertificate(authority, state)]);
    const name = commonNameOf(certificate) ?? "";
    const pending: string[] = [];
    if (name !== authority.commonName) {
      if (options.allowIssue) throw new ConfigError([problem.caRenamed(authority, name, state)]);
      pending.push(`${display}: CA commonName changed (${name} → ${authority.commonName})`);
    }
    // Within the renewal window, the leaves re-issued under this CA would expire with it: stop and say so,
    // rather than re-issuing them on every build. Once a rotation has started (its new CA is in ca.next.crt),
    // the build must go on: it is how the new CA reaches the nodes.
    const expires = new Date(certificate.validTo);
    const rotating = state.exists(state.nextCaCertificate);
    if (!rotating && expires.getTime() - now.getTime() < RENEW_WITHIN_DAYS * 86_400_000) {
      const day = expires.toISOString().slice(0, 10);
      if (options.allowIssue) throw new ConfigError([problem.caExpiring(authority, day, state)]);
      pending.push(`${display}: the CA expires on ${day}; roll it over`);
    }
    return { pem: committed, certificate, keyPem: undefined, writes: [], pending };
  }

  if (!options.allowIssue) {
    return { pem: undefined, certificate: undefined, keyPem: undefined, writes: [], pending: [`${display}: CA not created yet`] };
  }
  if (state.exists(state.caKey)) throw new ConfigError([problem.caKeyWithoutCertificate(authority, state)]);

  const { createAuthority } = await import("./issue.js");
  const created = await createAuthority({ commonName: authority.commonName, validityDays: authority.validityDays }, now);
  return {
    pem: created.certificatePem,
    certificate: parseCertificate(created.certificatePem),
    keyPem: created.privateKeyPem,
    writes: [certificateWrite(state.caCertificate, created.certificatePem), privateKeyWrite(state.caKey, created.privateKeyPem)],
    pending: [],
  };
}
