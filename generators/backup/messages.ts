import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the Backups construct's own checks report. */
export const BACKUP_MESSAGES = defineMessages({
  "backup/expiry-before-transition": entry<{ transition: number; expiration: number; storageClass: string }>(
    ({ transition, expiration, storageClass }) =>
      `the lifecycle expires backups after ${expiration} days, not after their move to ${storageClass} at ${transition} days: S3 would delete them before they ever reach ${storageClass}`,
    "make `lifecycle.expirationDays` greater than `lifecycle.transitionDays` (Glacier bills at least 90 days per object: expire 90 or more days after the move)",
  ),
  "backup/archive-minimum-days": entry<{ kept: number; storageClass: string; minimum: number }>(
    ({ kept, storageClass, minimum }) =>
      `backups stay ${kept} days in ${storageClass} before they expire, and S3 bills ${minimum} days for every object deleted from ${storageClass} earlier`,
    ({ minimum }) => `expire backups at least ${minimum} days after their move (raise \`lifecycle.expirationDays\`), or move them later`,
    "warning",
  ),
  "backup/bad-days": entry<{ field: string; value: unknown }>(
    ({ field, value }) => `${field} is ${JSON.stringify(value)}: S3 lifecycle days are whole numbers of at least 1`,
    "give a whole number of days, e.g. `transitionDays: 30, expirationDays: 365`",
  ),
  "backup/filter-matches-no-volume": entry<{ filter: string; volumes: string }>(
    ({ filter, volumes }) =>
      `the volume filter /${filter}/ matches none of the volumes the stacks declare (${volumes}): the backup would archive nothing`,
    "match a volume's Docker name, `<stack>_<volume>` (e.g. `^mng_portainer-data$`), or remove `volumes` to back up the database only",
  ),
  "backup/bad-filter": entry<{ filter: string; reason: string }>(
    ({ filter, reason }) => `the volume filter ${JSON.stringify(filter)} is not a regular expression: ${reason}`,
    "write a JavaScript regular expression over Docker volume names, e.g. `^(mng_portainer-data|stats_grafana-data)$`",
  ),
  "backup/live-database-volume": entry<{ volume: string; service: string }>(
    ({ volume, service }) =>
      `the volume filter selects ${volume}, the data directory of the running database member ${service}: a tar of a live InnoDB data directory does not restore`,
    "narrow the filter to leave it out, and back the database up consistently with `database:` (a hot physical backup from a desynced member)",
  ),
  "backup/bad-bucket": entry<{ bucket: string }>(
    ({ bucket }) =>
      `"${bucket}" is not an S3 bucket name (3 to 63 lowercase letters, digits, '.' and '-', starting and ending with a letter or digit)`,
    "name the bucket as S3 requires, e.g. `example-org-backups`",
  ),
  "backup/bad-prefix": entry<{ prefix: string }>(
    ({ prefix }) => `the key prefix "${prefix}" must be letters, digits, '.', '_' and '-' (one path segment, no '/', no '*')`,
    'give a plain prefix such as "swarm": the IAM policy scopes every grant to it',
  ),
  "backup/bad-region": entry<{ region: string }>(
    ({ region }) => `"${region}" is not an AWS region name`,
    'give the bucket\'s region, e.g. "eu-west-1"',
  ),
  "backup/bad-storage-class": entry<{ value: string; allowed: string }>(
    ({ value, allowed }) => `"${value}" is not a storage class S3 takes here (${allowed})`,
    'use one of them, e.g. `storageClass: "STANDARD_IA"` for the uploads and `transitionClass: "GLACIER"` for the lifecycle',
  ),
  "backup/database-node": entry<{ node: string; members: string }>(
    ({ node, members }) => `the database backup is to run on ${node}, which holds no member of the database (members on ${members})`,
    "give `database.node` one of the database's nodes, or leave it out (the last member's node)",
  ),
  "backup/nothing-to-back-up": entry<Record<string, never>>(
    () => "the backup names neither `volumes` nor `database`: it would back up nothing",
    "give `volumes` (a regular expression over the stacks' volume names), `database` (an XtraDbCluster), or both",
  ),
});
