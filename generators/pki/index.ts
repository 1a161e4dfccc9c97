export { ClusterPki, type ClusterPkiProps } from "./cluster-pki.js";
import { X509Certificate } from "node:crypto";
import { compareStrings, toJson } from "../../src/core/stable-json.js";
import { CertificateAuthority } from "../../src/model/certificate.js";
import { commonNameOf, parseCertificate, subjectAltNamesOf, usagesOf } from "../../src/pki/compare.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { defineGenerator, type Delivery, type GeneratedFile } from "../../src/synth/generator.js";

/**
 * The public half of the PKI in out/: the CA and every issued certificate, as committed in pki/, plus an
 * inventory that makes a re-issued certificate readable in a pull request (new serial, SANs, expiry).
 * PEM files carry no "generated" banner: they are byte-identical copies of the committed state, so their
 * fingerprints match pki/ and what the hosts hold.
 */
export const pkiGenerator = defineGenerator({
  name: "pki",
  generate({ cluster, pki }) {
    const authority = cluster.all(CertificateAuthority)[0];
    if (!authority || pki.caCertificatePem === "") return [];

    const hostnames = cluster.nodes.map((node) => node.hostname);
    const files: GeneratedFile[] = [
      {
        path: OUT_PATHS.familyFile("pki", "ca.crt"),
        content: pki.caCertificatePem,
        construct: authority.path,
        delivery: { kind: "host", nodes: hostnames },
      },
    ];
    const inventory: InventoryEntry[] = [];
    for (const certificate of authority.certificates) {
      const pem = pki.certificates.get(certificate.name);
      if (pem === undefined) continue;
      const delivery: Delivery = certificate.installedOn ? { kind: "host", nodes: [certificate.installedOn] } : { kind: "operator" };
      files.push({
        path: OUT_PATHS.familyFile("pki", `certs/${certificate.name}.crt`),
        content: pem,
        construct: certificate.path,
        delivery,
      });
      inventory.push({ name: certificate.name, installedOn: certificate.installedOn ?? null, ...describeCertificate(pem) });
    }
    inventory.sort((a, b) => compareStrings(a.name, b.name));

    files.push({
      path: OUT_PATHS.familyFile("pki", "inventory.json"),
      content: toJson({ ca: identify(new X509Certificate(pki.caCertificatePem)), certificates: inventory }),
      construct: authority.path,
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

interface CertificateFacts extends Identity {
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly usages: readonly string[];
}

interface InventoryEntry extends CertificateFacts {
  readonly name: string;
  readonly installedOn: string | null;
}

/** What the certificate itself says (not the request): the inventory must show what hosts will hold. */
function describeCertificate(pem: string): CertificateFacts {
  const certificate = parseCertificate(pem) ?? new X509Certificate(pem);
  const { commonName, ...rest } = identify(certificate);
  return { commonName, ...subjectAltNamesOf(certificate), usages: usagesOf(certificate), ...rest };
}

function identify(certificate: X509Certificate): Identity {
  return {
    commonName: commonNameOf(certificate) ?? null,
    serial: certificate.serialNumber.toLowerCase(),
    notAfter: new Date(certificate.validTo).toISOString(),
    sha256: certificate.fingerprint256.replace(/:/g, "").toLowerCase(),
  };
}
