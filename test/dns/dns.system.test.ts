// A real validator: botocore's request validator (ParamValidator), run on the Route53 API model that
// Debian's python3-botocore ships, the one the AWS CLI and boto3 check requests against before sending
// them. Offline: botocore's loader reads the model from the package; no client, no credentials, no network.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { dnsGenerator } from "../../generators/dns/index.js";
import { Testing } from "../../src/index.js";
import { dnsCluster } from "./dns.fixture.js";

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), "route53-validate.py");

interface Request {
  readonly operation: "ChangeResourceRecordSets" | "CreateHealthCheck";
  readonly params: unknown;
}

/** botocore's report for each request: "" when valid. */
function validate(requests: readonly Request[]): string[] {
  const run = spawnSync("/usr/bin/python3", [SCRIPT], {
    input: JSON.stringify(requests),
    encoding: "utf8",
    env: { PATH: "/usr/bin:/bin" },
  });
  if (run.error) throw run.error;
  expect(run.status, run.stderr).toBe(0);
  const result = JSON.parse(run.stdout) as { apiVersion: string; reports: string[] };
  expect(result.apiVersion).toBe("2013-04-01");
  return result.reports;
}

async function requestsOf(options: Parameters<typeof dnsCluster>[0]): Promise<Request[]> {
  const files = await Testing.synth(dnsCluster(options).cluster, { generators: [dnsGenerator] });
  const batch = JSON.parse(files.get("dns/example.org.json") ?? "null") as unknown;
  const checks = JSON.parse(files.get("dns/example.org.health-checks.json") ?? "{}") as Record<string, unknown>;
  return [
    { operation: "ChangeResourceRecordSets", params: { HostedZoneId: "Z0123456789ABCDEFGHIJ", ChangeBatch: batch } },
    ...Object.values(checks).map((params) => ({ operation: "CreateHealthCheck" as const, params })),
  ];
}

describe("Route53 requests, checked by botocore's validator", () => {
  it("accepts the simple-routing change batch, A and AAAA", async () => {
    const requests = await requestsOf({ ipv6: true, zone: { zoneId: "Z0123456789ABCDEFGHIJ" } });
    expect(requests).toHaveLength(1);
    expect(validate(requests)).toEqual([""]);
  });

  it("accepts the multivalue change batch and every CreateHealthCheck request it references", async () => {
    const requests = await requestsOf({
      ipv6: true,
      zone: { routing: "multivalue", healthCheck: { interval: 10, path: "/wp-login.php" } },
    });
    expect(requests.map((request) => request.operation)).toEqual(["ChangeResourceRecordSets", "CreateHealthCheck", "CreateHealthCheck"]);
    expect(validate(requests)).toEqual(["", "", ""]);
  });

  it("accepts the reference cluster's committed out/dns/ files", () => {
    const out = path.join(path.dirname(fileURLToPath(import.meta.url)), "../../out/dns");
    const batch = JSON.parse(readFileSync(path.join(out, "example.org.json"), "utf8")) as unknown;
    const checks = JSON.parse(readFileSync(path.join(out, "example.org.health-checks.json"), "utf8")) as Record<string, unknown>;
    const requests: Request[] = [
      { operation: "ChangeResourceRecordSets", params: { HostedZoneId: "Z0123456789ABCDEFGHIJ", ChangeBatch: batch } },
      ...Object.values(checks).map((params) => ({ operation: "CreateHealthCheck" as const, params })),
    ];
    expect(requests).toHaveLength(3);
    expect(validate(requests)).toEqual(["", "", ""]);
  });

  it("refuses a planted bad record (TTL as a string, a record set without its Type): the check can fail", async () => {
    const [request] = await requestsOf({});
    const params = structuredClone(request?.params) as { ChangeBatch: { Changes: { ResourceRecordSet: Record<string, unknown> }[] } };
    const [first, second] = params.ChangeBatch.Changes;
    if (!first || !second) throw new Error("expected two changes");
    first.ResourceRecordSet.TTL = "60";
    delete second.ResourceRecordSet.Type;
    const [report] = validate([{ operation: "ChangeResourceRecordSets", params }]);
    expect(report).toContain("Invalid type for parameter ChangeBatch.Changes[0].ResourceRecordSet.TTL");
    expect(report).toContain('Missing required parameter in ChangeBatch.Changes[1].ResourceRecordSet: "Type"');
  });

  it("refuses a planted bad health check (no CallerReference, the port as a string)", async () => {
    const requests = await requestsOf({ zone: { routing: "multivalue" } });
    const check = structuredClone(requests[1]?.params) as { CallerReference?: string; HealthCheckConfig: Record<string, unknown> };
    delete check.CallerReference;
    check.HealthCheckConfig.Port = "443";
    const [report] = validate([{ operation: "CreateHealthCheck", params: check }]);
    expect(report).toContain('Missing required parameter in input: "CallerReference"');
    expect(report).toContain("Invalid type for parameter HealthCheckConfig.Port");
  });
});
