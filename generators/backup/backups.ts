import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct, type Preparable } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile, SystemdUnit, type Node } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import { XtraDbCluster } from "../xtradb/xtradb-cluster.js";
import { BACKUP_MESSAGES } from "./messages.js";
import {
  BACKUP_SERVICE,
  BACKUP_TIMER,
  backupService,
  backupTimer,
  DATABASE_SCRIPT,
  databaseScript,
  type DatabaseTools,
  RESTORE_SCRIPT,
  restoreScript,
  type S3Settings,
  VOLUMES_SCRIPT,
  volumesScript,
} from "./render.js";
import { declaredVolumes, type DeclaredVolume } from "./volumes.js";

/** S3 storage classes an upload may name (PutObject's `x-amz-storage-class`). */
export const STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "ONEZONE_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;
export type StorageClass = (typeof STORAGE_CLASSES)[number];
const ARCHIVE_CLASSES: readonly string[] = ["GLACIER_IR", "GLACIER", "DEEP_ARCHIVE"];
/** The minimum storage duration S3 bills for each archive class (its pricing page). */
const ARCHIVE_MINIMUM_DAYS: Readonly<Record<string, number>> = { GLACIER_IR: 90, GLACIER: 90, DEEP_ARCHIVE: 180 };
/** Storage classes a lifecycle rule moves objects to: the Glacier family. */
export type ArchiveClass = "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";

export interface BackupLifecycle {
  /**
   * Days after upload when a backup moves to `transitionClass`.
   * @default 30
   */
  readonly transitionDays?: number;
  /** @default "GLACIER" (the seed's "uploaded to S3 Glacier") */
  readonly transitionClass?: ArchiveClass;
  /**
   * Days after upload when a backup is deleted: after the move.
   * @default 365
   */
  readonly expirationDays?: number;
}

export interface BackupDatabase {
  /** The XtraDB (Galera) cluster: its backup duty's account and the engine's own tools take the copy. */
  readonly cluster: XtraDbCluster;
  /**
   * The database node whose member is copied (desynced for the duration).
   * @default the node of the last member (the first is the one that bootstraps, and the likeliest writer)
   */
  readonly node?: Node;
}

export interface BackupsProps {
  /** The S3 bucket. */
  readonly bucket: string;
  /** The bucket's region, e.g. `eu-west-1`. */
  readonly region: string;
  /**
   * Key prefix of every object (one path segment): the IAM policies grant nothing outside it.
   * @default the cluster's name
   */
  readonly prefix?: string;
  /**
   * When, as systemd's OnCalendar= (the nodes' clocks).
   * @default "Sun *-*-* 04:00:00" (the seed's: every Sunday at 04:00)
   */
  readonly schedule?: string;
  /**
   * Storage class of the uploads.
   * @default "STANDARD_IA"
   */
  readonly storageClass?: StorageClass;
  /** The bucket's lifecycle: to Glacier, then deleted. */
  readonly lifecycle?: BackupLifecycle;
  /**
   * A regular expression over Docker volume names (`<stack>_<volume>`, as `docker volume ls` shows them): each
   * volume the stacks declare that it matches is archived on the nodes it may be on. A database's data directory
   * may not be selected: `database` backs it up consistently.
   */
  readonly volumes?: string;
  /** The database, backed up consistently (a hot physical backup from a desynced member). */
  readonly database?: BackupDatabase;
  /**
   * The AWS CLI v2 image the scripts run the CLI from.
   * @default "amazon/aws-cli:2.22.35"
   */
  readonly awsCliImage?: string;
}

export const BACKUPS_PROPS = propsShape<BackupsProps>()({
  bucket: "required",
  region: "required",
  prefix: "optional",
  schedule: "optional",
  storageClass: "optional",
  lifecycle: { presence: "optional", fields: { transitionDays: "optional", transitionClass: "optional", expirationDays: "optional" } },
  volumes: "optional",
  database: { presence: "optional", fields: { cluster: "required", node: "optional" } },
  awsCliImage: "optional",
});

export const DEFAULT_SCHEDULE = "Sun *-*-* 04:00:00";
const BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const PREFIX = /^[A-Za-z0-9._-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** The engines' own backup tools, in their images. */
const ENGINE_TOOLS = {
  "mariadb-galera": { client: "mariadb", backupTool: "mariabackup", streamTool: "mbstream" },
  "percona-xtradb-cluster": { client: "mysql", backupTool: "xtrabackup", streamTool: "xbstream" },
} as const;

/**
 * The seed's weekly backup: on every node that may hold a selected volume, a systemd timer (Sunday 04:00) runs a
 * service that archives the volumes present there to S3; on one database node it also takes a consistent backup of
 * its member. The bucket's lifecycle and the IAM policies are written to out/backup/ (see backupGenerator).
 */
export class Backups extends ClusterConstruct implements Preparable {
  readonly bucket: string;
  readonly region: string;
  readonly schedule: string;
  readonly storageClass: string;
  readonly transitionDays: number;
  readonly transitionClass: string;
  readonly expirationDays: number;
  readonly volumeFilter: string | undefined;
  readonly database: BackupDatabase | undefined;
  readonly awsCliImage: string;
  private readonly chosenPrefix: string | undefined;

  constructor(scope: Construct, id: string, props: BackupsProps) {
    super(scope, id);
    props = this.acceptProps(props, BACKUPS_PROPS);
    this.bucket = props.bucket;
    this.region = props.region;
    this.chosenPrefix = props.prefix;
    this.schedule = props.schedule ?? DEFAULT_SCHEDULE;
    this.storageClass = props.storageClass ?? "STANDARD_IA";
    this.transitionDays = props.lifecycle?.transitionDays ?? 30;
    this.transitionClass = props.lifecycle?.transitionClass ?? "GLACIER";
    this.expirationDays = props.lifecycle?.expirationDays ?? 365;
    this.volumeFilter = props.volumes;
    this.database = props.database;
    this.awsCliImage = props.awsCliImage ?? "amazon/aws-cli:2.22.35";
  }

  get prefix(): string {
    return this.chosenPrefix ?? Cluster.of(this).name;
  }

  get s3(): S3Settings {
    return {
      bucket: this.bucket,
      prefix: this.prefix,
      region: this.region,
      storageClass: this.storageClass,
      awsCliImage: this.awsCliImage,
    };
  }

  /** The filter as a RegExp; undefined when none is given or it does not compile (reported by validation). */
  private get filter(): RegExp | undefined {
    if (typeof this.volumeFilter !== "string") return undefined;
    try {
      return new RegExp(this.volumeFilter);
    } catch {
      return undefined;
    }
  }

  /** The declared volumes the filter selects. */
  get selectedVolumes(): DeclaredVolume[] {
    const filter = this.filter;
    return filter ? declaredVolumes(Cluster.of(this)).filter((volume) => filter.test(volume.name)) : [];
  }

  /** The node whose member is copied, and that member's Docker service name. */
  get databaseSource(): { node: Node; service: string } | undefined {
    const xtradb = this.database?.cluster;
    if (!xtradb) return undefined;
    const index = this.database?.node ? xtradb.dataNodes.indexOf(this.database.node) : xtradb.dataNodes.length - 1;
    const node = xtradb.dataNodes[index];
    const member = xtradb.members[index];
    return node && member ? { node, service: member.dockerName } : undefined;
  }

  get databaseTools(): DatabaseTools | undefined {
    const xtradb = this.database?.cluster;
    if (!xtradb) return undefined;
    return { ...ENGINE_TOOLS[xtradb.engine], image: xtradb.image, optionFile: xtradb.backupCredentials.mountPath };
  }

  /** Every node that runs the timer, with what it backs up there. */
  get plan(): { node: Node; volumes: string[]; databaseService: string | undefined }[] {
    const database = this.databaseSource;
    return Cluster.of(this)
      .nodes.map((node) => ({
        node,
        volumes: this.selectedVolumes.filter((volume) => volume.nodes.includes(node)).map((volume) => volume.name),
        databaseService: database?.node === node ? database.service : undefined,
      }))
      .filter((entry) => entry.volumes.length > 0 || entry.databaseService !== undefined);
  }

  prepare(): void {
    const tools = this.databaseTools;
    const planned = new Set(this.plan.map((entry) => entry.node));
    // The database is restored on its first member's node, which may run no backup: it gets the restore script too.
    for (const node of this.database?.cluster.dataNodes ?? []) {
      if (!planned.has(node))
        new HostFile(node, "backup-restore", { path: RESTORE_SCRIPT, mode: 0o755, contents: () => restoreScript(this.s3, tools) });
    }
    for (const { node, volumes, databaseService } of this.plan) {
      if (volumes.length > 0)
        new HostFile(node, "backup-volumes", { path: VOLUMES_SCRIPT, mode: 0o755, contents: () => volumesScript(this.s3) });
      if (databaseService && tools) {
        new HostFile(node, "backup-database", { path: DATABASE_SCRIPT, mode: 0o755, contents: () => databaseScript(this.s3, tools) });
      }
      new HostFile(node, "backup-restore", { path: RESTORE_SCRIPT, mode: 0o755, contents: () => restoreScript(this.s3, tools) });
      new SystemdUnit(node, BACKUP_SERVICE, { contents: () => backupService(volumes, databaseService), enabled: false });
      new SystemdUnit(node, BACKUP_TIMER, { contents: () => backupTimer(this.schedule) });
    }
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    const report = (code: Parameters<typeof BACKUP_MESSAGES.problem>[0], field: string, args: object) =>
      problems.push(BACKUP_MESSAGES.problem(code, this, field, args as never));
    if (typeof this.bucket === "string" && (!BUCKET.test(this.bucket) || this.bucket.includes("..")))
      report("backup/bad-bucket", "bucket", { bucket: this.bucket });
    if (typeof this.region === "string" && !REGION.test(this.region)) report("backup/bad-region", "region", { region: this.region });
    if (this.chosenPrefix !== undefined && !PREFIX.test(String(this.chosenPrefix)))
      report("backup/bad-prefix", "prefix", { prefix: String(this.chosenPrefix) });
    if (!(STORAGE_CLASSES as readonly string[]).includes(this.storageClass)) {
      report("backup/bad-storage-class", "storageClass", { value: String(this.storageClass), allowed: STORAGE_CLASSES.join(", ") });
    }
    if (!ARCHIVE_CLASSES.includes(this.transitionClass)) {
      report("backup/bad-storage-class", "lifecycle.transitionClass", {
        value: String(this.transitionClass),
        allowed: ARCHIVE_CLASSES.join(", "),
      });
    }
    problems.push(...this.lifecycleProblems());
    if (this.volumeFilter === undefined && this.database === undefined) report("backup/nothing-to-back-up", "volumes", {});
    if (this.volumeFilter !== undefined) problems.push(...this.filterProblems());
    const xtradb = this.database?.cluster;
    if (xtradb && this.database?.node && !xtradb.dataNodes.includes(this.database.node)) {
      report("backup/database-node", "database.node", {
        node: this.database.node.hostname,
        members: xtradb.dataNodes.map((node) => node.hostname).join(", "),
      });
    }
    return problems;
  }

  private lifecycleProblems(): Problem[] {
    const days = (value: unknown) => typeof value === "number" && Number.isInteger(value) && value >= 1;
    const bad = [
      ["lifecycle.transitionDays", this.transitionDays],
      ["lifecycle.expirationDays", this.expirationDays],
    ].filter(([, value]) => !days(value));
    if (bad.length > 0) {
      return bad.map(([field, value]) => BACKUP_MESSAGES.problem("backup/bad-days", this, String(field), { field: String(field), value }));
    }
    const kept = this.expirationDays - this.transitionDays;
    const minimum = ARCHIVE_MINIMUM_DAYS[this.transitionClass];
    if (kept > 0 && minimum !== undefined && kept < minimum) {
      return [
        BACKUP_MESSAGES.problem("backup/archive-minimum-days", this, "lifecycle.expirationDays", {
          kept,
          storageClass: this.transitionClass,
          minimum,
        }),
      ];
    }
    if (this.expirationDays <= this.transitionDays) {
      return [
        BACKUP_MESSAGES.problem("backup/expiry-before-transition", this, "lifecycle.expirationDays", {
          transition: this.transitionDays,
          expiration: this.expirationDays,
          storageClass: this.transitionClass,
        }),
      ];
    }
    return [];
  }

  private filterProblems(): Problem[] {
    const source = String(this.volumeFilter);
    try {
      new RegExp(source);
    } catch (error) {
      return [BACKUP_MESSAGES.problem("backup/bad-filter", this, "volumes", { filter: source, reason: (error as Error).message })];
    }
    const selected = this.selectedVolumes;
    if (selected.length === 0) {
      const all = declaredVolumes(Cluster.of(this)).map((volume) => volume.name);
      return [
        BACKUP_MESSAGES.problem("backup/filter-matches-no-volume", this, "volumes", { filter: source, volumes: all.join(", ") || "none" }),
      ];
    }
    const databaseMembers = Cluster.of(this)
      .all(XtraDbCluster)
      .flatMap((xtradb) => xtradb.members);
    return selected.flatMap((volume) => {
      const member = volume.services.find((service) => databaseMembers.includes(service));
      return member
        ? [BACKUP_MESSAGES.problem("backup/live-database-volume", this, "volumes", { volume: volume.name, service: member.dockerName })]
        : [];
    });
  }
}
