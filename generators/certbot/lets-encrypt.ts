import type { Construct } from "constructs";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { HostFile, type Node, SystemdUnit } from "../../src/model/node.js";
import { propsShape } from "../../src/model/props-shape.js";
import { Secret } from "../../src/model/secret.js";
import { Service, type Stack, StackConfig } from "../../src/model/stack.js";
import { declaredOf } from "../../src/validate/problem.js";
import { cisException } from "../docker-host/cis/exceptions.js";
import { HostedZone, owningZone } from "../dns/hosted-zone.js";
import type { FrontProxy } from "../nginx/front-proxy.js";
import { CERTBOT_MESSAGES } from "./messages.js";
import {
  ACME_DIRECTORIES,
  CONFIG_DIR,
  CONTAINER_PATHS,
  HOST_PATHS,
  type Lineage,
  type PolicyZone,
  PUBLISH_UNIT,
  renderCliIni,
  renderDeployHook,
  renderPublishScript,
  renderPublishService,
  renderPublishTimer,
  renderRunScript,
} from "./render.js";

/**
 * certbot 3.0 with its Route53 plugin, the image the certbot project publishes for it. Pinned: a new
 * certbot changes what runs against the account.
 */
export const CERTBOT_IMAGE = "certbot/dns-route53:v3.0.1";

export interface LetsEncryptProps {
  /** The Let's Encrypt account's address: expiry warnings and account notices go there. */
  readonly email: string;
  /** The front whose sites (and admin host name) get certificates, and which mounts them. */
  readonly front: FrontProxy;
  /** The stack the certbot service is deployed in. */
  readonly stack: Stack;
  /**
   * The manager certbot runs on: its state (account key, lineages) is a volume on that node, and the publisher
   * there turns each new certificate into a Docker secret and rolls the fronts.
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
  /** Where the names were declared, for located errors. */
  readonly at: Construct;
  readonly field: (index: number) => string;
  readonly secret: Secret;
}

/** Docker's longest secret name. */
const DOCKER_NAME_MAX = 64;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * Let's Encrypt certificates for a front's sites, issued and renewed on the cluster by certbot with the
 * dns-route53 plugin (a Swarm service pinned to one manager, trying twice a day), one certificate per site
 * (and one for the admin host name), delivered to every front as a Docker secret.
 *
 * Why Docker secrets and not files on shared storage: there is no shared storage yet, and a secret reaches
 * every front wherever Swarm runs it, encrypted in the managers' Raft log and on a tmpfs in the container,
 * never on a front's disk; it is the way every other secret of the cluster travels (versioned `_v<N>` names).
 * A secret cannot change in a running container, so a renewal replaces the fronts' tasks, one at a time
 * (FrontProxy's update_config: parallelism 1; stop-first, as its ports are published in host mode and two
 * tasks cannot hold one node's port 443), while the other fronts keep serving; nginx's image stops on SIGQUIT,
 * its graceful shutdown, so requests in flight finish. With shared storage the files could be reloaded in place.
 *
 * The first deploy works before any issuance: out/certbot/bootstrap.sh writes a self-signed certificate per
 * site into secrets/docker/, and swarm/secrets.sh creates the secrets from them; certbot's first issuance
 * replaces them. certbot itself holds no Docker socket (it talks to the internet): its deploy hook hands the
 * new key and chain over in its volume, and a systemd timer on the manager publishes them.
 */
export class LetsEncrypt extends ClusterConstruct {
  readonly email: string;
  readonly front: FrontProxy;
  /** The manager certbot and its publisher run on (the `node` prop). */
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
    const cluster = Cluster.of(this);

    const secretFor = (canonical: string): Secret =>
      new Secret(cluster, `tls_${canonical.replace(/[^a-z0-9]+/gi, "_").toLowerCase()}`, {
        description: `PEM key then certificate chain of ${canonical}: certbot's on the cluster; before its first issuance, the self-signed one out/certbot/bootstrap.sh writes`,
      });
    const front = props.front;
    this.covered = [
      ...(front?.sites ?? []).map((site) => ({
        names: site.domains,
        at: site as Construct,
        field: (index: number) => `domains[${index}]`,
        secret: secretFor(site.canonicalDomain),
      })),
      ...(front?.admin
        ? [
            {
              names: [front.admin.hostname],
              at: front as Construct,
              field: () => "admin.hostname",
              secret: secretFor(front.admin.hostname),
            },
          ]
        : []),
    ];
    if (front) {
      front.service.addMounts({ secrets: this.covered.map((entry) => entry.secret) });
      for (const entry of this.covered) front.certificateFrom(entry.names[0] ?? "", entry.secret.mountPath);
    }

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
      volumes: [`${this.stateVolume}:${CONFIG_DIR}`],
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

    if (props.node) {
      // The stacks name each volume as declared (`name:`), without the stack prefix.
      const volume = this.stateVolume;
      new HostFile(props.node, "certbot-publish-script", {
        path: HOST_PATHS.publishScript,
        mode: 0o755,
        contents: () => renderPublishScript(this.lineages, volume),
      });
      new SystemdUnit(props.node, `${PUBLISH_UNIT}.timer`, { contents: () => renderPublishTimer() });
      new SystemdUnit(props.node, `${PUBLISH_UNIT}.service`, { contents: () => renderPublishService(), enabled: false });
    }
  }

  /** The ACME directory URL. */
  get server(): string {
    return ACME_DIRECTORIES[this.directory as keyof typeof ACME_DIRECTORIES] ?? this.directory;
  }

  /** Each certificate as certbot names it and the fronts mount it. */
  get lineages(): Lineage[] {
    return this.covered.map((entry) => ({
      name: (entry.names[0] ?? "").toLowerCase(),
      names: entry.names.map((name) => name.toLowerCase()),
      secret: entry.secret.dockerName,
      mountKey: entry.secret.name,
      services: [this.front.service.dockerName],
    }));
  }

  /** Each certificate's names with the secret file bootstrap.sh writes. */
  get bootstrapEntries(): { name: string; names: readonly string[]; secretFile: string }[] {
    return this.covered.map((entry) => ({
      name: (entry.names[0] ?? "").toLowerCase(),
      names: entry.names.map((name) => name.toLowerCase()),
      secretFile: entry.secret.name,
    }));
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
    if (this.manager && this.manager.swarmRole !== "manager")
      problems.push(CERTBOT_MESSAGES.problem("certbot/node-not-manager", this, "node", { hostname: this.manager.hostname }));
    if (this.front && this.covered.length === 0) problems.push(CERTBOT_MESSAGES.problem("certbot/no-certificate", this, "front", {}));
    for (const entry of this.covered) {
      // The publisher's second name is the longest: `<name>_v<version>_next`.
      const longest = `${entry.secret.dockerName}_next`;
      if (longest.length > DOCKER_NAME_MAX)
        problems.push(
          CERTBOT_MESSAGES.problem("certbot/secret-name-too-long", declaredOf(entry.at), entry.field(0), {
            name: entry.names[0] ?? "",
            secret: longest,
          }),
        );
    }
    const zones = Cluster.of(this).all(HostedZone);
    if (zones.length === 0) {
      if (this.covered.length > 0) problems.push(CERTBOT_MESSAGES.problem("certbot/no-hosted-zone", this, "", {}));
      return problems;
    }
    const declared = zones.map((zone) => zone.zoneName).join(", ");
    for (const entry of this.covered)
      entry.names.forEach((name, index) => {
        if (typeof name === "string" && owningZone(name.toLowerCase().replace(/\.$/, ""), zones) === undefined)
          problems.push(
            CERTBOT_MESSAGES.problem("certbot/name-outside-zones", declaredOf(entry.at), entry.field(index), { name, zones: declared }),
          );
      });
    return problems;
  }
}
