import { contentsText } from "../../generators/ignition/data-url.js";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import { toJson } from "../core/stable-json.js";
import type { File as IgnitionFile, IgnitionConfig } from "../imports/ignition-v3.3.js";

/**
 * The secrets overlay is the node's COMPLETE Ignition config: the public config exactly as the build emits it
 * to out/nodes/<hostname>/config.ign, plus one file, the node's private key. Not an `ignition.config.merge`
 * of the public config: a merged data: URL is opaque to ignition-validate and to a reader, its merge rules
 * are one more thing to reason about at first boot, and it base64s the whole config again (user-data is
 * size-limited on most clouds). Removing the key entry gives back the public config byte for byte.
 */
export function secretsOverlay(publicConfig: IgnitionConfig, keyPem: string): string {
  const overlay = structuredClone(publicConfig);
  const files = overlay.storage?.files ?? [];
  // Beside the certificate it belongs to, so the pair reads together.
  const certificateAt = files.findIndex((file) => file.path === HOST_TLS.nodeCertificate);
  files.splice(certificateAt + 1, 0, nodeKeyFile(keyPem));
  overlay.storage = { ...overlay.storage, files };
  return toJson(overlay);
}

/** Readable by root only: etcd and dockerd run as root; containers get the folder mounted read-only. */
export const NODE_KEY_MODE = 0o600;

function nodeKeyFile(keyPem: string): IgnitionFile {
  return {
    path: HOST_TLS.nodeKey,
    overwrite: true,
    // base64 rather than the percent-encoding of the public files: no reader of this config needs the text.
    contents: { source: `data:;base64,${Buffer.from(keyPem, "utf8").toString("base64")}` },
    mode: NODE_KEY_MODE,
    user: { name: "root" },
    group: { name: "root" },
  };
}

/** The node certificate the public config installs, if any. */
export function installedCertificate(config: IgnitionConfig): string | undefined {
  const file = config.storage?.files?.find((candidate) => candidate.path === HOST_TLS.nodeCertificate);
  return contentsText(file?.contents);
}

/** True when the public config already writes the key path (an override did): the overlay would write it twice. */
export function declaresNodeKey(config: IgnitionConfig): boolean {
  return (config.storage?.files ?? []).some((file) => file.path === HOST_TLS.nodeKey);
}

/** `nodes/<hostname>/config.ign` of a build → hostname, or undefined for any other file. */
export function hostnameOfConfig(outPath: string): string | undefined {
  return /^nodes\/([^/]+)\/config\.ign$/.exec(outPath)?.[1];
}
