import { chmodSync, existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pkiNow } from "./clock.js";
import {
  type CrlFacts,
  normalizeSerial,
  REVOCATION_REASONS,
  type RevocationReason,
  readCrl,
  type RevokedEntry,
  serialOf,
  signCrl,
} from "./crl.js";
import type { PkiOptions } from "./material.js";
import { PkiState } from "./state.js";

/**
 * `swarm-cluster pki revoke <domain> <certificate|serial>` and `swarm-cluster pki crl <domain>`: each signs the
 * domain's list anew with the issuing CA key from secrets/ (one more CRL number, thisUpdate now, nextUpdate a
 * year on) and writes it to the committed `pki/<domain>/crl.pem`. Nothing else changes: the next build copies
 * the list into out/ and onto the domain's hosts, and re-issues a revoked node certificate.
 */
export class RevocationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RevocationError";
  }
}

export interface RevocationResult {
  readonly done: readonly string[];
  readonly next: string;
}

type StatePaths = Pick<PkiOptions, "stateDir" | "secretsDir">;

/** Adds a certificate (by its name in pki/<domain>/certs/, or its serial) to the domain's CRL. */
export async function revokeCertificate(
  options: StatePaths,
  domain: string,
  target: string,
  reason: RevocationReason = "keyCompromise",
  now: Date = pkiNow(),
): Promise<RevocationResult> {
  if (!Object.hasOwn(REVOCATION_REASONS, reason)) {
    throw new RevocationError(`--reason ${reason}: one of ${Object.keys(REVOCATION_REASONS).join(", ")}`);
  }
  const { state, caPem, caKeyPem, current } = await open(options, domain);
  const show = (file: string): string => state.display(file);
  const file = state.certificate(target);
  let serial: string;
  let what: string;
  if (/^[A-Za-z0-9][A-Za-z0-9._@-]*$/.test(target) && existsSync(file)) {
    serial = serialOf(state.read(file) ?? "");
    what = `${show(file)} (serial ${serial})`;
  } else if (/^(?:[0-9a-fA-F]{2}:?)+$/.test(target) && target.replace(/:/g, "").length >= 2) {
    serial = normalizeSerial(target);
    what = `serial ${serial}`;
  } else {
    const names = certificateNames(state);
    throw new RevocationError(
      `${JSON.stringify(target)} is neither a certificate of ${domain} (${names.length > 0 ? names.join(", ") : "none issued"}) nor a serial in hexadecimal`,
    );
  }
  if (current.entries.some((entry) => entry.serial === serial)) {
    throw new RevocationError(`${what} is already revoked in ${show(state.crl)}`);
  }
  const entries: RevokedEntry[] = [...current.entries, { serial, revokedAt: now, reason: REVOCATION_REASONS[reason] }];
  const pem = await signCrl(caPem, caKeyPem, { entries, number: current.number + 1n, thisUpdate: now });
  writeCrl(state.crl, pem);
  return {
    done: [
      `revoked ${what} (${reason}): ${show(state.crl)} now lists ${entries.length} certificate(s) (CRL number ${current.number + 1n})`,
    ],
    next:
      `run \`swarm-cluster build\` (it re-issues a revoked node certificate), commit pki/ and out/, and apply every node of ${domain}` +
      (domain.startsWith("etcd-") ? " (etcd reads the list at each new connection, without a restart)" : "") +
      "; re-provision the node whose certificate was re-issued",
  };
}

/** Re-signs the unchanged list: a new thisUpdate and nextUpdate, before the old nextUpdate passes. */
export async function resignCrl(options: StatePaths, domain: string, now: Date = pkiNow()): Promise<RevocationResult> {
  const { state, caPem, caKeyPem, current } = await open(options, domain);
  const pem = await signCrl(caPem, caKeyPem, { entries: current.entries, number: current.number + 1n, thisUpdate: now });
  writeCrl(state.crl, pem);
  const next = readCrl(pem)?.nextUpdate?.toISOString().slice(0, 10) ?? "?";
  return {
    done: [
      `re-signed ${state.display(state.crl)} (${current.entries.length} revoked, CRL number ${current.number + 1n}, next update ${next})`,
    ],
    next: `run \`swarm-cluster build\`, commit pki/ and out/, and apply every node of ${domain}`,
  };
}

/**
 * After `rotate-ca … switch`: the new issuing CA signs the list, keeping every entry, so a certificate of the
 * old CA that was revoked stays refused while the old CA is still trusted (etcd matches serials, which the
 * project's serials keep unique across CAs).
 */
export async function resignAfterSwitch(options: StatePaths, domain: string, now: Date = pkiNow()): Promise<string | undefined> {
  const state = new PkiState(options, domain);
  const caPem = state.read(state.caCertificate);
  const caKeyPem = state.read(state.caKey);
  const existing = state.read(state.crl);
  if (caPem === undefined || caKeyPem === undefined) return undefined;
  const current = existing === undefined ? undefined : readCrl(existing);
  const pem = await signCrl(caPem, caKeyPem, {
    entries: current?.entries ?? [],
    number: (current?.number ?? 0n) + 1n,
    thisUpdate: now,
  });
  writeCrl(state.crl, pem);
  return `the new ${domain} CA signed ${state.display(state.crl)}, keeping its ${current?.entries.length ?? 0} revoked certificate(s)`;
}

async function open(options: StatePaths, domain: string): Promise<{ state: PkiState; caPem: string; caKeyPem: string; current: CrlFacts }> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(domain))
    throw new RevocationError(`${JSON.stringify(domain)} is no trust domain (etcd-peer, etcd-client, docker-api)`);
  const state = new PkiState(options, domain);
  const show = (file: string): string => state.display(file);
  const caPem = state.read(state.caCertificate);
  if (caPem === undefined) throw new RevocationError(`${show(state.caCertificate)} is missing: there is no ${domain} CA`);
  const caKeyPem = state.read(state.caKey);
  if (caKeyPem === undefined) {
    throw new RevocationError(
      `the ${domain} CA key ${show(state.caKey)} is missing, so no list can be signed: run this where the CA key is, or restore it from your secret store`,
    );
  }
  const { keyMatchesCertificate } = await import("./issue.js");
  if (!keyMatchesCertificate(caPem, caKeyPem)) {
    throw new RevocationError(
      `${show(state.caKey)} does not belong to ${show(state.caCertificate)}; restore the matching key from your secret store`,
    );
  }
  const existing = state.read(state.crl);
  const current = existing === undefined ? { number: 0n, thisUpdate: new Date(0), nextUpdate: undefined, entries: [] } : readCrl(existing);
  if (current === undefined) throw new RevocationError(`${show(state.crl)} is not a readable CRL; restore it from git`);
  return { state, caPem, caKeyPem, current };
}

function certificateNames(state: PkiState): string[] {
  const dir = path.join(state.stateDir, "certs");
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((name) => name.endsWith(".crt"))
    .map((name) => name.slice(0, -4))
    .sort();
}

/** Written beside and renamed into place: a half-written list would refuse every client in etcd. */
function writeCrl(file: string, pem: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const temporary = `${file}.tmp-${process.pid}`;
  writeFileSync(temporary, pem, { mode: 0o644 });
  chmodSync(temporary, 0o644);
  renameSync(temporary, file);
}
