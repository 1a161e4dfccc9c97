// Unit tests of the Route53 family: what the change batches say, and the checks that stop a build.
import { describe, expect, it } from "vitest";
import { dnsGenerator } from "../../generators/dns/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { HostedZone, Testing } from "../../src/index.js";
import { dnsCluster } from "./dns.fixture.js";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

interface RecordSet {
  Name: string;
  Type: string;
  TTL: number;
  SetIdentifier?: string;
  MultiValueAnswer?: boolean;
  HealthCheckId?: string;
  ResourceRecords: { Value: string }[];
}
const recordSets = (json: string | undefined): RecordSet[] =>
  (JSON.parse(json ?? "{}") as { Changes: { Action: string; ResourceRecordSet: RecordSet }[] }).Changes.map((change) => {
    expect(change.Action).toBe("UPSERT");
    return change.ResourceRecordSet;
  });

describe("HostedZone", () => {
  it("simple routing: one A record set per name listing every front, TTL from the model, no health checks", async () => {
    const files = await Testing.synth(dnsCluster({ zone: { ttl: 120 } }).cluster, { generators: [dnsGenerator] });
    expect(recordSets(files.get("dns/example.org.json"))).toEqual([
      { Name: "example.org.", Type: "A", TTL: 120, ResourceRecords: [{ Value: "203.0.113.11" }, { Value: "203.0.113.12" }] },
      { Name: "www.example.org.", Type: "A", TTL: 120, ResourceRecords: [{ Value: "203.0.113.11" }, { Value: "203.0.113.12" }] },
    ]);
    expect(files.has("dns/example.org.health-checks.json")).toBe(false);
  });

  it("points the reference's admin host name at the fronts too (a FrontProxy's admin entry declares it)", () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const names = recordSets(readFileSync(path.join(root, "out/dns/example.org.json"), "utf8")).map((set) => set.Name);
    expect(names).toContain("admin.example.org.");
  });

  it("adds AAAA records when the fronts have IPv6 addresses", async () => {
    const files = await Testing.synth(dnsCluster({ ipv6: true }).cluster, { generators: [dnsGenerator] });
    const aaaa = recordSets(files.get("dns/example.org.json")).filter((set) => set.Type === "AAAA");
    expect(aaaa.map((set) => [set.Name, set.ResourceRecords.map((record) => record.Value)])).toEqual([
      ["example.org.", ["2001:db8::11", "2001:db8::12"]],
      ["www.example.org.", ["2001:db8::11", "2001:db8::12"]],
    ]);
  });

  it("multivalue routing: one record set per front, each naming the health check of its own address", async () => {
    const files = await Testing.synth(dnsCluster({ zone: { routing: "multivalue" } }).cluster, { generators: [dnsGenerator] });
    const sets = recordSets(files.get("dns/example.org.json"));
    const checks = JSON.parse(files.get("dns/example.org.health-checks.json") ?? "{}") as Record<
      string,
      { CallerReference: string; HealthCheckConfig: { IPAddress: string; Type: string; Port: number; FullyQualifiedDomainName: string } }
    >;
    expect(Object.keys(checks)).toEqual(["sw-front-1", "sw-front-2"]);
    expect(checks["sw-front-1"]?.HealthCheckConfig).toMatchObject({
      IPAddress: "203.0.113.11",
      Type: "HTTPS",
      Port: 443,
      FullyQualifiedDomainName: "example.org",
    });
    expect(sets).toHaveLength(4);
    for (const set of sets) {
      expect(set.MultiValueAnswer).toBe(true);
      expect(set.ResourceRecords).toHaveLength(1);
      const check = checks[set.SetIdentifier ?? ""];
      expect(set.HealthCheckId).toBe(check?.CallerReference);
      expect(set.ResourceRecords[0]?.Value).toBe(check?.HealthCheckConfig.IPAddress);
    }
  });

  it("a health check that changes gets a new CallerReference (Route53 refuses a reused one with other settings)", async () => {
    const reference = async (path: string) => {
      const files = await Testing.synth(dnsCluster({ zone: { routing: "multivalue", healthCheck: { path } } }).cluster, {
        generators: [dnsGenerator],
      });
      return (JSON.parse(files.get("dns/example.org.health-checks.json") ?? "{}") as Record<string, { CallerReference: string }>)[
        "sw-front-1"
      ]?.CallerReference;
    };
    expect(await reference("/")).toBe(await reference("/"));
    expect(await reference("/")).not.toBe(await reference("/healthz"));
  });

  it("refuses a site name outside every hosted zone, at the site's domain", async () => {
    const error = await Testing.synth(dnsCluster({ domains: ["example.org", "shop.example.net"] }).cluster, {
      generators: [dnsGenerator],
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      {
        code: "dns/name-outside-zones",
        construct: "cluster/www",
        field: "domains[1]",
        message: expect.stringContaining("shop.example.net"),
      },
    ]);
  });

  it("a name belongs to the deepest zone declared", async () => {
    const { cluster } = dnsCluster({ domains: ["example.org", "shop.eu.example.org"] });
    new HostedZone(cluster, "eu", { name: "eu.example.org" });
    const files = await Testing.synth(cluster, { generators: [dnsGenerator] });
    expect(recordSets(files.get("dns/example.org.json")).map((set) => set.Name)).toEqual(["example.org."]);
    expect(recordSets(files.get("dns/eu.example.org.json")).map((set) => set.Name)).toEqual(["shop.eu.example.org."]);
  });

  it("refuses values Route53 would refuse, each at its field", async () => {
    const { cluster } = dnsCluster({
      zone: { ttl: -1, zoneId: "not an id", routing: "multivalue", healthCheck: { interval: 20 as 30, failureThreshold: 11 } },
    });
    const error = await Testing.synth(cluster, { generators: [dnsGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const found = (error as ConfigError).problems.map((problem) => `${problem.code} ${problem.field}`).sort();
    expect(found).toEqual([
      "dns/health-check-invalid healthCheck.failureThreshold",
      "dns/health-check-invalid healthCheck.interval",
      "dns/ttl-invalid ttl",
      "dns/zone-id-invalid zoneId",
    ]);
  });

  it("refuses a front's public IPv6 address that is not one, at the node", async () => {
    const bad = dnsCluster({ ipv6: ["2001:db8::11", "203.0.113.12"] });
    const refused = await Testing.synth(bad.cluster, { generators: [dnsGenerator] }).catch((caught: unknown) => caught);
    expect(refused).toBeInstanceOf(ConfigError);
    expect((refused as ConfigError).problems).toMatchObject([
      { code: "dns/public-ipv6-invalid", construct: "cluster/sw-front-2", field: "publicIpv6" },
    ]);
  });

  it("the analysis: with simple routing a lost front keeps its share of visitors (warning); multivalue with health checks is credited", () => {
    const simple = dnsCluster().cluster;
    simple.node.lock();
    const warned = analyseHa(simple).findings.filter((finding) => finding.code === "dns/simple-routing-dead-front");
    expect(warned).toMatchObject([{ severity: "warning", construct: "cluster/example-org", message: expect.stringContaining("1 in 2") }]);
    const multivalue = dnsCluster({ zone: { routing: "multivalue" } }).cluster;
    multivalue.node.lock();
    expect(analyseHa(multivalue).findings.filter((finding) => finding.code.startsWith("dns/"))).toEqual([]);
  });
});
