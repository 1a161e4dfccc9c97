import { canonicalIp } from "../core/ip.js";
import type { Certificate, CertificateUsage } from "../model/certificate.js";
import { pkiNow } from "./clock.js";
import { certificateView, type CertificateView } from "./certificate-facts.js";
import { issuedBy } from "./issued-cache.js";

/**
 * What a certificate must say, normalized so that two requests meaning the same thing compare equal:
 * names lower-cased, sorted and without duplicates, IPv6 addresses in one spelling.
 */
export interface CertificateRequest {
  readonly name: string;
  readonly commonName: string;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly usages: readonly CertificateUsage[];
}

/** One reason a committed certificate no longer fits its request; `field` is the model field at fault. */
export interface Change {
  readonly field: "" | "commonName" | "dnsNames" | "ipAddresses" | "usages";
  readonly text: string;
}

const USAGE_OIDS: Readonly<Record<CertificateUsage, string>> = {
  server: "1.3.6.1.5.5.7.3.1",
  client: "1.3.6.1.5.5.7.3.2",
};

export function usageOid(usage: CertificateUsage): string {
  return USAGE_OIDS[usage];
}

export function requestOf(certificate: Certificate): CertificateRequest {
  return {
    name: certificate.name,
    commonName: certificate.commonName,
    dnsNames: normalizedSet(certificate.dnsNames.map((name) => name.toLowerCase())),
    ipAddresses: normalizedSet(certificate.ipAddresses.map(canonicalIp)),
    usages: orderedUsages(certificate.usages) as CertificateUsage[],
  };
}

/** Certificates already read, by PEM: a build reads each twice (to reuse it, then for the inventory). */
const parsed = new Map<string, CertificateView | undefined>();

/**
 * A PEM certificate's facts, as Node's X.509 support reads them (src/pki/certificate-facts.ts keeps them
 * between builds); undefined when it is not a certificate.
 */
export function parseCertificate(pem: string): CertificateView | undefined {
  if (parsed.has(pem)) return parsed.get(pem);
  const certificate = certificateView(pem);
  parsed.set(pem, certificate);
  return certificate;
}

/**
 * Certificates are renewed this long before they expire. A build then re-issues them (and `build --check`
 * fails) a month ahead, instead of etcd and the Docker API failing on the day; the output itself holds no
 * date of the build, only the certificates' own.
 */
export const RENEW_WITHIN_DAYS = 30;

/** Why `existing` must be re-issued for `request`, or an empty list when it can be reused as it is. */
export function compareWithRequest(
  request: CertificateRequest,
  existing: CertificateView,
  authority: CertificateView | undefined,
  now: Date = pkiNow(),
  caFile = "pki/ca.crt",
): Change[] {
  const changes: Change[] = [];
  const expires = new Date(existing.validTo);
  if (expires.getTime() - now.getTime() < RENEW_WITHIN_DAYS * 86_400_000) {
    changes.push({ field: "", text: `expires on ${expires.toISOString().slice(0, 10)}, within ${RENEW_WITHIN_DAYS} days: renew it` });
  }
  const commonName = commonNameOf(existing);
  if (commonName !== request.commonName) {
    changes.push({ field: "commonName", text: `commonName changed (${commonName ?? "none"} → ${request.commonName})` });
  }
  const names = subjectAltNamesOf(existing);
  const dns = setChange("DNS SANs", names.dnsNames, request.dnsNames);
  if (dns) changes.push({ field: "dnsNames", text: dns });
  const ips = setChange("IP SANs", names.ipAddresses, request.ipAddresses);
  if (ips) changes.push({ field: "ipAddresses", text: ips });
  const usages = usagesOf(existing);
  if (usages.join(",") !== request.usages.join(",")) {
    changes.push({ field: "usages", text: `usages changed (${usages.join(", ") || "none"} → ${request.usages.join(", ")})` });
  }
  if (!authority) {
    changes.push({ field: "", text: `its CA certificate is not in ${caFile}` });
  } else if (!issuedBy(existing, authority)) {
    changes.push({ field: "", text: `not issued by the current CA (${caFile})` });
  }
  return changes;
}

export function commonNameOf(certificate: { readonly subject: string }): string | undefined {
  const line = certificate.subject.split("\n").find((entry) => entry.startsWith("CN="));
  // Node prints the subject in RFC 2253 form: special characters come back backslash-escaped.
  return line?.slice(3).replace(/\\(.)/g, "$1");
}

export function subjectAltNamesOf(certificate: { readonly subjectAltName: string | undefined }): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const dnsNames: string[] = [];
  const ipAddresses: string[] = [];
  for (const entry of (certificate.subjectAltName ?? "").split(", ")) {
    if (entry.startsWith("DNS:")) dnsNames.push(entry.slice(4).toLowerCase());
    else if (entry.startsWith("IP Address:")) ipAddresses.push(canonicalIp(entry.slice(11)));
  }
  return { dnsNames: normalizedSet(dnsNames), ipAddresses: normalizedSet(ipAddresses) };
}

/** The extended key usages, in the model's words; other purposes are listed by OID. */
export function usagesOf(certificate: { readonly keyUsage: readonly string[] | undefined }): string[] {
  const byOid = new Map(Object.entries(USAGE_OIDS).map(([usage, oid]) => [oid, usage]));
  return orderedUsages((certificate.keyUsage ?? []).map((oid) => byOid.get(oid) ?? oid));
}

/** Server before client, as cfssl and OpenSSL list them; anything else after, sorted. */
function orderedUsages(values: readonly string[]): string[] {
  const known = Object.keys(USAGE_OIDS);
  const present = new Set(values);
  return [...known.filter((usage) => present.has(usage)), ...normalizedSet(values.filter((value) => !known.includes(value)))];
}

/** `IP SANs changed (10.10.1.21 → 10.10.1.99)`: only what left and what came, which is what a reviewer looks for. */
function setChange(label: string, before: readonly string[], after: readonly string[]): string | undefined {
  const removed = before.filter((value) => !after.includes(value));
  const added = after.filter((value) => !before.includes(value));
  if (removed.length === 0 && added.length === 0) return undefined;
  if (removed.length === 0) return `${label} changed (added ${added.join(", ")})`;
  if (added.length === 0) return `${label} changed (removed ${removed.join(", ")})`;
  return `${label} changed (${removed.join(", ")} → ${added.join(", ")})`;
}

function normalizedSet<T extends string>(values: readonly T[]): T[] {
  return [...new Set(values)].sort();
}
