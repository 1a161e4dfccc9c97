/**
 * The bucket's side of the backups, as JSON the AWS API takes: the lifecycle configuration
 * (PutBucketLifecycleConfiguration's `LifecycleConfiguration`) and the IAM policy documents (CreatePolicy's
 * `PolicyDocument`). Written to out/backup/ for the operator; the build never calls AWS.
 */

export interface LifecyclePlan {
  readonly bucket: string;
  readonly prefix: string;
  /** Days after upload when objects move to `transitionClass`. */
  readonly transitionDays: number;
  readonly transitionClass: string;
  /** Days after upload when objects are deleted. */
  readonly expirationDays: number;
}

/** Days after which S3 aborts an upload that never completed (a backup killed mid-stream) and frees its parts. */
export const ABORT_INCOMPLETE_UPLOAD_DAYS = 7;

export function lifecycleConfiguration(plan: LifecyclePlan): unknown {
  return {
    Rules: [
      {
        ID: `${plan.prefix}-backups`,
        Status: "Enabled",
        Filter: { Prefix: `${plan.prefix}/` },
        Transitions: [{ Days: plan.transitionDays, StorageClass: plan.transitionClass }],
        Expiration: { Days: plan.expirationDays },
        // The backup role may not abort uploads (s3:AbortMultipartUpload is not granted): the bucket does it.
        AbortIncompleteMultipartUpload: { DaysAfterInitiation: ABORT_INCOMPLETE_UPLOAD_DAYS },
      },
    ],
  };
}

/**
 * The nodes' policy: write new backup objects under the prefix, and list the prefix (to see what is there),
 * nothing else. No GetObject (a node that is taken over cannot read the other nodes' backups) and no
 * DeleteObject (it cannot erase them either: the lifecycle expires them).
 */
export function backupPolicy(bucket: string, prefix: string): unknown {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject"], Resource: [`arn:aws:s3:::${bucket}/${prefix}/*`] },
      listStatement(bucket, prefix),
    ],
  };
}

/**
 * The restore duty's policy, held by the operator, not the nodes: read and list backups under the prefix, and
 * have S3 restore a copy of one already moved to Glacier (which cannot be read before).
 */
export function restorePolicy(bucket: string, prefix: string): unknown {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadBackups",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:RestoreObject"],
        Resource: [`arn:aws:s3:::${bucket}/${prefix}/*`],
      },
      listStatement(bucket, prefix),
    ],
  };
}

function listStatement(bucket: string, prefix: string) {
  return {
    Sid: "ListBackups",
    Effect: "Allow",
    Action: ["s3:ListBucket"],
    Resource: [`arn:aws:s3:::${bucket}`],
    Condition: { StringLike: { "s3:prefix": [`${prefix}/*`] } },
  };
}
