import type { EmittedFile } from "../synth/generator.js";

/**
 * A secret file a node needs that is not a PKI key (a backup's AWS credentials): the build names it, in a
 * `<family>/<id>/host-secrets.json` of out/ (paths and names only, never a value), and provision copies it from
 * git-ignored secrets/ into the node's overlay.
 */
export interface HostSecret {
  readonly node: string;
  /** Absolute path on the node. */
  readonly path: string;
  /** Path under secrets/ (e.g. `backup/aws-credentials`). */
  readonly secret: string;
  /** What to put there, for the operator who has not yet. */
  readonly description: string;
}

/** `backup/backups/host-secrets.json`: the files the build writes for provision. */
export const HOST_SECRETS_FILE = /^[a-z0-9-]+\/[^/]+\/host-secrets\.json$/;
const SECRET_PATH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;

/** Every host secret the build declares, for the given node; a secret path that could leave secrets/ is dropped. */
export function hostSecretsOf(files: readonly Pick<EmittedFile, "path" | "content">[], hostname: string): HostSecret[] {
  return files
    .filter((file) => HOST_SECRETS_FILE.test(file.path))
    .flatMap((file) => JSON.parse(file.content) as HostSecret[])
    .filter((secret) => secret.node === hostname && SECRET_PATH.test(secret.secret) && !secret.secret.split("/").includes(".."));
}
