export { ClusterPki, type ClusterPkiProps } from "./cluster-pki.js";
export { crlDistributionPoint, HOST_TLS, hostTls, TRUST_DOMAINS, type TrustDomain } from "./host-paths.js";
import { X509Certificate } from "node:crypto";
import { compareStrings, toJson } from "../../src/core/stable-json.js";
import { CertificateAuthority } from "../../src/model/certificate.js";
import { commonNameOf, parseCertificate, subjectAltNamesOf, usagesOf } from "../../src/pki/compare.js";
import { readCrl } from "../../src/pki/crl.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { defineGenerator, type Delivery, type GeneratedFile } from "../../src/synth/generator.js";

/**
 * The public half of the PKI in out/, one folder per trust domain: the CAs the domain's daemons trust
 * (`<domain>/ca.crt`, the same bundle the hosts hold) and every certificate the domain's CA issued, as
 * committed in pki/; plus an inventory that makes a re-issued certificate or a CA rotation readable in a pull
 * request (which CA issues, which are trusted, new serials, SANs, expiry). PEM files carry no "generated"
 * banner: they are byte-identical copies of the committed state, so their fingerprints match pki/ and the hosts.
 */
export const pkiGenerator = defineGenerator({
  name: "pki",
  generate({ cluster, pki }) {
    const files: GeneratedFile[] = [];
    const domains: DomainInventory[] = [];
    const authorities = [...cluster.all(CertificateAuthority)].sort((a, b) => compareStrings(a.domain, b.domain));
    for (const authority of authorities) {
      const material = pki.authorities.get(authority.domain);
      if (!material || material.caCertificatePem === "") continue;
      const holders = authority.certificates.flatMap((certificate) => (certificate.installedOn ? [certificate.installedOn] : []));
      files.push({
        path: OUT_PATHS.familyFile("pki", `${authority.domain}/ca.crt`),
        content: material.trustBundlePem,
        construct: authority.path,
        delivery: holders.length > 0 ? { kind: "host", nodes: [...new Set(holders)].sort(compareStrings) } : { kind: "operator" },
      });
      if (material.crlPem !== undefined) {
        // The issuing CA's revocation list, as committed (pki/<domain>/crl.pem): signed by `swarm-cluster pki
        // revoke|crl`, never by a build, so its dates are the revocation's.
        files.push({
          path: OUT_PATHS.familyFile("pki", `${authority.domain}/crl.pem`),
          content: material.crlPem,
          construct: authority.path,
          delivery: holders.length > 0 ? { kind: "host", nodes: [...new Set(holders)].sort(compareStrings) } : { kind: "operator" },
        });
      }
      const certificates: InventoryEntry[] = [];
      for (const certificate of authority.certificates) {
        const pem = material.certificates.get(certificate.name);
        if (pem === undefined) continue;
        const delivery: Delivery = certificate.installedOn ? { kind: "host", nodes: [certificate.installedOn] } : { kind: "operator" };
        files.push({
          path: OUT_PATHS.familyFile("pki", `${authority.domain}/certs/${certificate.name}.crt`),
          content: pem,
          construct: certificate.path,
          delivery,
        });
        certificates.push({ name: certificate.name, installedOn: certificate.installedOn ?? null, ...describeCertificate(pem) });
      }
      certificates.sort((a, b) => compareStrings(a.name, b.name));
      domains.push({
        domain: authority.domain,
        trusted: trustedCas(material.caCertificatePem, material.trustBundlePem),
        revocationList: material.crlPem === undefined ? null : describeCrl(material.crlPem),
        certificates,
      });
    }
    const first = authorities[0];
    if (domains.length === 0 || !first) return [];
    files.push({
      path: OUT_PATHS.familyFile("pki", "inventory.json"),
      content: toJson({ domains }),
      construct: first.path,
      delivery: { kind: "operator" },
    });
    return files;
  },
});

interface Identity {
  readonly commonName: string | null;
  readonly serial: string;
  readonly notAfter: string;
  readonly sha256: string;
}

interface TrustedCa extends Identity {
  /** `issuing` signs the domain's certificates; `rotating` is the other CA trusted during a rotation's overlap. */
  readonly role: "issuing" | "rotating";
}

interface CertificateFacts extends Identity {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly usages: readonly string[];
}

interface InventoryEntry extends CertificateFacts {
  readonly name: string;
  readonly installedOn: string | null;
}

interface DomainInventory {
  readonly domain: string;
  readonly trusted: readonly TrustedCa[];
  /** The issuing CA's CRL: its number, until when it holds, and the serials it revokes. */
  readonly revocationList: CrlInventory | null;
  readonly certificates: readonly InventoryEntry[];
}

/**
 * The list's number, the day it must be re-signed by, and the serials it revokes. Not its signing and revocation
 * dates: those are in the list itself (`openssl crl -text`), and a date of the last few days in out/ reads as a
 * build's timestamp.
 */
interface CrlInventory {
  readonly number: string;
  readonly nextUpdate: string | null;
  readonly revoked: readonly string[];
}

function describeCrl(pem: string): CrlInventory | null {
  const facts = readCrl(pem);
  if (!facts) return null;
  return {
    number: facts.number.toString(),
    nextUpdate: facts.nextUpdate?.toISOString() ?? null,
    revoked: facts.entries.map((entry) => entry.serial).sort(),
  };
}

/** Each CA of the bundle, the issuing one first, as a reviewer checks a rotation: which CAs do hosts trust? */
function trustedCas(issuingPem: string, bundlePem: string): TrustedCa[] {
  const issuing = new X509Certificate(issuingPem).fingerprint256;
  const blocks = bundlePem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g) ?? [];
  return blocks.map((pem) => {
    const certificate = new X509Certificate(pem);
    return { role: certificate.fingerprint256 === issuing ? "issuing" : "rotating", ...identify(certificate) };
  });
}

/** What the certificate itself says (not the request): the inventory must show what hosts will hold. */
function describeCertificate(pem: string): CertificateFacts {
  const certificate = parseCertificate(pem) ?? new X509Certificate(pem);
  const { commonName, ...rest } = identify(certificate);
  return { commonName, ...subjectAltNamesOf(certificate), usages: usagesOf(certificate), ...rest };
}

function identify(certificate: Pick<X509Certificate, "subject" | "serialNumber" | "validTo" | "fingerprint256">): Identity {
  return {
    commonName: commonNameOf(certificate) ?? null,
    serial: certificate.serialNumber.toLowerCase(),
    notAfter: new Date(certificate.validTo).toISOString(),
    sha256: certificate.fingerprint256.replace(/:/g, "").toLowerCase(),
  };
}
