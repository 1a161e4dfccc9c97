import { hostTls } from "../../generators/pki/host-paths.js";
import type { PkiState } from "../pki/state.js";
import type { HostSecret } from "./host-secrets.js";
import type { UnsafeKeyFile } from "./key-files.js";

/**
 * Why a node's overlay cannot be written, and how to get out. Never carries key material. Not a core Problem,
 * and printed by its own formatProblem below: it is about a node and the keys in secrets/, not a construct of
 * the config, so it has no severity, code, field or config line, and is listed under provision's own header.
 */
export interface ProvisionProblem {
  /** The node concerned; empty for a problem of the whole run. */
  readonly hostname: string;
  readonly message: string;
  readonly hint: string;
}

/** The way to a new key when the old one is lost: a new certificate, issued by the CA, with a new key. */
function reissue(state: PkiState, hostname: string): string {
  const certificate = state.display(state.certificate(hostname));
  return `re-issue it: remove ${certificate}, run \`swarm-cluster build\` with the CA key ${state.display(state.caKey)} present, and commit pki/ and out/`;
}

export function keyMissing(state: PkiState, hostname: string): ProvisionProblem {
  const key = state.display(state.key(hostname));
  return {
    hostname,
    message: `the node's private key ${key} is missing (a fresh clone has no secrets/), so its overlay cannot install ${hostTls(state.domain).key}`,
    hint: `restore secrets/ from your secret store (at least ${key}), or ${reissue(state, hostname)}`,
  };
}

export function keyUnreadable(state: PkiState, hostname: string): ProvisionProblem {
  const key = state.display(state.key(hostname));
  return {
    hostname,
    message: `${key} is not a readable PEM private key`,
    hint: `restore ${key} from your secret store, or ${reissue(state, hostname)}`,
  };
}

export function keyMismatch(state: PkiState, hostname: string): ProvisionProblem {
  const key = state.display(state.key(hostname));
  const certificate = state.display(state.certificate(hostname));
  return {
    hostname,
    message: `${key} does not belong to the node's certificate ${certificate} (their public keys differ); TLS in the ${state.domain} domain would fail at boot`,
    hint: `restore the key issued with ${certificate} from your secret store, or ${reissue(state, hostname)}`,
  };
}

export function noCertificate(hostname: string): ProvisionProblem {
  return {
    hostname,
    message: `the node's Ignition config installs no certificate at ${hostTls("<domain>").certificate}, so there is no key to deliver`,
    hint: `declare a ClusterPki after the nodes, or boot the node with out/nodes/${hostname}/config.ign as it is`,
  };
}

export function keyPathDeclared(hostname: string, keyPath: string): ProvisionProblem {
  return {
    hostname,
    message: `the node's public Ignition config already writes ${keyPath}; a private key must never be in out/`,
    hint: "remove the HostFile or Ignition override that writes that path",
  };
}

export function unsafeKeyFile(hostname: string, file: UnsafeKeyFile): ProvisionProblem {
  return {
    hostname,
    message: `the node's Ignition config writes the private key ${file.path} with ${file.reason}: other users of the node could read it`,
    hint: "give the HostFile or Ignition override that writes it mode 0o600 (or 0o400), owned by root",
  };
}

export function unknownNode(hostname: string, known: readonly string[]): ProvisionProblem {
  return { hostname, message: "no such node in the config", hint: `choose among: ${known.join(", ")}` };
}

export function pendingCertificates(pending: readonly string[]): ProvisionProblem {
  return {
    hostname: "",
    message: `certificates are not issued as the config declares them:\n${pending.map((line) => `    ${line}`).join("\n")}`,
    hint: "run `swarm-cluster build` (it issues them with the CA key) and commit pki/ and out/, then provision",
  };
}

export function insideOut(dir: string, outDir: string): ProvisionProblem {
  return {
    hostname: "",
    message: `${dir} is inside ${outDir}/, which is committed: overlays hold private keys`,
    hint: "leave out --out (overlays go to secrets/ignition/) or choose a folder outside out/",
  };
}

export function notIgnored(dir: string): ProvisionProblem {
  return {
    hostname: "",
    message: `git does not ignore ${dir}, so the overlays (which hold private keys) could be committed`,
    hint: "leave out --out (overlays go to secrets/ignition/, which .gitignore covers) or add the folder to .gitignore",
  };
}

export function hostSecretMissing(hostname: string, secret: HostSecret): ProvisionProblem {
  return {
    hostname,
    message: `secrets/${secret.secret} is missing, so the overlay cannot install ${secret.path}`,
    hint: `write ${secret.description} to secrets/${secret.secret} (mode 0600; git-ignored, never in out/), then run provision again`,
  };
}

export function formatProblem(problem: ProvisionProblem): string {
  const subject = problem.hostname ? `${problem.hostname}: ` : "";
  return `  ${subject}${problem.message}\n    fix: ${problem.hint}\n`;
}
