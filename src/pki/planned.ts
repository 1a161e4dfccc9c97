import type { Cluster } from "../model/cluster.js";
import { CertificateAuthority } from "../model/certificate.js";
import type { AuthorityMaterial, PkiMaterial } from "./material.js";

/** What a planned certificate's file holds: never a PEM, so nothing can mistake it for one. */
const PLANNED = "certificate planned by the model, issued by the build\n";

const planned = new WeakMap<Cluster, PkiMaterial>();

/**
 * The PKI as the model declares it, before any certificate is resolved: every trust domain and every
 * certificate, each with a placeholder for its PEM. For what reads which files a node gets and their modes,
 * never their contents, before the certificates exist (the CIS check, in the validation phase); the same
 * object for a locked tree, so that what is computed from it once is reused.
 */
export function plannedPki(cluster: Cluster): PkiMaterial {
  const known = planned.get(cluster);
  if (known) return known;
  const authorities = new Map<string, AuthorityMaterial>();
  for (const authority of cluster.all(CertificateAuthority)) {
    authorities.set(authority.domain, {
      caCertificatePem: PLANNED,
      trustBundlePem: PLANNED,
      certificates: new Map(authority.certificates.map((certificate) => [certificate.name, PLANNED])),
      // Every CA has its revocation list: signed with it, or the build stops.
      crlPem: PLANNED,
    });
  }
  const material = { authorities };
  if (cluster.node.locked) planned.set(cluster, material);
  return material;
}
