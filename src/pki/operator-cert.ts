import { PkiState } from "./state.js";
import { pkiNow } from "./clock.js";
import type { PkiOptions } from "./material.js";

/**
 * A person's client certificate is minted when it is needed, short-lived, from the domain's CA key, and never
 * committed: a lost laptop then holds a key that stops working within a day, not a five-year pass into the
 * Docker API or etcd. Which domains a person may be a client of: the two whose daemons verify clients.
 */
export const OPERATOR_DOMAINS = ["docker-api", "etcd-client"] as const;
export type OperatorDomain = (typeof OPERATOR_DOMAINS)[number];

/** Longest lifetime `operator-cert` mints: a week covers a long maintenance; anything longer is a standing credential. */
export const OPERATOR_TTL_MAX_MS = 7 * 86_400_000;
/** Shortest: a certificate must outlive the command that uses it. */
export const OPERATOR_TTL_MIN_MS = 5 * 60_000;
/** The certificate starts this much before now, so a server whose clock runs a little behind accepts it at once. */
const CLOCK_SKEW_MS = 5 * 60_000;

const UNITS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `24h`, `90m`, `2d` → milliseconds; a message a person can act on otherwise. */
export function parseTtl(text: string): number {
  const match = /^([1-9][0-9]{0,5})([mhd])$/.exec(text.trim());
  if (!match)
    throw new OperatorCertError(`--ttl ${JSON.stringify(text)} is not a duration: write minutes, hours or days, e.g. 90m, 24h, 2d`);
  const ms = Number(match[1]) * (UNITS[match[2] as string] as number);
  if (ms > OPERATOR_TTL_MAX_MS) {
    throw new OperatorCertError(`--ttl ${text} is longer than the 7 days an operator certificate may live; mint a new one when it expires`);
  }
  if (ms < OPERATOR_TTL_MIN_MS) throw new OperatorCertError(`--ttl ${text} is shorter than 5 minutes`);
  return ms;
}

/** A refusal with the reason and the way out, printed as it is. */
export class OperatorCertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OperatorCertError";
  }
}

export interface MintRequest {
  readonly domain: OperatorDomain;
  /** Subject common name: who the certificate is for (etcd and the Docker API log it). */
  readonly name: string;
  readonly ttlMs: number;
}

export interface MintedCertificate {
  /** The domain's trust bundle: what the client verifies the server with (both CAs during a rotation). */
  readonly caPem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  readonly notAfter: Date;
  /** Lower-case hexadecimal: what `swarm-cluster pki revoke <domain> <serial>` takes. */
  readonly serial: string;
}

/** Signs a client-auth-only certificate with the domain's issuing CA key from secrets/. */
export async function mintOperatorCertificate(
  options: Pick<PkiOptions, "stateDir" | "secretsDir">,
  request: MintRequest,
  now: Date = pkiNow(),
): Promise<MintedCertificate> {
  if (!OPERATOR_DOMAINS.includes(request.domain)) {
    throw new OperatorCertError(`--domain ${request.domain}: operator certificates are for ${OPERATOR_DOMAINS.join(" or ")}`);
  }
  if (!/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(request.name)) {
    throw new OperatorCertError(
      `--name ${JSON.stringify(request.name)}: use up to 64 letters, digits, '.', '_', '@' or '-' (it becomes the certificate's common name)`,
    );
  }
  const state = new PkiState(options, request.domain);
  const caPem = state.read(state.caCertificate);
  if (caPem === undefined) {
    throw new OperatorCertError(
      `${state.display(state.caCertificate)} is missing: the ${request.domain} CA does not exist yet; run \`swarm-cluster build\` (with a ClusterPki) first`,
    );
  }
  const caKeyPem = state.read(state.caKey);
  if (caKeyPem === undefined) {
    throw new OperatorCertError(
      `the ${request.domain} CA key ${state.display(state.caKey)} is missing, so nothing can be signed: mint operator certificates where the CA key is, or restore it from your secret store`,
    );
  }
  const { keyMatchesCertificate, openIssuer } = await import("./issue.js");
  if (!keyMatchesCertificate(caPem, caKeyPem)) {
    throw new OperatorCertError(
      `${state.display(state.caKey)} does not belong to ${state.display(state.caCertificate)}; restore the matching key from your secret store`,
    );
  }
  const issuer = await openIssuer(caPem, caKeyPem);
  const issued = await issuer.issueBetween(
    { name: request.name, commonName: request.name, dnsNames: [], ipAddresses: [], usages: ["client"] },
    new Date(now.getTime() - CLOCK_SKEW_MS),
    new Date(now.getTime() + request.ttlMs),
  );
  const bundle = [caPem, state.read(state.nextCaCertificate), state.read(state.previousCaCertificate)].filter(
    (pem): pem is string => pem !== undefined,
  );
  const { X509Certificate } = await import("node:crypto");
  return {
    caPem: bundle.join(""),
    certificatePem: issued.certificatePem,
    privateKeyPem: issued.privateKeyPem,
    notAfter: new Date(new X509Certificate(issued.certificatePem).validTo),
    serial: new X509Certificate(issued.certificatePem).serialNumber.toLowerCase(),
  };
}
