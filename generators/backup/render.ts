import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { shellWord } from "../shell.js";
import { commandLine, renderUnit } from "../systemd/unit-text.js";
import { loadTemplate } from "../template.js";

/** Where the backup's files are on a node: /etc is writable and kept across OS updates. */
export const BACKUP_DIR = "/etc/swarm-cluster/backup";
export const VOLUMES_SCRIPT = `${BACKUP_DIR}/backup-volumes.sh`;
export const DATABASE_SCRIPT = `${BACKUP_DIR}/backup-database.sh`;
export const RESTORE_SCRIPT = `${BACKUP_DIR}/restore.sh`;
/** The AWS credentials file (the nodes' backup policy), root's alone: a host secret provision delivers. */
export const CREDENTIALS_PATH = `${BACKUP_DIR}/aws-credentials`;
export const BACKUP_SERVICE = "swarm-cluster-backup.service";
export const BACKUP_TIMER = "swarm-cluster-backup.timer";

/** What every script needs to reach the bucket. */
export interface S3Settings {
  readonly bucket: string;
  readonly prefix: string;
  readonly region: string;
  readonly storageClass: string;
  readonly awsCliImage: string;
}

/** The database engine's own tools, as its image names them. */
export interface DatabaseTools {
  readonly client: string;
  readonly backupTool: string;
  readonly streamTool: string;
  readonly image: string;
  /** In-container path of the backup account's client option file (its Docker secret). */
  readonly optionFile: string;
}

const partials = ["s3-settings"];
const templates = {
  volumes: loadTemplate("backup", "backup-volumes.sh.hbs", { partials }),
  database: loadTemplate("backup", "backup-database.sh.hbs", { partials }),
  restore: loadTemplate("backup", "restore.sh.hbs", { partials }),
};

function context(s3: S3Settings) {
  return {
    notice: GENERATED_NOTICE,
    // Checked by validation to hold no character the shell would read (see Backups).
    bucket: s3.bucket,
    prefix: s3.prefix,
    region: s3.region,
    storageClass: s3.storageClass,
    awsCliImage: shellWord(s3.awsCliImage),
    credentialsPath: CREDENTIALS_PATH,
  };
}

export function volumesScript(s3: S3Settings): string {
  return templates.volumes(context(s3));
}

export function databaseScript(s3: S3Settings, tools: DatabaseTools): string {
  return templates.database({ ...context(s3), ...tools, optionFile: shellWord(tools.optionFile) });
}

export function restoreScript(s3: S3Settings, tools: DatabaseTools | undefined): string {
  return templates.restore({
    ...context(s3),
    backupTool: tools?.backupTool ?? "mariabackup",
    streamTool: tools?.streamTool ?? "mbstream",
    dbImage: shellWord(tools?.image ?? "mariadb:10.11.10"),
  });
}

/** The node's backup run: its selected volumes, then (on the database's node) the database. */
export function backupService(volumes: readonly string[], databaseService: string | undefined): string {
  return renderUnit({
    Unit: [
      ["Description", "Weekly backup of this node's Docker volumes and database to S3"],
      ["Requires", "docker.service"],
      ["After", "docker.service network-online.target"],
      ["Wants", "network-online.target"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["#", "A backup yields to the node's own work: lowest CPU and I/O priority."],
      ["Nice", "19"],
      ["IOSchedulingClass", "idle"],
      ...(volumes.length > 0 ? ([["ExecStart", commandLine("/bin/bash", [VOLUMES_SCRIPT, ...volumes])]] as const) : []),
      ...(databaseService ? ([["ExecStart", commandLine("/bin/bash", [DATABASE_SCRIPT, databaseService])]] as const) : []),
    ],
  });
}

export function backupTimer(schedule: string): string {
  return renderUnit({
    Unit: [["Description", `Backup to S3 (${schedule})`]],
    Timer: [
      ["OnCalendar", schedule],
      ["#", "A node that was down at the time runs the missed backup when it is back."],
      ["Persistent", "true"],
      ["Unit", BACKUP_SERVICE],
    ],
    Install: [["WantedBy", "timers.target"]],
  });
}
