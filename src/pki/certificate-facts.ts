import { createHash, X509Certificate } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "../core/cache-dir.js";
import { writeCacheEntries } from "../core/kept-texts.js";

/**
 * What a build reads from a certificate: the fields of Node's X509Certificate it uses, as that class gives
 * them, and the parsed certificate itself for what needs OpenSSL (a signature check).
 */
export interface CertificateView {
  readonly subject: string;
  readonly subjectAltName: string | undefined;
  readonly keyUsage: readonly string[] | undefined;
  readonly validFrom: string;
  readonly validTo: string;
  readonly serialNumber: string;
  readonly fingerprint256: string;
  /** The DER bytes. */
  readonly raw: Buffer;
  certificate(): X509Certificate;
}

/** The fields kept between builds, by the certificate's SHA-256 fingerprint. */
interface Facts {
  readonly subject: string;
  readonly subjectAltName: string | null;
  readonly keyUsage: readonly string[] | null;
  readonly validFrom: string;
  readonly validTo: string;
  readonly serialNumber: string;
}

/**
 * A PEM certificate's facts. Parsing with OpenSSL (node:crypto) and reading these fields costs about 0.3 ms
 * a certificate, some 0.35 s of a thousand-node build, for certificates that did not change since the last
 * build. They depend on nothing but the certificate's bytes and Node's version (its formatting of names), so
 * they are kept in node_modules/.cache/swarm-cluster/certificates/<node version>.json by fingerprint, and a
 * later build reads them there: it decodes the PEM (strictly: one CERTIFICATE block of canonical base64) and
 * hashes its DER, and parses with OpenSSL only a certificate it has not seen, or one the PEM decoding here
 * would not read as OpenSSL does. Undefined when the text is not a certificate OpenSSL reads.
 */
export function certificateView(pem: string): CertificateView | undefined {
  const der = derOf(pem);
  const fingerprint = der === undefined ? undefined : fingerprintOf(der);
  const known = fingerprint === undefined ? undefined : store().loaded.get(fingerprint);
  if (der !== undefined && fingerprint !== undefined && known !== undefined) {
    store().used.set(fingerprint, known);
    let parsed: X509Certificate | undefined;
    return view(known, fingerprint, der, () => {
      parsed ??= new X509Certificate(pem);
      return parsed;
    });
  }
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(pem);
  } catch {
    return undefined;
  }
  const facts: Facts = {
    subject: certificate.subject,
    subjectAltName: certificate.subjectAltName ?? null,
    keyUsage: certificate.keyUsage ?? null,
    validFrom: certificate.validFrom,
    validTo: certificate.validTo,
    serialNumber: certificate.serialNumber,
  };
  // Kept only when this decoding of the PEM gives the bytes OpenSSL read.
  if (fingerprint !== undefined && fingerprint === certificate.fingerprint256) {
    const kept = store();
    kept.used.set(fingerprint, facts);
    if (!kept.missed) {
      kept.missed = true;
      process.once("exit", () => keep(kept));
    }
  }
  return view(facts, certificate.fingerprint256, certificate.raw, () => certificate);
}

function view(facts: Facts, fingerprint256: string, raw: Buffer, certificate: () => X509Certificate): CertificateView {
  return {
    subject: facts.subject,
    subjectAltName: facts.subjectAltName ?? undefined,
    keyUsage: facts.keyUsage ?? undefined,
    validFrom: facts.validFrom,
    validTo: facts.validTo,
    serialNumber: facts.serialNumber,
    fingerprint256,
    raw,
    certificate,
  };
}

const PEM = /^-----BEGIN CERTIFICATE-----\n([A-Za-z0-9+/=\n]+)-----END CERTIFICATE-----\n?$/;

/** The DER of a PEM holding exactly one certificate in canonical base64; undefined for anything else. */
function derOf(pem: string): Buffer | undefined {
  const body = PEM.exec(pem)?.[1];
  if (body === undefined) return undefined;
  const base64 = body.replace(/\n/g, "");
  const der = Buffer.from(base64, "base64");
  return der.length > 0 && der.toString("base64") === base64 ? der : undefined;
}

/** As X509Certificate.fingerprint256 writes it: upper-case hexadecimal pairs joined by colons. */
function fingerprintOf(der: Buffer): string {
  const hex = createHash("sha256").update(der).digest("hex").toUpperCase();
  return hex.replace(/(..)(?!$)/g, "$1:");
}

interface Store {
  readonly file: string;
  readonly loaded: ReadonlyMap<string, Facts>;
  readonly used: Map<string, Facts>;
  missed: boolean;
}

let current: Store | undefined;

function store(): Store {
  const file = path.join(cacheDir("certificates"), `${process.version}.json`);
  // SWARM_CLUSTER_CACHE_DIR may change between builds in one process (tests): one store per folder.
  if (current?.file === file) return current;
  let loaded = new Map<string, Facts>();
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed)) {
      loaded = new Map(Object.entries(parsed as Record<string, Facts>).filter(([, facts]) => isFacts(facts)));
    }
  } catch {
    // Nothing kept yet (or unreadable): every certificate is parsed.
  }
  current = { file, loaded, used: new Map(), missed: false };
  return current;
}

function isFacts(value: unknown): value is Facts {
  const facts = value as Partial<Facts> | null;
  return (
    typeof facts === "object" &&
    facts !== null &&
    typeof facts.subject === "string" &&
    (facts.subjectAltName === null || typeof facts.subjectAltName === "string") &&
    (facts.keyUsage === null || (Array.isArray(facts.keyUsage) && facts.keyUsage.every((usage) => typeof usage === "string"))) &&
    typeof facts.validFrom === "string" &&
    typeof facts.validTo === "string" &&
    typeof facts.serialNumber === "string"
  );
}

/** Writes now what the exit of this process would write (for tests). */
export function keepCertificateFacts(): void {
  if (current?.missed) keep(current);
}

/** At exit, once a certificate was parsed: the facts of the certificates this process read, and only those. */
function keep(from: Store): void {
  writeCacheEntries(from.file, from.used);
}
