import { createHash, createPrivateKey, createPublicKey, type KeyObject, type webcrypto, X509Certificate } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import type { CertificateRequest } from "./compare.js";
import { usageOid } from "./compare.js";

/**
 * Issuing with @peculiar/x509 over Node's WebCrypto. The library is loaded on first use only: most builds
 * reuse every committed certificate and must not pay for loading it. Its dependency injection (tsyringe)
 * refuses to load without the `Reflect` metadata API, so the standard polyfill goes in first, and only then.
 */
type X509Library = typeof X509;

let library: Promise<X509Library> | undefined;

export function loadLibrary(): Promise<X509Library> {
  library ??= (async () => {
    await import("reflect-metadata");
    const loaded = await import("@peculiar/x509");
    loaded.cryptoProvider.set(globalThis.crypto);
    return loaded;
  })();
  return library;
}

export interface IssuedPair {
  readonly certificatePem: string;
  readonly privateKeyPem: string;
}

export interface AuthorityRequest {
  readonly commonName: string;
  readonly validityDays: number;
}

/** A self-signed CA: RSA 4096 as the seed's cfssl CA, allowed to sign certificates and CRLs only. */
export async function createAuthority(request: AuthorityRequest, now: Date): Promise<IssuedPair> {
  const x509 = await loadLibrary();
  const keys = await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 4096, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  );
  const notBefore = wholeSeconds(now);
  const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [request.commonName] }],
    keys,
    serialNumber: serialFrom({ commonName: request.commonName, notBefore: notBefore.toISOString() }, spki),
    notBefore,
    notAfter: addDays(notBefore, request.validityDays),
    signingAlgorithm: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as webcrypto.Algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certificatePem: pemLines(certificate.toString("pem")), privateKeyPem: await privateKeyPem(keys.privateKey) };
}

/** Signs leaf certificates with a CA whose certificate and private key are at hand. */
export interface Issuer {
  issue(request: CertificateRequest, validityDays: number, now: Date): Promise<IssuedPair>;
  /** A certificate valid from `notBefore` to `notAfter` exactly (whole seconds), as short-lived ones need. */
  issueBetween(request: CertificateRequest, notBefore: Date, notAfter: Date): Promise<IssuedPair>;
}

/** What every certificate of one CA carries beside its request. */
export interface IssuerProfile {
  /** The URI of the CA's revocation list, named in each certificate's CRL Distribution Points extension. */
  readonly crlDistributionPoint?: string | undefined;
}

/** A CA ready to sign: its key imported for WebCrypto, its certificate parsed, the identifier of its key. */
export async function openSigningAuthority(caCertificatePem: string, caPrivateKeyPem: string) {
  const x509 = await loadLibrary();
  const caKey = createPrivateKey(caPrivateKeyPem);
  const algorithm = signingAlgorithmOf(caKey);
  const signingKey = await crypto.subtle.importKey("pkcs8", caKey.export({ type: "pkcs8", format: "der" }), algorithm.key, false, ["sign"]);
  const authority = new x509.X509Certificate(caCertificatePem);
  // Points at the CA's own key identifier when it has one: a restored CA may have computed it another way.
  const caKeyId = authority.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const authorityKeyId = caKeyId
    ? new x509.AuthorityKeyIdentifierExtension(caKeyId)
    : await x509.AuthorityKeyIdentifierExtension.create(authority.publicKey);
  return { x509, algorithm, signingKey, authority, authorityKeyId };
}

export async function openIssuer(caCertificatePem: string, caPrivateKeyPem: string, profile: IssuerProfile = {}): Promise<Issuer> {
  const { x509, algorithm, signingKey, authority, authorityKeyId } = await openSigningAuthority(caCertificatePem, caPrivateKeyPem);
  const caFingerprint = new X509Certificate(caCertificatePem).fingerprint256;

  const issuer: Issuer = {
    issue(request, validityDays, now) {
      const notBefore = wholeSeconds(now);
      return issuer.issueBetween(request, notBefore, addDays(notBefore, validityDays));
    },
    async issueBetween(request, from, until) {
      // ECDSA P-256 leaves: quick to generate, and accepted by etcd, dockerd and the Docker CLI.
      const keys = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
      const notBefore = wholeSeconds(from);
      const spki = new Uint8Array(await crypto.subtle.exportKey("spki", keys.publicKey));
      const names: X509.JsonGeneralName[] = [
        ...request.dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...request.ipAddresses.map((value) => ({ type: "ip" as const, value })),
      ];
      const extensions: X509.Extension[] = [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment, true),
        new x509.ExtendedKeyUsageExtension(request.usages.map(usageOid)),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
        authorityKeyId,
      ];
      if (names.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(names));
      if (profile.crlDistributionPoint) extensions.push(new x509.CRLDistributionPointsExtension([profile.crlDistributionPoint]));
      const certificate = await x509.X509CertificateGenerator.create({
        subject: [{ CN: [request.commonName] }],
        issuer: authority.subjectName,
        publicKey: keys.publicKey,
        signingKey,
        signingAlgorithm: algorithm.signature,
        serialNumber: serialFrom({ caFingerprint, request, notBefore: notBefore.toISOString() }, spki),
        notBefore,
        // Never past the CA's own expiry: a chain is only as valid as its CA, and a leaf that claims more
        // would hide the date everything stops verifying.
        notAfter: new Date(Math.min(wholeSeconds(until).getTime(), authority.notAfter.getTime())),
        extensions,
      });
      return { certificatePem: pemLines(certificate.toString("pem")), privateKeyPem: await privateKeyPem(keys.privateKey) };
    },
  };
  return issuer;
}

/** True when the private key is the one whose public half the certificate carries. */
export function keyMatchesCertificate(certificatePem: string, privateKeyPem: string): boolean {
  try {
    const fromKey = createPublicKey(createPrivateKey(privateKeyPem)).export({ type: "spki", format: "der" });
    const fromCertificate = new X509Certificate(certificatePem).publicKey.export({ type: "spki", format: "der" });
    return fromKey.equals(fromCertificate);
  } catch {
    return false;
  }
}

/** How to sign with the CA key: RSA as created here, or the ECDSA curves a restored CA may use. */
export function signingAlgorithmOf(key: KeyObject): {
  key: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;
  signature: webcrypto.Algorithm;
} {
  if (key.asymmetricKeyType === "rsa") {
    return {
      key: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
      signature: { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" } as webcrypto.Algorithm,
    };
  }
  const curve = key.asymmetricKeyDetails?.namedCurve;
  if (key.asymmetricKeyType === "ec" && (curve === "prime256v1" || curve === "secp384r1")) {
    const p384 = curve === "secp384r1";
    return {
      key: { name: "ECDSA", namedCurve: p384 ? "P-384" : "P-256" },
      signature: { name: "ECDSA", hash: p384 ? "SHA-384" : "SHA-256" } as webcrypto.Algorithm,
    };
  }
  throw new Error(
    `the CA private key is a ${key.asymmetricKeyType ?? "unknown"} key; swarm-cluster signs with RSA or ECDSA P-256/P-384 CA keys`,
  );
}

/**
 * A 127-bit positive serial hashed from everything the certificate says, its new public key included, so it is
 * reproducible from its inputs yet never repeats for two different certificates of one CA.
 */
function serialFrom(inputs: unknown, spki: Uint8Array): string {
  const digest = createHash("sha256").update(JSON.stringify(inputs)).update(spki).digest().subarray(0, 16);
  digest[0] = (digest[0] ?? 0) & 0x7f || 0x40;
  return digest.toString("hex");
}

async function privateKeyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = Buffer.from(await crypto.subtle.exportKey("pkcs8", key));
  const lines = der.toString("base64").match(/.{1,64}/g) ?? [];
  return `-----BEGIN PRIVATE KEY-----\n${lines.join("\n")}\n-----END PRIVATE KEY-----\n`;
}

/** PEM with Unix line endings and a final newline, as it is committed. */
function pemLines(pem: string): string {
  return `${pem.replace(/\r\n/g, "\n").trimEnd()}\n`;
}

function wholeSeconds(date: Date): Date {
  return new Date(Math.floor(date.getTime() / 1000) * 1000);
}

function addDays(date: Date, days: number): Date {
  return new Date(date.getTime() + days * 86_400_000);
}
