import type { PkiSecretSource } from "../model/secret.js";
import type { PkiOptions } from "../pki/material.js";
import { PkiState, trustBundle } from "../pki/state.js";

/**
 * A certificate, its key or a domain's trust bundle as the last build left them in `pki/` and `secrets/pki/`:
 * what a Docker secret copied from the PKI holds. Undefined until a build has issued it.
 */
export function readPkiMaterial(options: Pick<PkiOptions, "stateDir" | "secretsDir">, source: PkiSecretSource): string | undefined {
  const state = new PkiState(options, source.domain);
  if (source.part === "certificate") return state.read(state.certificate(source.certificate));
  if (source.part === "key") return state.read(state.key(source.certificate));
  const ca = state.read(state.caCertificate);
  return ca === undefined ? undefined : trustBundle(ca, state);
}
