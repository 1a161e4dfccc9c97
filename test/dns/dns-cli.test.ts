// Unit tests of `swarm-cluster dns` and of a bad config's located error (the compiled CLI, run by node).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";

const reference = path.join(repoRoot, "cluster.config.ts");
const seedLiteral = path.join(repoRoot, "examples/seed-literal.config.ts");
const outsideZone = path.join(repoRoot, "test/dns/fixtures/site-outside-zone.config.ts");

describe("swarm-cluster dns", () => {
  it("prints the reference plan: one record per front and name, each with its health check, and how to apply it", () => {
    const result = runCli(["dns", "--config", reference]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("zone example.org: multivalue answers with health checks, TTL 60 s");
    expect(result.stdout).toMatch(/UPSERT www\.example\.org\. +A +203\.0\.113\.12 +front sw-front-2, health check sw-front-2-[0-9a-f]{16}/);
    expect(result.stdout).toContain(
      "apply: bash out/dns/apply.sh (creates the health checks of out/dns/example.org.health-checks.json first",
    );
  });

  it("--json: the zones with every record, what build writes to out/dns/", () => {
    const result = runCli(["dns", "--json", "--config", seedLiteral]);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["command", "ok", "zones", "findings"]);
    expect(document).toMatchObject({
      command: "dns",
      ok: true,
      zones: [
        {
          zone: "example.org",
          zoneId: null,
          routing: "simple",
          ttl: 60,
          file: "dns/example.org.json",
          healthChecksFile: null,
          records: [
            { name: "example.org.", type: "A", values: ["203.0.113.11", "203.0.113.12"], setIdentifier: null, healthCheck: null },
            { name: "www.example.org.", type: "A", values: ["203.0.113.11", "203.0.113.12"], setIdentifier: null, healthCheck: null },
          ],
        },
      ],
      findings: [{ severity: "warning", code: "dns/simple-routing-dead-front", construct: "cluster/example-org" }],
    });
  });

  it("is documented in --help", () => {
    const result = runCli(["dns", "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Usage: swarm-cluster dns");
    expect(result.stdout).toContain('{command: "dns", ok, zones:');
  });

  it("a site name outside every hosted zone: exit 1, located at the site's declaration", () => {
    for (const command of ["dns", "build"]) {
      const result = runCli([command, "--config", outsideZone, ...(command === "build" ? ["--check"] : [])]);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /site-outside-zone\.config\.ts:14:\d+: error dns\/name-outside-zones: cluster\/www \(field `domains\[1\]`\): shop\.example\.net is in none of the hosted zones declared \(example\.org\)/,
      );
      expect(result.stderr).toContain("fix: declare a HostedZone whose name is shop.example.net or a parent of it");
    }
  });
});
