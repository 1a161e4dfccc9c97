import { createPrivateKey, createPublicKey, X509Certificate } from "node:crypto";
import type { PkiState } from "../pki/state.js";

/** A node's private key as secrets/ holds it, or why it cannot be used. */
export type NodeKey =
  | { readonly kind: "found"; readonly pem: string }
  | { readonly kind: "missing" }
  | { readonly kind: "unreadable" }
  | { readonly kind: "mismatch" };

/**
 * Reads `secrets/pki/<domain>/<hostname>.key` and checks that it belongs to the certificate the node's Ignition
 * config installs: a key from another node or an older issue would only show as a TLS failure at first boot.
 */
export function loadNodeKey(state: PkiState, hostname: string, certificatePem: string): NodeKey {
  const pem = state.read(state.key(hostname));
  if (pem === undefined) return { kind: "missing" };
  const fromKey = publicKeyOfPrivateKey(pem);
  if (fromKey === undefined) return { kind: "unreadable" };
  const fromCertificate = publicKeyOfCertificate(certificatePem);
  if (fromCertificate === undefined || !fromKey.equals(fromCertificate)) return { kind: "mismatch" };
  return { kind: "found", pem };
}

/** SPKI DER of the public half; undefined for text that is no PEM private key (never echoed: it may be one). */
function publicKeyOfPrivateKey(pem: string): Buffer | undefined {
  try {
    return createPublicKey(createPrivateKey(pem)).export({ type: "spki", format: "der" });
  } catch {
    return undefined;
  }
}

function publicKeyOfCertificate(pem: string): Buffer | undefined {
  try {
    return new X509Certificate(pem).publicKey.export({ type: "spki", format: "der" });
  } catch {
    return undefined;
  }
}
