import { sha256 } from "../../src/core/hash.js";

/**
 * Route53 request bodies, shaped and named as the Route53 API reference gives them (ChangeResourceRecordSets'
 * `ChangeBatch`, CreateHealthCheck's `CallerReference` + `HealthCheckConfig`), so that the files are what
 * `aws route53 change-resource-record-sets --change-batch file://…` and `create-health-check` read.
 */

export type Routing = "simple" | "multivalue";

/** How Route53 probes each front when routing is multivalue. */
export interface HealthCheckSettings {
  /** `HTTPS` probes the front's TLS port; Route53 does not verify the certificate. */
  readonly protocol: "HTTP" | "HTTPS";
  readonly port: number;
  /** Path requested, with the zone's first name as Host header (and SNI name); 2xx and 3xx answers count as healthy. */
  readonly path: string;
  /** Seconds between probes from each checker: Route53 offers 10 (fast, billed more) or 30. */
  readonly interval: 10 | 30;
  /** Consecutive failed probes before the front is taken out of the answers, 1 to 10. */
  readonly failureThreshold: number;
}

/** A front as DNS sees it: its public addresses. */
export interface PublicFront {
  readonly hostname: string;
  readonly ipv4: string;
  readonly ipv6: string | undefined;
}

export interface ZonePlanInput {
  /** The zone's domain, lower case, without the final dot. */
  readonly zone: string;
  readonly zoneId: string | undefined;
  readonly ttl: number;
  readonly routing: Routing;
  readonly healthCheck: HealthCheckSettings;
  /** Every name to point at the fronts, inside the zone, lower case, without the final dot. */
  readonly names: readonly string[];
  readonly fronts: readonly PublicFront[];
}

export interface ResourceRecordSet {
  readonly Name: string;
  readonly Type: "A" | "AAAA";
  readonly SetIdentifier?: string;
  readonly MultiValueAnswer?: boolean;
  readonly TTL: number;
  readonly ResourceRecords: readonly { readonly Value: string }[];
  readonly HealthCheckId?: string;
}

export interface ChangeBatch {
  readonly Comment: string;
  readonly Changes: readonly { readonly Action: "UPSERT"; readonly ResourceRecordSet: ResourceRecordSet }[];
}

export interface CreateHealthCheckRequest {
  readonly CallerReference: string;
  readonly HealthCheckConfig: {
    readonly IPAddress: string;
    readonly Port: number;
    readonly Type: "HTTP" | "HTTPS";
    readonly ResourcePath: string;
    readonly FullyQualifiedDomainName: string;
    readonly RequestInterval: number;
    readonly FailureThreshold: number;
    readonly EnableSNI?: boolean;
  };
}

/** The zone's records and, with multivalue routing, the health checks they reference. */
export interface ZonePlan {
  readonly changeBatch: ChangeBatch;
  /** Keyed by front hostname; empty with simple routing. */
  readonly healthChecks: Readonly<Record<string, CreateHealthCheckRequest>>;
}

/**
 * With simple routing, one record set per name and type lists every front: Route53 answers all of them,
 * whether up or not. With multivalue routing, each front has its own record set (SetIdentifier = its
 * hostname) tied to a health check, and Route53 answers only the fronts that pass it.
 *
 * A health check's id is known only once Route53 has created it, so the change batch names each one by its
 * CallerReference (a stable hash of the check's settings: a changed check is a new one, as Route53 requires
 * for a new CallerReference); the step that applies the batch replaces it with the id CreateHealthCheck
 * returned for that reference.
 */
export function zonePlan(input: ZonePlanInput): ZonePlan {
  const healthChecks: Record<string, CreateHealthCheckRequest> = {};
  if (input.routing === "multivalue") {
    for (const front of input.fronts) healthChecks[front.hostname] = healthCheckRequest(input, front);
  }
  const changes = input.names.flatMap((name) => (["A", "AAAA"] as const).flatMap((type) => recordSets(input, name, type, healthChecks)));
  return {
    changeBatch: {
      Comment: comment(input),
      Changes: changes.map((recordSet) => ({ Action: "UPSERT" as const, ResourceRecordSet: recordSet })),
    },
    healthChecks,
  };
}

function recordSets(
  input: ZonePlanInput,
  name: string,
  type: "A" | "AAAA",
  healthChecks: Readonly<Record<string, CreateHealthCheckRequest>>,
): ResourceRecordSet[] {
  const addressed = input.fronts
    .map((front) => ({ front, address: type === "A" ? front.ipv4 : front.ipv6 }))
    .filter((entry): entry is { front: PublicFront; address: string } => entry.address !== undefined);
  if (addressed.length === 0) return [];
  const fqdn = `${name}.`;
  if (input.routing === "simple") {
    return [{ Name: fqdn, Type: type, TTL: input.ttl, ResourceRecords: addressed.map(({ address }) => ({ Value: address })) }];
  }
  return addressed.map(({ front, address }) => ({
    Name: fqdn,
    Type: type,
    SetIdentifier: front.hostname,
    MultiValueAnswer: true,
    TTL: input.ttl,
    ResourceRecords: [{ Value: address }],
    HealthCheckId: healthChecks[front.hostname]?.CallerReference ?? "",
  }));
}

function healthCheckRequest(input: ZonePlanInput, front: PublicFront): CreateHealthCheckRequest {
  const settings = input.healthCheck;
  const config: CreateHealthCheckRequest["HealthCheckConfig"] = {
    IPAddress: front.ipv4,
    Port: settings.port,
    Type: settings.protocol,
    ResourcePath: settings.path,
    FullyQualifiedDomainName: input.names[0] ?? input.zone,
    RequestInterval: settings.interval,
    FailureThreshold: settings.failureThreshold,
    ...(settings.protocol === "HTTPS" ? { EnableSNI: true } : {}),
  };
  // At most 64 characters (Route53's limit); the hostname keeps it readable, the hash makes a changed check new.
  const digest = sha256(JSON.stringify([input.zone, front.hostname, config])).slice(0, 16);
  return { CallerReference: `${front.hostname.slice(0, 40)}-${digest}`, HealthCheckConfig: config };
}

function comment(input: ZonePlanInput): string {
  const zone = input.zoneId ? `${input.zone} (${input.zoneId})` : input.zone;
  const text =
    input.routing === "simple"
      ? `swarm-cluster: ${zone}, every site name to every front, simple routing`
      : `swarm-cluster: ${zone}, one record per front, multivalue answers with health checks (HealthCheckId holds the CallerReference until created)`;
  // ChangeBatch.Comment holds at most 256 characters.
  return text.slice(0, 256);
}
