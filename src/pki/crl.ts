import { X509Certificate } from "node:crypto";

/**
 * Each trust domain's CA publishes a certificate revocation list (RFC 5280, section 5), committed beside the CA
 * as `pki/<domain>/crl.pem`. It is signed when something happens to it — the CA is created (an empty list),
 * a certificate is revoked (`swarm-cluster pki revoke`), or the unchanged list is re-signed before it runs out
 * (`swarm-cluster pki crl`) — and its dates are those of that action: a build only copies it, so out/ stays
 * byte-identical from one build to the next.
 *
 * Signing uses @peculiar/x509 (X509CrlGenerator), loaded only then. Reading is a few lines of DER walking
 * below: a build reads every domain's list (which serials it revokes, when it runs out) and must not pay for
 * loading the X.509 library when it issues nothing.
 */

/** How long a signed list is valid (its nextUpdate): a year, re-signed with `swarm-cluster pki crl` before then. */
export const CRL_VALIDITY_DAYS = 365;
/** A build stops (and `build --check` reports it) this long before the list's nextUpdate. */
export const CRL_RESIGN_WITHIN_DAYS = 30;

/**
 * The reasons `pki revoke` records (RFC 5280, 5.3.1, CRLReason), each entry carrying one: `unspecified` is left
 * out, as the RFC asks that it be expressed by no reason code at all, and the CA and attribute-authority ones
 * do not apply to a leaf certificate.
 */
export const REVOCATION_REASONS = { keyCompromise: 1, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export interface RevokedEntry {
  /** Lower-case hexadecimal, without leading zero bytes or separators. */
  readonly serial: string;
  readonly revokedAt: Date;
  /** The CRLReason code (REVOCATION_REASONS). */
  readonly reason: number;
}

export interface CrlFacts {
  /** The CRL Number extension: one more at every signing. */
  readonly number: bigint;
  readonly thisUpdate: Date;
  readonly nextUpdate: Date | undefined;
  readonly entries: readonly RevokedEntry[];
}

/** `01:AB:cd` or `00ABCD` → `abcd`: serials compared the way the DER INTEGER holds them. */
export function normalizeSerial(serial: string): string {
  let hex = serial.replace(/[:\s]/g, "").toLowerCase();
  if (hex.length % 2 === 1) hex = `0${hex}`;
  while (hex.length > 2 && hex.startsWith("00")) hex = hex.slice(2);
  return hex;
}

export interface CrlSigning {
  readonly entries: readonly RevokedEntry[];
  readonly number: bigint;
  readonly thisUpdate: Date;
}

/** A CRL over `entries`, signed by the CA key, valid from `thisUpdate` for CRL_VALIDITY_DAYS (never past the CA). */
export async function signCrl(caCertificatePem: string, caPrivateKeyPem: string, signing: CrlSigning): Promise<string> {
  const { openSigningAuthority } = await import("./issue.js");
  const { x509, algorithm, signingKey, authority, authorityKeyId } = await openSigningAuthority(caCertificatePem, caPrivateKeyPem);
  const thisUpdate = wholeSeconds(signing.thisUpdate);
  const nextUpdate = new Date(Math.min(thisUpdate.getTime() + CRL_VALIDITY_DAYS * 86_400_000, authority.notAfter.getTime()));
  const entries = [...signing.entries].sort(
    (a, b) => a.revokedAt.getTime() - b.revokedAt.getTime() || (a.serial < b.serial ? -1 : a.serial > b.serial ? 1 : 0),
  );
  const crl = await x509.X509CrlGenerator.create({
    issuer: authority.subjectName,
    thisUpdate,
    nextUpdate,
    signingAlgorithm: algorithm.signature,
    signingKey,
    extensions: [authorityKeyId, new x509.Extension(CRL_NUMBER_OID, false, derInteger(signing.number))],
    entries: entries.map((entry) => ({ serialNumber: entry.serial, revocationDate: wholeSeconds(entry.revokedAt), reason: entry.reason })),
  });
  // RFC 7468's label, which OpenSSL and Go (etcd's x509.ParseCRL) look for; the library writes a bare "CRL".
  const pem = crl.toString("pem").replace(/\r\n/g, "\n").trimEnd();
  return `${pem.replace(/^-----BEGIN CRL-----/, "-----BEGIN X509 CRL-----").replace(/-----END CRL-----$/, "-----END X509 CRL-----")}\n`;
}

/** True when the CRL's issuer is the CA's subject and the CA's key signed it. */
export async function crlSignedBy(crlPem: string, caCertificatePem: string): Promise<boolean> {
  const { loadLibrary } = await import("./issue.js");
  const x509 = await loadLibrary();
  const crl = new x509.X509Crl(crlPem);
  const authority = new x509.X509Certificate(caCertificatePem);
  return crl.issuer === authority.subject && (await crl.verify({ publicKey: authority }));
}

/** The facts of a PEM (or DER) CRL; undefined when it is not one. */
export function readCrl(crl: string | Buffer): CrlFacts | undefined {
  try {
    return parseCrl(typeof crl === "string" ? pemBody(crl, "X509 CRL") : crl);
  } catch {
    return undefined;
  }
}

/** The serial of a PEM certificate, normalized. */
export function serialOf(certificatePem: string): string {
  return normalizeSerial(new X509Certificate(certificatePem).serialNumber);
}

const CRL_NUMBER_OID = "2.5.29.20";
const CRL_NUMBER_OID_DER = Buffer.from([0x55, 0x1d, 0x14]);

function pemBody(pem: string, label: string): Buffer {
  const match = new RegExp(`-----BEGIN ${label}-----([\\s\\S]+?)-----END ${label}-----`).exec(pem);
  if (!match?.[1]) throw new Error(`no ${label} PEM block`);
  return Buffer.from(match[1].replace(/\s+/g, ""), "base64");
}

interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly end: number;
}

function tlv(der: Buffer, offset: number): Tlv {
  const tag = der[offset];
  let length = der[offset + 1];
  if (tag === undefined || length === undefined) throw new Error("truncated DER");
  let start = offset + 2;
  if (length & 0x80) {
    const bytes = length & 0x7f;
    if (bytes === 0 || bytes > 4) throw new Error("unsupported DER length");
    length = 0;
    for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] ?? 0);
    start += bytes;
  }
  const end = start + length;
  if (end > der.length) throw new Error("truncated DER");
  return { tag, start, end };
}

function children(der: Buffer, parent: Tlv): Tlv[] {
  const list: Tlv[] = [];
  for (let offset = parent.start; offset < parent.end; ) {
    const child = tlv(der, offset);
    list.push(child);
    offset = child.end;
  }
  return list;
}

const SEQUENCE = 0x30;
const INTEGER = 0x02;
const UTC_TIME = 0x17;
const GENERALIZED_TIME = 0x18;
const EXTENSIONS = 0xa0;

/** CertificateList ::= SEQUENCE { tbsCertList, signatureAlgorithm, signatureValue } (RFC 5280, 5.1). */
function parseCrl(der: Buffer): CrlFacts {
  const outer = tlv(der, 0);
  const tbs = children(der, outer)[0];
  if (outer.tag !== SEQUENCE || tbs?.tag !== SEQUENCE) throw new Error("not a CRL");
  const fields = children(der, tbs);
  let index = fields[0]?.tag === INTEGER ? 1 : 0; // version, present in v2 lists
  index += 2; // signature, issuer
  const thisUpdate = timeOf(der, fields[index++]);
  const next = fields[index];
  const nextUpdate = next && (next.tag === UTC_TIME || next.tag === GENERALIZED_TIME) ? timeOf(der, fields[index++]) : undefined;
  const entries: RevokedEntry[] = [];
  let number = 0n;
  for (const field of fields.slice(index)) {
    if (field.tag === SEQUENCE) {
      for (const revoked of children(der, field)) {
        const [serial, date, extensions] = children(der, revoked);
        if (serial?.tag !== INTEGER) throw new Error("bad revoked entry");
        entries.push({
          serial: normalizeSerial(der.subarray(serial.start, serial.end).toString("hex")),
          revokedAt: timeOf(der, date),
          reason: extensions ? reasonOf(der, extensions) : 0,
        });
      }
    } else if (field.tag === EXTENSIONS) {
      const list = children(der, field)[0];
      for (const extension of list ? children(der, list) : []) {
        const parts = children(der, extension);
        const oid = parts[0];
        const value = parts[parts.length - 1];
        if (!oid || !value || !der.subarray(oid.start, oid.end).equals(CRL_NUMBER_OID_DER)) continue;
        const integer = tlv(der, value.start);
        number = BigInt(`0x${der.subarray(integer.start, integer.end).toString("hex") || "0"}`);
      }
    }
  }
  return { number, thisUpdate, nextUpdate, entries };
}

const REASON_CODE_OID_DER = Buffer.from([0x55, 0x1d, 0x15]);

/** The reasonCode entry extension: an ENUMERATED inside the extension's OCTET STRING; 0 when absent. */
function reasonOf(der: Buffer, extensions: Tlv): number {
  for (const extension of children(der, extensions)) {
    const parts = children(der, extension);
    const oid = parts[0];
    const value = parts[parts.length - 1];
    if (!oid || !value || !der.subarray(oid.start, oid.end).equals(REASON_CODE_OID_DER)) continue;
    const enumerated = tlv(der, value.start);
    return der[enumerated.start] ?? 0;
  }
  return 0;
}

function timeOf(der: Buffer, field: Tlv | undefined): Date {
  if (!field || (field.tag !== UTC_TIME && field.tag !== GENERALIZED_TIME)) throw new Error("bad time");
  const text = der.subarray(field.start, field.end).toString("ascii");
  const match = field.tag === UTC_TIME ? /^(\d{2})(\d{10})Z$/.exec(text) : /^(\d{4})(\d{10})Z$/.exec(text);
  if (!match?.[1] || !match[2]) throw new Error(`bad time ${text}`);
  const year = field.tag === UTC_TIME ? (Number(match[1]) < 50 ? 2000 : 1900) + Number(match[1]) : Number(match[1]);
  const rest = match[2];
  return new Date(
    Date.UTC(
      year,
      Number(rest.slice(0, 2)) - 1,
      Number(rest.slice(2, 4)),
      Number(rest.slice(4, 6)),
      Number(rest.slice(6, 8)),
      Number(rest.slice(8, 10)),
    ),
  );
}

/** A positive DER INTEGER. */
function derInteger(value: bigint): Uint8Array<ArrayBuffer> {
  let hex = value.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  const bytes = Buffer.from(hex, "hex");
  const body = (bytes[0] ?? 0) & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes;
  return Uint8Array.from(Buffer.concat([Buffer.from([INTEGER, body.length]), body]));
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

const CRL_DISTRIBUTION_POINTS_OID_DER = Buffer.from([0x06, 0x03, 0x55, 0x1d, 0x1f]);

/**
 * True when the certificate has a CRL Distribution Points extension and `uri` appears in the certificate: a
 * byte search (the URI is an IA5String, stored as it is written), so reusing a committed certificate needs no
 * X.509 library.
 */
export function namesDistributionPoint(certificate: { readonly raw: Buffer }, uri: string): boolean {
  return certificate.raw.includes(CRL_DISTRIBUTION_POINTS_OID_DER) && certificate.raw.includes(Buffer.from(uri, "ascii"));
}
