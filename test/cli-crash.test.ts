import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/cli.js";

// A real run of the compiled CLI on a temporary project whose config breaks the library from inside: it
// removes a method of its Cluster that synthesis calls outside any guarded step, standing for a bug in the
// library, so the build ends in an internal error (a TypeError thrown in src/synth/synthesize.ts).
let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-crash-"));
  writeFileSync(
    path.join(work, "cluster.config.ts"),
    [
      'import { Cluster, Node, defineCluster } from "swarm-cluster";',
      "export default defineCluster(() => {",
      "  const cluster = new Cluster({",
      '    name: "crash",',
      '    privateNetwork: "10.10.1.0/24",',
      '    domain: "swarm.internal",',
      '    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],',
      "  });",
      '  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });',
      "  (cluster as unknown as { useSecretVersions: unknown }).useSecretVersions = undefined;",
      "  return cluster;",
      "});",
      "",
    ].join("\n"),
  );
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("an internal error", () => {
  it("is printed with the source position of each frame in the compiled bundle", () => {
    const result = runCli(["build", "--config", path.join(work, "cluster.config.ts"), "--out", path.join(work, "out")]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("TypeError: cluster.useSecretVersions is not a function");
    // The frame where it was thrown: dist/runtime.cjs's line and column, then the source file's.
    expect(result.stderr).toMatch(/at synthesize \(\S+runtime\.cjs:\d+:\d+ \[(\.\.\/)?src\/synth\/synthesize\.ts:\d+:\d+\]\)/);
    expect(result.stderr).toMatch(/runtime\.cjs:\d+:\d+ \[(\.\.\/)?src\/cli\/main\.ts:\d+:\d+\]/);
  });
});
