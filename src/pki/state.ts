import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { PkiOptions, StateWrite } from "./material.js";

/**
 * Where the PKI state lives. Issued certificates are committed next to the config like a lock file
 * (`pki/ca.crt`, `pki/certs/<name>.crt`), so a fresh clone rebuilds byte-identical output; their private keys
 * go to the git-ignored `secrets/pki/`, which a fresh clone does not have.
 */
export class PkiState {
  readonly caCertificate: string;
  readonly caKey: string;
  readonly stateDir: string;
  private readonly root: string;

  constructor(private readonly options: Pick<PkiOptions, "stateDir" | "secretsDir">) {
    this.stateDir = options.stateDir;
    this.caCertificate = path.join(options.stateDir, "ca.crt");
    this.caKey = path.join(options.secretsDir, "ca.key");
    // Messages name files relative to the config's folder, where `pki/` sits, as a user sees them in git.
    this.root = path.dirname(options.stateDir);
  }

  certificate(name: string): string {
    return path.join(this.options.stateDir, "certs", `${name}.crt`);
  }

  key(name: string): string {
    return path.join(this.options.secretsDir, `${name}.key`);
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
