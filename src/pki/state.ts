import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PkiOptions, StateWrite } from "./material.js";

/**
 * Where one trust domain's PKI state lives. Each CA (a trust domain: etcd peers, etcd clients, the Docker TLS
 * API, …) has a folder of its own: its certificate and the certificates it issued are committed next to the
 * config like a lock file (`pki/<domain>/ca.crt`, `pki/<domain>/certs/<name>.crt`), so a fresh clone rebuilds
 * byte-identical output; their private keys go to the git-ignored `secrets/pki/<domain>/`, which a fresh clone
 * does not have. During a CA rotation a second CA sits beside the issuing one: `ca.next.crt` (trusted, not yet
 * issuing) or `ca.previous.crt` (no longer issuing, still trusted until it is retired).
 */
export class PkiState {
  readonly domain: string;
  readonly caCertificate: string;
  readonly caKey: string;
  /** The CA a rotation brings in, trusted beside the issuing one before it issues anything. */
  readonly nextCaCertificate: string;
  readonly nextCaKey: string;
  /** The CA a rotation retires: it no longer issues, and is trusted until `rotate-ca … finish`. */
  readonly previousCaCertificate: string;
  readonly previousCaKey: string;
  /** The issuing CA's certificate revocation list (PEM), committed: signed by `swarm-cluster pki revoke|crl`. */
  readonly crl: string;
  readonly stateDir: string;
  readonly secretsDir: string;
  private readonly root: string;

  constructor(options: Pick<PkiOptions, "stateDir" | "secretsDir">, domain: string) {
    this.domain = domain;
    this.stateDir = path.join(options.stateDir, domain);
    this.secretsDir = path.join(options.secretsDir, domain);
    this.caCertificate = path.join(this.stateDir, "ca.crt");
    this.caKey = path.join(this.secretsDir, "ca.key");
    this.nextCaCertificate = path.join(this.stateDir, "ca.next.crt");
    this.nextCaKey = path.join(this.secretsDir, "ca.next.key");
    this.previousCaCertificate = path.join(this.stateDir, "ca.previous.crt");
    this.previousCaKey = path.join(this.secretsDir, "ca.previous.key");
    this.crl = path.join(this.stateDir, "crl.pem");
    // Messages name files relative to the config's folder, where `pki/` sits, as a user sees them in git.
    this.root = path.dirname(options.stateDir);
  }

  certificate(name: string): string {
    return path.join(this.stateDir, "certs", `${name}.crt`);
  }

  key(name: string): string {
    return path.join(this.secretsDir, `${name}.key`);
  }

  /** A state path as a user reads it: relative to the config folder, with forward slashes. */
  display(file: string): string {
    return path.relative(this.root, file).split(path.sep).join("/");
  }

  /** The file's text with Unix line endings (a checkout with autocrlf must not change the build), if it exists. */
  read(file: string): string | undefined {
    if (!existsSync(file)) return undefined;
    return readFileSync(file, "utf8").replace(/\r\n/g, "\n");
  }

  exists(file: string): boolean {
    return existsSync(file);
  }
}

export function certificateWrite(file: string, pem: string): StateWrite {
  return { path: file, content: pem, mode: 0o644 };
}

export function privateKeyWrite(file: string, pem: string): StateWrite {
  return { path: file, content: pem, mode: 0o600 };
}
