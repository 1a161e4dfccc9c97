import type { Problem } from "../../core/problems.js";
import { CertificateAuthority } from "../../model/certificate.js";
import { problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/** Validity periods the PKI can date a certificate with: a NaN or negative count would make it expire before it starts. */
export function checkCertificates({ cluster }: CheckContext): Problem[] {
  return cluster
    .all(CertificateAuthority)
    .flatMap((authority) =>
      (["validityDays", "certificateValidityDays"] as const)
        .filter((field) => !isPositiveInteger(authority[field]))
        .map((field) => problem("certificate/validity-not-positive", authority, field, { value: authority[field] })),
    );
}

function isPositiveInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value) && value >= 1;
}
