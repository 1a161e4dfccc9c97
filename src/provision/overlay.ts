import { contentsText } from "../../generators/ignition/data-url.js";
import { domainOfCertificatePath, hostTls } from "../../generators/pki/host-paths.js";
import { toJson } from "../core/stable-json.js";
import type { File as IgnitionFile, IgnitionConfig } from "../imports/ignition-v3.3.js";

/** A secret file for the node beyond its keys (a backup's AWS credentials), read from secrets/. */
export interface SecretFile {
  readonly path: string;
  readonly content: string;
}

/** A node's private key in one trust domain, to be written beside the domain's certificate. */
export interface DomainKey {
  readonly domain: string;
  readonly pem: string;
}

/**
 * The secrets overlay is the node's COMPLETE Ignition config: the public config exactly as the build emits it
 * to out/nodes/<hostname>/config.ign, plus the node's private keys, one per trust domain it holds a
 * certificate of. Not an `ignition.config.merge` of the public config: a merged data: URL is opaque to
 * ignition-validate and to a reader, its merge rules are one more thing to reason about at first boot, and it
 * base64s the whole config again (user-data is size-limited on most clouds). Removing the key entries gives
 * back the public config byte for byte.
 */
export function secretsOverlay(publicConfig: IgnitionConfig, keys: readonly DomainKey[], secrets: readonly SecretFile[] = []): string {
  const overlay = structuredClone(publicConfig);
  const files = overlay.storage?.files ?? [];
  for (const key of keys) {
    // Beside the certificate it belongs to, so the pair reads together.
    const certificateAt = files.findIndex((file) => file.path === hostTls(key.domain).certificate);
    files.splice(certificateAt + 1, 0, nodeKeyFile(hostTls(key.domain).key, key.pem));
  }
  // The node's other secrets (host-secrets.ts), root's alone like the keys.
  for (const secret of secrets) files.push(nodeKeyFile(secret.path, secret.content));
  overlay.storage = { ...overlay.storage, files };
  return toJson(overlay);
}

/** Readable by root only: etcd and dockerd run as root; containers get their domain's folder mounted read-only. */
export const NODE_KEY_MODE = 0o600;

function nodeKeyFile(path: string, keyPem: string): IgnitionFile {
  return {
    path,
    overwrite: true,
    // base64 rather than the percent-encoding of the public files: no reader of this config needs the text.
    contents: { source: `data:;base64,${Buffer.from(keyPem, "utf8").toString("base64")}` },
    mode: NODE_KEY_MODE,
    user: { name: "root" },
    group: { name: "root" },
  };
}

/** The node certificates the public config installs, by trust domain. */
export function installedCertificates(config: IgnitionConfig): { domain: string; pem: string }[] {
  return (config.storage?.files ?? []).flatMap((file) => {
    const domain = domainOfCertificatePath(file.path);
    const pem = contentsText(file.contents);
    return domain !== undefined && pem !== undefined ? [{ domain, pem }] : [];
  });
}

/** A key path the public config already writes (an override did), which the overlay would write twice. */
export function declaredKeyPath(config: IgnitionConfig, domains: readonly string[]): string | undefined {
  const keyPaths = new Set(domains.map((domain) => hostTls(domain).key));
  return (config.storage?.files ?? []).find((file) => keyPaths.has(file.path))?.path;
}

/** `nodes/<hostname>/config.ign` of a build → hostname, or undefined for any other file. */
export function hostnameOfConfig(outPath: string): string | undefined {
  return /^nodes\/([^/]+)\/config\.ign$/.exec(outPath)?.[1];
}
