import type { IgnitionConfig } from "../imports/ignition-v3.3.js";
import type { PkiState } from "../pki/state.js";
import type { SynthResult } from "../synth/synthesize.js";
import { unsafeKeyFiles } from "./key-files.js";
import { loadNodeKey } from "./node-key.js";
import { hostSecretsOf } from "./host-secrets.js";
import { declaredKeyPath, type DomainKey, hostnameOfConfig, installedCertificates, type SecretFile, secretsOverlay } from "./overlay.js";
import * as problem from "./problems.js";
import type { ProvisionProblem } from "./problems.js";

/** One overlay to write: the node's complete Ignition config with its private key. */
export interface Overlay {
  readonly hostname: string;
  readonly content: string;
  /** The public config it extends, as the build emits it to out/nodes/<hostname>/config.ign. */
  readonly publicConfig: string;
}

/**
 * Every overlay asked for, or every reason they cannot all be written: the whole run is checked before
 * anything is written, so a missing key for one node leaves no half-provisioned set behind.
 */
export function planOverlays(
  build: Pick<SynthResult, "files" | "pendingIssues">,
  stateOf: (domain: string) => PkiState,
  requested: readonly string[],
  /** A file under secrets/ by its relative path, or undefined when it is missing. */
  readSecret: (relative: string) => string | undefined = () => undefined,
): { overlays: Overlay[]; problems: ProvisionProblem[] } {
  // Issuing is `build`'s job (it writes pki/ and must be committed); provision delivers what build issued.
  if (build.pendingIssues.length > 0) return { overlays: [], problems: [problem.pendingCertificates(build.pendingIssues)] };

  const configs = new Map<string, string>();
  for (const file of build.files) {
    const hostname = hostnameOfConfig(file.path);
    if (hostname !== undefined) configs.set(hostname, file.content);
  }
  const known = [...configs.keys()];
  const hostnames = requested.length > 0 ? [...new Set(requested)] : known;

  const overlays: Overlay[] = [];
  const problems: ProvisionProblem[] = [];
  for (const hostname of hostnames) {
    const text = configs.get(hostname);
    if (text === undefined) {
      problems.push(problem.unknownNode(hostname, known));
      continue;
    }
    const config = JSON.parse(text) as IgnitionConfig;
    const certificates = installedCertificates(config);
    if (certificates.length === 0) {
      problems.push(problem.noCertificate(hostname));
      continue;
    }
    const declared = declaredKeyPath(
      config,
      certificates.map((certificate) => certificate.domain),
    );
    if (declared !== undefined) {
      problems.push(problem.keyPathDeclared(hostname, declared));
      continue;
    }
    const keys: DomainKey[] = [];
    for (const { domain, pem } of certificates) {
      const state = stateOf(domain);
      const key = loadNodeKey(state, hostname, pem);
      if (key.kind === "found") keys.push({ domain, pem: key.pem });
      else if (key.kind === "missing") problems.push(problem.keyMissing(state, hostname));
      else if (key.kind === "unreadable") problems.push(problem.keyUnreadable(state, hostname));
      else problems.push(problem.keyMismatch(state, hostname));
    }
    if (keys.length !== certificates.length) continue;
    const secrets: SecretFile[] = [];
    for (const wanted of hostSecretsOf(build.files, hostname)) {
      const content = readSecret(wanted.secret);
      if (content === undefined) problems.push(problem.hostSecretMissing(hostname, wanted));
      else secrets.push({ path: wanted.path, content });
    }
    if (secrets.length !== hostSecretsOf(build.files, hostname).length) continue;
    const content = secretsOverlay(config, keys, secrets);
    // Whatever wrote a key file (this overlay, an override), a key on the node is root's alone.
    const unsafe = unsafeKeyFiles(JSON.parse(content) as IgnitionConfig);
    if (unsafe.length > 0) problems.push(...unsafe.map((file) => problem.unsafeKeyFile(hostname, file)));
    else overlays.push({ hostname, content, publicConfig: text });
  }
  return { overlays, problems };
}
