import type { X509Certificate } from "node:crypto";
import type { CertificateView } from "./certificate-facts.js";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { cacheDir } from "../core/cache-dir.js";

/**
 * Signature checks of earlier builds: which committed certificates (by SHA-256 fingerprint of their DER) a CA
 * (by its own fingerprint) was found to have issued. Checking an ECDSA signature costs about 0.1–0.3 ms, and
 * a build checks every committed certificate against its CA: a few hundred milliseconds at a thousand
 * nodes, for certificates that did not change since the last build. Whether a CA issued a certificate
 * depends on nothing but the bytes of both, which the fingerprints name, so a recorded success stands for
 * the check; a failure is never recorded (it is rare, and is checked again). One file per CA in
 * node_modules/.cache (src/core/cache-dir.ts), holding the certificates found in the latest build.
 */
interface Known {
  readonly file: string;
  readonly recorded: ReadonlySet<string>;
  readonly found: Set<string>;
  changed: boolean;
}

const byAuthority = new Map<string, Known>();

/** Whether `authority` issued `certificate` (its issuer name and its signature), remembered across builds. */
export function issuedBy(certificate: CertificateView | X509Certificate, authority: CertificateView | X509Certificate): boolean {
  const known = knownFor(authority.fingerprint256);
  const fingerprint = certificate.fingerprint256;
  if (known.recorded.has(fingerprint)) {
    known.found.add(fingerprint);
    return true;
  }
  const [leaf, issuer] = [parsed(certificate), parsed(authority)];
  if (!leaf.checkIssued(issuer) || !leaf.verify(issuer.publicKey)) return false;
  known.found.add(fingerprint);
  if (!known.changed) {
    known.changed = true;
    // Once this build's checks of the CA's certificates are done (they run one after the other).
    setImmediate(() => record(known));
  }
  return true;
}

/** The certificate as OpenSSL parsed it, for a signature check. */
function parsed(certificate: CertificateView | X509Certificate): X509Certificate {
  return "certificate" in certificate ? certificate.certificate() : certificate;
}

function knownFor(authorityFingerprint: string): Known {
  let known = byAuthority.get(authorityFingerprint);
  if (!known) {
    const file = path.join(cacheDir("issued-by"), `${authorityFingerprint.replace(/:/g, "").toLowerCase()}.json`);
    let recorded: string[] = [];
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, "utf8"));
      if (Array.isArray(parsed)) recorded = parsed.filter((value): value is string => typeof value === "string");
    } catch {
      // Nothing recorded yet (or unreadable): every certificate is checked.
    }
    known = { file, recorded: new Set(recorded), found: new Set(), changed: false };
    byAuthority.set(authorityFingerprint, known);
  }
  return known;
}

/** Writes the certificates found issued, atomically; errors (an unwritable cache) are ignored. */
function record(known: Known): void {
  known.changed = false;
  const temporary = `${known.file}.${process.pid}.tmp`;
  try {
    mkdirSync(path.dirname(known.file), { recursive: true });
    writeFileSync(temporary, JSON.stringify([...known.found].sort()));
    renameSync(temporary, known.file);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // The cache folder itself is unusable: nothing was written.
    }
  }
}
