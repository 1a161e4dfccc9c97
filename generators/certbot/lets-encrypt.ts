import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile, type Node, SystemdUnit } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import type { Secret } from "../../src/model/secret.js";
import { Service, type Stack, StackConfig } from "../../src/model/stack.js";
import { declaredOf } from "../../src/validate/problem.js";
import { CephCluster, type CephVolume } from "../ceph/ceph-cluster.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { HostedZone, owningZone } from "../dns/hosted-zone.js";
import type { FrontProxy } from "../nginx/front-proxy.js";
import { CERTBOT_MESSAGES } from "./messages.js";
import { ACME_DIRECTORIES, CONFIG_DIR, CONTAINER_PATHS, type Lineage, type PolicyZone, renderCliIni, renderRunScript } from "./render.js";
import {
  BOOTSTRAP_UNIT,
  type BootstrapEntry,
  RELOAD_UNIT,
  renderBootstrapScript,
  renderBootstrapService,
  renderDeployHook,
  renderReloadScript,
  renderReloadService,
  renderReloadTimer,
  SERVE_FOLDER,
  SERVE_HOST_PATHS,
  SHARED_DIR_IN_CERTBOT,
} from "./serve.js";

/**
 * certbot 3.0 with its Route53 plugin, the image the certbot project publishes for it. Pinned: a new
 * certbot changes what runs against the account.
 */
export const CERTBOT_IMAGE = "certbot/dns-route53:v3.0.1";

export interface LetsEncryptProps {
  /** The Let's Encrypt account's address: expiry warnings and account notices go there. */
  readonly email: string;
  /**
   * The front whose sites (and admin host name) get certificates. Its `certificateVolume` must be a CephFS volume
   * of the cluster's CephCluster (its `hostPath`), mounted on every front node and on `node`: certbot writes there.
   */
  readonly front: FrontProxy;
  /** The stack the certbot service is deployed in. */
  readonly stack: Stack;
  /**
   * The node certbot runs on: its state (account key, lineages) is a volume on that node; it must mount the
   * front's certificate volume, and fills it there at boot with temporary certificates while none is issued.
   */
  readonly node: Node;
  /**
   * Docker secret holding an AWS shared credentials file (`[default]`, `aws_access_key_id`,
   * `aws_secret_access_key`) of an IAM user or role that has only out/certbot/iam-policy.json.
   */
  readonly awsCredentials: Secret;
  /**
   * `production`, `staging` (Let's Encrypt's test CA: untrusted certificates, generous rate limits) or the
   * https URL of another ACME directory.
   * @default "production"
   */
  readonly directory?: string;
  /**
   * Hours between two rounds; a round renews a certificate only within 30 days of its expiry.
   * @default 12 (Let's Encrypt advises twice a day)
   */
  readonly renewIntervalHours?: number;
  /** @default CERTBOT_IMAGE */
  readonly image?: string;
}

export const LETS_ENCRYPT_PROPS = propsShape<LetsEncryptProps>()({
  email: "required",
  front: "required",
  stack: "required",
  node: "required",
  awsCredentials: "required",
  directory: "optional",
  renewIntervalHours: "optional",
  image: "optional",
});

/** One certificate of the front: a Site's names, or the admin host name. */
interface Covered {
  readonly names: readonly string[];
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Let's Encrypt certificates for a front's sites, issued and renewed on the cluster by certbot with the
 * dns-route53 plugin (a Swarm service pinned to one node, trying twice a day), one certificate per site (and one
 * for the admin host name), delivered to every front as files on the shared CephFS volume the fronts mount.
 *
 * Why shared storage and not Docker secrets: a secret cannot change under a running task, so each renewal would
 * replace every front's task; the fronts publish 80 and 443 in host mode (two tasks cannot hold one node's
 * port), so that replacement is stop-first, and the node refuses new connections until the new task listens.
 * On shared storage the files change in place and nginx reloads them gracefully: new workers take the new
 * certificate, the old ones finish their connections, and the listening sockets never close.
 *
 * certbot's deploy hook writes `serve/<name>/{fullchain,privkey}.pem` on the volume (the front reads
 * `<letsencryptDir>/serve/<name>/`; certbot's own `live/` stays in its node-local state, out of the fronts'
 * reach with the account key). On each front node certbot-reload.timer notices a change and runs `nginx -t`,
 * then `nginx -s reload`, in the local front containers. The first deploy needs no issuance: at boot on
 * certbot's node, certbot-bootstrap.service fills each missing certificate with a self-signed one (certbot's
 * first issuance replaces it), so nginx never starts without its files. certbot itself holds no Docker socket.
 */
export class LetsEncrypt extends ClusterConstruct {
  readonly email: string;
  readonly front: FrontProxy;
  /** The node certbot runs on (the `node` prop), where it writes the shared volume. */
  readonly manager: Node;
  readonly awsCredentials: Secret;
  readonly directory: string;
  readonly renewIntervalHours: number;
  readonly service: Service;
  /** The certbot service's state volume, on `node`. */
  readonly stateVolume = "certbot-state";
  private readonly covered: Covered[];

  constructor(scope: Construct, id: string, props: LetsEncryptProps) {
    super(scope, id);
    props = this.acceptProps(props, LETS_ENCRYPT_PROPS);
    this.email = props.email;
    this.front = props.front;
    this.manager = props.node;
    this.awsCredentials = props.awsCredentials;
    this.directory = props.directory ?? "production";
    this.renewIntervalHours = props.renewIntervalHours ?? 12;

    const front = props.front;
    this.covered = [
      ...(front?.sites ?? []).map((site) => ({ names: site.domains })),
      ...(front?.admin ? [{ names: [front.admin.hostname] }] : []),
    ];
    // The front reads what the deploy hook writes: `<letsencryptDir>/serve/<name>/`, on its certificate volume.
    front?.certificatesIn(SERVE_FOLDER);

    const config = (name: string, target: string, contents: () => string) => ({
      config: new StackConfig(props.stack, `certbot-${name}`, { contents }),
      target,
    });
    this.service = new Service(props.stack, "certbot", {
      image: props.image ?? CERTBOT_IMAGE,
      // Its state is node-local: on another node certbot would start a new account and new lineages.
      placement: { hostname: props.node?.hostname },
      entrypoint: ["/bin/sh", CONTAINER_PATHS.runScript],
      command: [],
      environment: { AWS_SHARED_CREDENTIALS_FILE: props.awsCredentials?.mountPath ?? "" },
      secrets: props.awsCredentials ? [props.awsCredentials] : [],
      // Its state, and the shared volume every front reads, where the deploy hook writes.
      volumes: [`${this.stateVolume}:${CONFIG_DIR}`, ...(front ? [`${front.certificateVolume}:${SHARED_DIR_IN_CERTBOT}`] : [])],
      configs: [
        config("cli.ini", CONTAINER_PATHS.cliIni, () => renderCliIni({ email: this.email, server: this.server })),
        config("run.sh", CONTAINER_PATHS.runScript, () => renderRunScript(this.lineages, this.renewIntervalHours)),
        config("deploy-hook.sh", CONTAINER_PATHS.deployHook, () => renderDeployHook()),
      ],
      memoryLimit: "256M",
    });
    cisException(this.service, {
      "5.13": "certbot writes its lock, work and log files under /var/lib/letsencrypt and /var/log/letsencrypt in the image",
      "5.27": "a round runs every few hours and exits on its own; the service's logs show each round, Let's Encrypt mails before expiry",
    });
  }

  /**
   * The host side, once every node is declared: the bootstrap on certbot's node, and the reload on every node the
   * front can run on, each after the shared volume's mount unit.
   */
  prepare(): void {
    if (!this.front || !this.manager) return;
    const volumeDir = this.front.certificateVolume;
    const volumeUnit = () => {
      const found = this.sharedVolume;
      return found ? `ceph-volume-${found.volume.name}.service` : undefined;
    };
    new HostFile(this.manager, "certbot-bootstrap-script", {
      path: SERVE_HOST_PATHS.bootstrapScript,
      mode: 0o755,
      contents: () => renderBootstrapScript(this.bootstrapEntries, volumeDir),
    });
    new SystemdUnit(this.manager, `${BOOTSTRAP_UNIT}.service`, { contents: () => renderBootstrapService(volumeUnit(), volumeDir) });
    const service = this.front.service.dockerName;
    for (const node of this.front.service.eligibleNodes) {
      new HostFile(node, "certbot-reload-script", {
        path: SERVE_HOST_PATHS.reloadScript,
        mode: 0o755,
        contents: () => renderReloadScript({ volumeDir, service }),
      });
      new SystemdUnit(node, `${RELOAD_UNIT}.timer`, { contents: () => renderReloadTimer() });
      new SystemdUnit(node, `${RELOAD_UNIT}.service`, { contents: () => renderReloadService(volumeUnit()), enabled: false });
    }
  }

  /** The CephFS volume of the front's certificate volume, with its CephCluster and index there, if it is one. */
  get sharedVolume(): { ceph: CephCluster; volume: CephVolume; index: number } | undefined {
    for (const ceph of Cluster.of(this).all(CephCluster)) {
      const volumes = Object.values(ceph.volumes);
      const index = volumes.findIndex((volume) => volume.hostPath === this.front?.certificateVolume);
      const volume = volumes[index];
      if (volume) return { ceph, volume, index };
    }
    return undefined;
  }

  /** The ACME directory URL. */
  get server(): string {
    return ACME_DIRECTORIES[this.directory as keyof typeof ACME_DIRECTORIES] ?? this.directory;
  }

  /** Each certificate as certbot names it: `live/<name>/` in its state, `serve/<name>/` on the shared volume. */
  get lineages(): Lineage[] {
    return this.covered.map((entry) => ({
      name: (entry.names[0] ?? "").toLowerCase(),
      names: entry.names.map((name) => name.toLowerCase()),
    }));
  }

  /** Each certificate bootstrap.sh makes while certbot has not issued it. */
  get bootstrapEntries(): BootstrapEntry[] {
    return this.lineages;
  }

  /** The hosted zones holding the names, with the names in each, for the IAM policy. */
  get policyZones(): PolicyZone[] {
    const zones = Cluster.of(this).all(HostedZone);
    const byZone = new Map<HostedZone, string[]>();
    for (const entry of this.covered)
      for (const name of entry.names) {
        const zone = owningZone(name.toLowerCase(), zones);
        if (zone) byZone.set(zone, [...(byZone.get(zone) ?? []), name.toLowerCase()]);
      }
    return [...byZone.entries()]
      .map(([zone, names]) => ({ zone: zone.zoneName, zoneId: zone.zoneId, names: [...new Set(names)].sort() }))
      .sort((a, b) => a.zone.localeCompare(b.zone));
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (typeof this.email !== "string" || !EMAIL.test(this.email))
      problems.push(CERTBOT_MESSAGES.problem("certbot/email-invalid", this, "email", { value: this.email }));
    if (!(this.directory in ACME_DIRECTORIES) && !(typeof this.directory === "string" && /^https:\/\/[^\s]+$/.test(this.directory)))
      problems.push(CERTBOT_MESSAGES.problem("certbot/directory-invalid", this, "directory", { value: this.directory }));
    const hours = this.renewIntervalHours;
    if (!Number.isInteger(hours) || hours < 1 || hours > 24)
      problems.push(CERTBOT_MESSAGES.problem("certbot/interval-invalid", this, "renewIntervalHours", { value: hours }));
    if (this.front && this.covered.length === 0) problems.push(CERTBOT_MESSAGES.problem("certbot/no-certificate", this, "front", {}));
    problems.push(...this.volumeProblems());
    // A name in no declared zone is dns/name-outside-zones, at the Site's (or admin entry's) line: every name
    // certbot certifies is one the hosted zones must serve, so one finding covers both consequences.
    if (this.covered.length > 0 && Cluster.of(this).all(HostedZone).length === 0)
      problems.push(CERTBOT_MESSAGES.problem("certbot/no-hosted-zone", this, "", {}));
    return problems;
  }

  /**
   * The certificates must be on storage certbot's node and every front node share: a CephFS volume mounted on all
   * of them. A named volume would be a separate copy on each node, and a node without the mount reads its own disk.
   */
  private volumeProblems(): Problem[] {
    if (!this.front || !this.manager) return [];
    const shared = this.sharedVolume;
    if (shared?.volume.kind !== "cephfs")
      return [
        CERTBOT_MESSAGES.problem("certbot/volume-not-shared", declaredOf(this.front), "certificateVolume", {
          volume: this.front.certificateVolume,
        }),
      ];
    const needs = [this.manager, ...this.front.service.eligibleNodes];
    const missing = Cluster.of(this).nodes.filter((node) => needs.includes(node) && !shared.volume.nodes.includes(node));
    if (missing.length === 0) return [];
    return [
      CERTBOT_MESSAGES.problem("certbot/volume-not-mounted", declaredOf(shared.ceph), `volumes[${shared.index}].nodes`, {
        volume: shared.volume.name,
        nodes: missing.map((node) => node.hostname).join(", "),
      }),
    ];
  }
}
