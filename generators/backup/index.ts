import { toJson } from "../../src/core/stable-json.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { Backups } from "./backups.js";
import { backupPolicy, lifecycleConfiguration, restorePolicy } from "./policy.js";
import { CREDENTIALS_PATH } from "./render.js";

export {
  Backups,
  DEFAULT_SCHEDULE,
  type ArchiveClass,
  type BackupDatabase,
  type BackupLifecycle,
  type BackupsProps,
  type StorageClass,
} from "./backups.js";
export { declaredVolumes, type DeclaredVolume } from "./volumes.js";

/**
 * The bucket's side of each Backups, and what provision delivers: `backup/<id>/host-secrets.json` (which node gets
 * the AWS credentials file from which file of secrets/: names, never a value), `backup/<id>/lifecycle.json` (PutBucketLifecycleConfiguration's
 * LifecycleConfiguration), `backup/<id>/backup-policy.json` (the nodes' IAM policy: write and list under the
 * prefix) and `backup/<id>/restore-policy.json` (the operator's: read and list). Applied with the AWS CLI; the
 * build never calls AWS.
 */
export const backupGenerator = defineGenerator({
  name: "backup",
  generate({ cluster }): GeneratedFile[] {
    const delivery = { kind: "operator" } as const;
    return cluster.all(Backups).flatMap((backups): GeneratedFile[] => {
      const file = (name: string, content: unknown): GeneratedFile => ({
        path: OUT_PATHS.familyFile("backup", `${backups.node.id}/${name}`),
        content: toJson(content),
        construct: backups.path,
        delivery,
      });
      const lifecycle = lifecycleConfiguration({
        bucket: backups.bucket,
        prefix: backups.prefix,
        transitionDays: backups.transitionDays,
        transitionClass: backups.transitionClass,
        expirationDays: backups.expirationDays,
      });
      // Names only: provision reads each node's credentials from secrets/ and puts them in its overlay.
      const hostSecrets = backups.plan.map(({ node }) => ({
        node: node.hostname,
        path: CREDENTIALS_PATH,
        secret: `backup/${backups.node.id}/aws-credentials`,
        description: `the AWS CLI credentials file of the backup policy's key ([default] aws_access_key_id = …, aws_secret_access_key = …)`,
      }));
      return [
        file("host-secrets.json", hostSecrets),
        file("lifecycle.json", lifecycle),
        file("backup-policy.json", backupPolicy(backups.bucket, backups.prefix)),
        file("restore-policy.json", restorePolicy(backups.bucket, backups.prefix)),
      ];
    });
  },
});
