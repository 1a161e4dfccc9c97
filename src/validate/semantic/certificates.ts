import type { Problem } from "../../core/problems.js";
import { CertificateAuthority } from "../../model/certificate.js";
import { misdeclaredPki } from "../../pki/problems.js";
import { problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * What the PKI phase relies on: one CA per trust domain (its state lives in pki/<domain>/), no certificate named
 * like a CA's own files, and validity periods it can date a certificate with (a NaN or negative count would make it expire
 * before it starts). Found here, with every other problem, rather than when certificates are resolved.
 */
export function checkCertificates({ cluster }: CheckContext): Problem[] {
  const authorities = cluster.all(CertificateAuthority);
  return [...misdeclaredPki(authorities), ...validityProblems(authorities)];
}

function validityProblems(authorities: readonly CertificateAuthority[]): Problem[] {
  return authorities.flatMap((authority) =>
    (["validityDays", "certificateValidityDays"] as const)
      .filter((field) => !isPositiveInteger(authority[field]))
      .map((field) => problem("certificate/validity-not-positive", authority, field, { value: authority[field] })),
  );
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}
