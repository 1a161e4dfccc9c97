import { HostedZone } from "../../generators/dns/hosted-zone.js";
import type { Problem } from "../core/problems.js";
import { OUT_PATHS } from "../synth/out-paths.js";
import { compileProject } from "./compile.js";
import { printJson, type Output } from "./output.js";
import { projectPaths } from "./project.js";
import { failureFindings, reportError } from "./report-error.js";
import { findingJson, printFindings, type FindingJson } from "./report-findings.js";

export interface DnsOptions {
  readonly config: string;
  readonly json?: boolean | undefined;
}

/** One record set of the plan, as Route53 will hold it. */
export interface DnsRecordJson {
  readonly name: string;
  readonly type: "A" | "AAAA";
  readonly ttl: number;
  readonly values: readonly string[];
  /** The front a multivalue record set answers for; null with simple routing. */
  readonly setIdentifier: string | null;
  /** The CallerReference of its health check; null with simple routing. */
  readonly healthCheck: string | null;
}

export interface DnsZoneJson {
  readonly zone: string;
  readonly zoneId: string | null;
  readonly routing: "simple" | "multivalue";
  readonly ttl: number;
  /** The change batch, relative to out/. */
  readonly file: string;
  /** The CreateHealthCheck requests, relative to out/; null with simple routing. */
  readonly healthChecksFile: string | null;
  readonly records: readonly DnsRecordJson[];
}

/** `dns --json` on stdout. */
export interface DnsJson {
  readonly command: "dns";
  readonly ok: boolean;
  readonly zones: readonly DnsZoneJson[] | null;
  readonly findings: readonly FindingJson[];
}

/**
 * The Route53 plan, for a person before applying it: each hosted zone's record sets (what `build` writes to
 * out/dns/), and the AWS CLI commands that apply them. Reads the config; writes nothing, calls nothing.
 */
export async function runDns(options: DnsOptions, io: Output): Promise<number> {
  let zones: DnsZoneJson[];
  let problems: readonly Problem[];
  try {
    const result = await compileProject(projectPaths(options.config), false);
    zones = result.cluster.all(HostedZone).map(zoneJson);
    // What concerns DNS only: the zones' warnings and the analysis' word on routing (other findings are build's and analyze's).
    problems = [...result.problems, ...result.ha.findings].filter((problem) => problem.code.startsWith("dns/"));
  } catch (error) {
    if (!options.json) return reportError(error, io);
    printJson(io, { command: "dns", ok: false, zones: null, findings: failureFindings(error).map(findingJson) } satisfies DnsJson);
    return 1;
  }
  if (options.json) {
    printJson(io, { command: "dns", ok: true, zones, findings: problems.map(findingJson) } satisfies DnsJson);
    return 0;
  }
  printFindings(problems, io);
  if (zones.length === 0) {
    io.out("No hosted zone is declared: DNS is left to you (declare a HostedZone to have its records written).\n");
    return 0;
  }
  for (const zone of zones) io.out(zoneText(zone));
  return 0;
}

function zoneJson(zone: HostedZone): DnsZoneJson {
  const plan = zone.plan;
  return {
    zone: zone.zoneName,
    zoneId: zone.zoneId ?? null,
    routing: zone.routing,
    ttl: zone.ttl,
    file: OUT_PATHS.dnsChangeBatch(zone.zoneName),
    healthChecksFile: zone.routing === "multivalue" ? OUT_PATHS.dnsHealthChecks(zone.zoneName) : null,
    records: plan.changeBatch.Changes.map(({ ResourceRecordSet: set }) => ({
      name: set.Name,
      type: set.Type,
      ttl: set.TTL,
      values: set.ResourceRecords.map((record) => record.Value),
      setIdentifier: set.SetIdentifier ?? null,
      healthCheck: set.HealthCheckId ?? null,
    })),
  };
}

function zoneText(zone: DnsZoneJson): string {
  const routing = zone.routing === "simple" ? "simple routing (every front answered, up or not)" : "multivalue answers with health checks";
  const lines = [`zone ${zone.zone}${zone.zoneId ? ` (${zone.zoneId})` : ""}: ${routing}, TTL ${zone.ttl} s`];
  const width = Math.max(...zone.records.map((record) => record.name.length), 0);
  for (const record of zone.records) {
    const front = record.setIdentifier ? `  front ${record.setIdentifier}, health check ${record.healthCheck}` : "";
    lines.push(`  UPSERT ${record.name.padEnd(width)}  ${record.type.padEnd(4)}  ${record.values.join(" ")}${front}`);
  }
  if (zone.healthChecksFile) {
    lines.push(
      `  apply: bash out/${OUT_PATHS.familyFile("dns", "apply.sh")} (creates the health checks of out/${zone.healthChecksFile} first, then`,
      "         sends the change batch with the ids Route53 gave them in place of their CallerReferences)",
    );
  } else {
    const zoneId = zone.zoneId ?? "<id of the zone>";
    lines.push(
      `  apply: bash out/${OUT_PATHS.familyFile("dns", "apply.sh")}, or aws route53 change-resource-record-sets --hosted-zone-id ${zoneId} --change-batch file://out/${zone.file}`,
    );
  }
  lines.push("");
  return `${lines.join("\n")}\n`;
}
