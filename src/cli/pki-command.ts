import { InvalidClock } from "../pki/clock.js";
import type { RevocationReason } from "../pki/crl.js";
import { resignCrl, RevocationError, type RevocationResult, revokeCertificate } from "../pki/revocation.js";
import type { Output } from "./output.js";
import { projectPaths } from "./project.js";

export interface PkiCommandOptions {
  readonly config: string;
}

export interface PkiRevokeOptions extends PkiCommandOptions {
  readonly reason: string;
}

/** `swarm-cluster pki revoke <domain> <certificate|serial>` (src/pki/revocation.ts): what it signed, and what comes next. */
export function runPkiRevoke(domain: string, certificate: string, options: PkiRevokeOptions, io: Output): Promise<number> {
  return report(
    "revoke",
    () => revokeCertificate(projectPaths(options.config).pki, domain, certificate, options.reason as RevocationReason),
    io,
  );
}

/** `swarm-cluster pki crl <domain>`: re-signs the unchanged list. */
export function runPkiCrl(domain: string, options: PkiCommandOptions, io: Output): Promise<number> {
  return report("crl", () => resignCrl(projectPaths(options.config).pki, domain), io);
}

async function report(command: string, run: () => Promise<RevocationResult>, io: Output): Promise<number> {
  try {
    const result = await run();
    for (const line of result.done) io.out(`${line}\n`);
    io.out(`next: ${result.next}\n`);
    return 0;
  } catch (error) {
    if (error instanceof RevocationError || error instanceof InvalidClock) {
      io.err(`swarm-cluster: pki ${command}: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}
