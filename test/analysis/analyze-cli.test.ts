import path from "node:path";
import { describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";

const seedLiteral = path.join(repoRoot, "examples/seed-literal.config.ts");
const reference = path.join(repoRoot, "cluster.config.ts");

describe("swarm-cluster analyze", () => {
  it("reports the seed's single manager, single ProxySQL and two-node Galera with their fixes, and exits 1", () => {
    const result = runCli(["analyze", "--config", seedLiteral]);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/availability error swarm\/no-fault-tolerance: cluster: .*losing sw-node-1 loses its majority/);
    expect(result.stdout).toContain('fix: make sw-node-2 and sw-node-3 managers (`swarmRole: "manager"`)');
    expect(result.stdout).toMatch(
      /availability error spof\/single-replica: cluster\/db\/proxysql: .*losing sw-proxy-sql stops the path at proxysql/,
    );
    expect(result.stdout).toMatch(/availability error galera\/no-fault-tolerance: cluster\/xtradb: .*\n {2}fix: add garbd on sw-proxy-sql/);
    // Each finding is located at the construct's config line.
    expect(result.stdout).toMatch(/^seed-literal\.config\.ts:\d+:\d+: availability error galera\/no-fault-tolerance/m);
    expect(result.stdout).toMatch(/Any 1 node\(s\) lost at once: no: losing sw-node-1/);
    expect(result.stdout).not.toContain("\x1b[");
  });

  it("passes the reference cluster for one loss, and with --fail 2 names the first pair that breaks something", () => {
    expect(runCli(["analyze", "--config", reference]).status).toBe(0);
    const pair = runCli(["analyze", "--fail", "2", "--config", reference]);
    expect(pair.status).toBe(1);
    expect(pair.stdout).toMatch(
      /availability error tolerance\/failures: cluster: .*losing sw-front-1 and sw-front-2 stops the request path/,
    );
  });

  it("--json: one document with the first breaking set", () => {
    const result = runCli(["analyze", "--json", "--fail", "2", "--config", reference]);
    const document = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(Object.keys(document)).toEqual(["command", "ok", "fail", "sets", "firstBreaking", "findings"]);
    expect(document).toMatchObject({
      command: "analyze",
      ok: false,
      fail: 2,
      sets: { checked: 28, breaking: 7 },
      firstBreaking: { nodes: ["sw-front-1", "sw-front-2"] },
    });
  });

  it.each([["0"], ["two"], ["9"]])("refuses --fail %s", (count) => {
    const result = runCli(["analyze", "--fail", count, "--config", reference]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--fail/);
  });
});
