import { X509Certificate } from "node:crypto";
import { chmodSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pkiNow } from "./clock.js";
import { commonNameOf } from "./compare.js";
import type { PkiOptions } from "./material.js";
import { PkiState } from "./state.js";

/**
 * Rotating a domain's CA with an overlap, in three steps, each followed by `build` and rolling the output out to
 * every node before the next:
 * 1. `start`: a new CA is created beside the current one (`ca.next.crt`); every trust bundle of the domain
 *    holds both, while the current CA still issues. Nodes learn to trust the new CA before anything uses it.
 * 2. `switch`: the new CA becomes the issuing one and the old one `ca.previous.crt`; the next build re-issues
 *    every certificate of the domain with the new CA. Bundles still hold both, so a node with a new certificate
 *    and a node not yet updated verify each other.
 * 3. `finish`: the old CA is retired: bundles hold the new CA alone, and a certificate of the old CA is refused.
 */
export const ROTATION_STEPS = ["start", "switch", "finish"] as const;
export type RotationStep = (typeof ROTATION_STEPS)[number];

export class RotationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RotationError";
  }
}

/** What a step did, as lines to print, and what to do next. */
export interface RotationResult {
  readonly done: readonly string[];
  readonly next: string;
}

export async function rotateCa(
  options: Pick<PkiOptions, "stateDir" | "secretsDir">,
  domain: string,
  step: RotationStep,
  now: Date = pkiNow(),
): Promise<RotationResult> {
  if (!/^[a-z0-9][a-z0-9-]*$/.test(domain))
    throw new RotationError(`${JSON.stringify(domain)} is no trust domain (etcd-peer, etcd-client, docker-api)`);
  const state = new PkiState(options, domain);
  const show = (file: string): string => state.display(file);
  const current = state.read(state.caCertificate);
  if (current === undefined) {
    throw new RotationError(
      `${show(state.caCertificate)} is missing: there is no ${domain} CA to rotate (run \`swarm-cluster build\` first)`,
    );
  }
  const hasNext = state.exists(state.nextCaCertificate);
  const hasPrevious = state.exists(state.previousCaCertificate);

  if (step === "start") {
    if (hasNext) throw new RotationError(`a rotation of ${domain} is already started (${show(state.nextCaCertificate)}); next: \`switch\``);
    if (hasPrevious) {
      throw new RotationError(`the last rotation of ${domain} is not finished (${show(state.previousCaCertificate)}); next: \`finish\``);
    }
    const old = new X509Certificate(current);
    // The same name and lifetime as the CA it replaces: the config names the CA, and the renamed-CA check holds.
    const validityDays = Math.round((Date.parse(old.validTo) - Date.parse(old.validFrom)) / 86_400_000);
    const { createAuthority } = await import("./issue.js");
    const created = await createAuthority({ commonName: commonNameOf(old) ?? `${domain} CA`, validityDays }, now);
    writeState(state.nextCaKey, created.privateKeyPem, 0o600);
    writeState(state.nextCaCertificate, created.certificatePem, 0o644);
    return {
      done: [`created the new ${domain} CA: ${show(state.nextCaCertificate)} (key ${show(state.nextCaKey)})`],
      next: `run \`swarm-cluster build\`, commit pki/ and out/, and apply every node (each ${domain} trust bundle now holds both CAs); then \`swarm-cluster rotate-ca ${domain} switch\``,
    };
  }

  if (step === "switch") {
    if (!hasNext) throw new RotationError(`no rotation of ${domain} is started: run \`swarm-cluster rotate-ca ${domain} start\` first`);
    if (!state.exists(state.nextCaKey)) {
      throw new RotationError(`the new CA's key ${show(state.nextCaKey)} is missing: restore it from your secret store`);
    }
    renameSync(state.caCertificate, state.previousCaCertificate);
    if (state.exists(state.caKey)) renameSync(state.caKey, state.previousCaKey);
    renameSync(state.nextCaCertificate, state.caCertificate);
    renameSync(state.nextCaKey, state.caKey);
    // The domain's revocation list is the issuing CA's: the new CA signs it, keeping what the old one revoked.
    const { resignAfterSwitch } = await import("./revocation.js");
    const resigned = await resignAfterSwitch(options, domain, now);
    return {
      done: [
        `the new ${domain} CA issues now (${show(state.caCertificate)}); the old one stays trusted as ${show(state.previousCaCertificate)}`,
        ...(resigned ? [resigned] : []),
      ],
      next: `run \`swarm-cluster build\` (it re-issues every ${domain} certificate), commit pki/ and out/, apply every node and re-provision their keys, mint new operator certificates; then \`swarm-cluster rotate-ca ${domain} finish\``,
    };
  }

  if (!hasPrevious) throw new RotationError(`no old ${domain} CA to retire: \`finish\` comes after \`start\` and \`switch\``);
  rmSync(state.previousCaCertificate);
  rmSync(state.previousCaKey, { force: true });
  return {
    done: [`retired the old ${domain} CA (${show(state.previousCaCertificate)} and its key removed)`],
    next: `run \`swarm-cluster build\`, commit pki/ and out/, and apply every node: certificates of the old CA are refused from then on`,
  };
}

function writeState(file: string, content: string, mode: number): void {
  mkdirSync(path.dirname(file), { recursive: true, mode: mode === 0o600 ? 0o700 : 0o755 });
  writeFileSync(file, content, { mode, flag: "wx" });
  chmodSync(file, mode);
}
