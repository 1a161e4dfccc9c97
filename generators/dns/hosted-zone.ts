import type { Construct } from "constructs";
import { finding } from "../../src/analysis/findings.js";
import type { Problem } from "../../src/core/problems.js";
import { ClusterConstruct } from "../../src/model/base.js";
import { Cluster } from "../../src/model/cluster.js";
import { propsShape } from "../../src/model/props-shape.js";
import { listed } from "../../src/core/wording.js";
import { zonePlan, type HealthCheckSettings, type Routing, type ZonePlan } from "./change-batch.js";
import { DNS_MESSAGES } from "./messages.js";
import { frontNodes, isInZone, publicFronts, publicNames } from "./public-names.js";

export interface HostedZoneProps {
  /** The zone's domain, e.g. `example.org`: every Site name at or below it gets records here. */
  readonly name: string;
  /**
   * The id Route53 gave the zone (not a secret: it names the zone, it grants nothing), shown by
   * `swarm-cluster dns` for the `--hosted-zone-id` of the apply command.
   * @default unknown: look it up by name
   */
  readonly zoneId?: string;
  /**
   * Seconds resolvers keep an answer: how long visitors may still be sent to a front that was removed.
   * @default 60
   */
  readonly ttl?: number;
  /**
   * `simple` (the seed's): one record set lists every front, and Route53 answers all of them, dead or alive.
   * `multivalue`: one record set per front, each tied to a health check, and Route53 answers only the
   * fronts that pass it.
   * @default "simple"
   */
  readonly routing?: Routing;
  /** How each front is probed with multivalue routing. */
  readonly healthCheck?: Partial<HealthCheckSettings>;
}

export const HOSTED_ZONE_PROPS = propsShape<HostedZoneProps>()({
  name: "required",
  zoneId: "optional",
  ttl: "optional",
  routing: "optional",
  healthCheck: {
    presence: "optional",
    fields: { protocol: "optional", port: "optional", path: "optional", interval: "optional", failureThreshold: "optional" },
  },
});

const DEFAULT_HEALTH_CHECK: HealthCheckSettings = { protocol: "HTTPS", port: 443, path: "/", interval: 30, failureThreshold: 3 };

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const ZONE_ID = /^[A-Z0-9]{1,32}$/;
const MAX_TTL = 2_147_483_647;

/**
 * A Route53 hosted zone the cluster's public names live in. The build writes its change batch (an UPSERT
 * of A, and AAAA where fronts have IPv6, for every Site name in the zone, pointing at the fronts' public
 * addresses), and with multivalue routing the health checks the records reference.
 */
export class HostedZone extends ClusterConstruct {
  /** The domain, lower case, without a final dot. */
  readonly zoneName: string;
  readonly zoneId: string | undefined;
  readonly ttl: number;
  readonly routing: Routing;
  readonly healthCheck: HealthCheckSettings;
  private readonly declaredHealthCheck: boolean;

  constructor(scope: Construct, id: string, props: HostedZoneProps) {
    super(scope, id);
    props = this.acceptProps(props, HOSTED_ZONE_PROPS);
    this.zoneName = typeof props.name === "string" ? props.name.toLowerCase().replace(/\.$/, "") : "";
    this.zoneId = props.zoneId;
    this.ttl = props.ttl ?? 60;
    this.routing = props.routing ?? "simple";
    this.declaredHealthCheck = props.healthCheck !== undefined;
    this.healthCheck = { ...DEFAULT_HEALTH_CHECK, ...props.healthCheck };
  }

  /** This zone's names: those inside it and in no deeper zone declared. */
  get names(): string[] {
    const cluster = Cluster.of(this);
    const zones = cluster.all(HostedZone);
    const names = publicNames(cluster)
      .map((entry) => entry.name)
      .filter((name) => owningZone(name, zones) === this);
    return [...new Set(names)];
  }

  /** The records and health checks, computed from the tree (once locked). */
  get plan(): ZonePlan {
    return zonePlan({
      zone: this.zoneName,
      zoneId: this.zoneId,
      ttl: this.ttl,
      routing: this.routing,
      healthCheck: this.healthCheck,
      names: this.names,
      fronts: publicFronts(Cluster.of(this)),
    });
  }

  override validateConstruct(): Problem[] {
    const problems: Problem[] = [];
    if (!DNS_NAME.test(this.zoneName)) problems.push(DNS_MESSAGES.problem("dns/zone-name-invalid", this, "name", { value: this.zoneName }));
    if (this.zoneId !== undefined && !(typeof this.zoneId === "string" && ZONE_ID.test(this.zoneId)))
      problems.push(DNS_MESSAGES.problem("dns/zone-id-invalid", this, "zoneId", { value: this.zoneId }));
    if (!Number.isInteger(this.ttl) || this.ttl < 0 || this.ttl > MAX_TTL)
      problems.push(DNS_MESSAGES.problem("dns/ttl-invalid", this, "ttl", { value: this.ttl }));
    if (this.routing !== "simple" && this.routing !== "multivalue")
      problems.push(DNS_MESSAGES.problem("dns/routing-invalid", this, "routing", { value: this.routing }));
    if (this.routing === "simple" && this.declaredHealthCheck)
      problems.push(DNS_MESSAGES.problem("dns/health-check-without-multivalue", this, "healthCheck", {}));
    problems.push(...this.healthCheckProblems());
    const cluster = Cluster.of(this);
    const first = cluster.all(HostedZone).find((zone) => zone.zoneName === this.zoneName);
    if (first && first !== this)
      problems.push(DNS_MESSAGES.problem("dns/zone-declared-twice", this, "name", { name: this.zoneName, first: first.path }));
    if (frontNodes(cluster).length === 0) problems.push(DNS_MESSAGES.problem("dns/no-public-front", this, "", {}));
    return problems;
  }

  private healthCheckProblems(): Problem[] {
    const { protocol, port, path, interval, failureThreshold } = this.healthCheck;
    const faults: [string, unknown, boolean, string][] = [
      ["healthCheck.protocol", protocol, protocol === "HTTP" || protocol === "HTTPS", 'the protocol is "HTTP" or "HTTPS"'],
      ["healthCheck.port", port, Number.isInteger(port) && port >= 1 && port <= 65535, "a port is a whole number from 1 to 65535"],
      [
        "healthCheck.path",
        path,
        typeof path === "string" && path.startsWith("/") && path.length <= 255 && !/\s/.test(path),
        "the path starts with /, holds no whitespace and at most 255 characters",
      ],
      ["healthCheck.interval", interval, interval === 10 || interval === 30, "Route53 probes every 10 or every 30 seconds"],
      [
        "healthCheck.failureThreshold",
        failureThreshold,
        Number.isInteger(failureThreshold) && failureThreshold >= 1 && failureThreshold <= 10,
        "Route53 takes 1 to 10 failed probes",
      ],
    ];
    return faults
      .filter(([, , valid]) => !valid)
      .map(([field, value, , rule]) => DNS_MESSAGES.problem("dns/health-check-invalid", this, field, { value, rule }));
  }

  /**
   * Simple routing answers every front's address whether the front is up or not: a lost front keeps its
   * share of visitors until someone edits the records. Multivalue answers with health checks drop it.
   */
  availabilityFindings(): Problem[] {
    if (this.routing !== "simple") return [];
    const fronts = frontNodes(Cluster.of(this));
    // With one front, the request path's own finding (spof/single-entry) already says it all.
    if (fronts.length < 2 || this.names.length === 0) return [];
    const names = fronts.map((node) => node.hostname);
    return [
      finding("warning", "dns/simple-routing-dead-front", this, {
        message:
          `zone ${this.zoneName} uses simple routing: Route53 keeps answering the address of a front that is down, so losing ` +
          `${listed(names, "or")} sends its share of visitors (1 in ${fronts.length}) to a dead address until the records change`,
        hint: 'set routing: "multivalue": one record per front, each with a health check, so Route53 stops answering a front that fails it',
      }),
    ];
  }
}

/** The deepest declared zone holding `name`, if any. */
export function owningZone(name: string, zones: readonly HostedZone[]): HostedZone | undefined {
  return zones
    .filter((zone) => isInZone(name, zone.zoneName))
    .sort((a, b) => b.zoneName.length - a.zoneName.length)
    .at(0);
}
