import path from "node:path";
import { Project } from "ts-morph";
import { describe, expect, it } from "vitest";
import { deepMerge } from "../src/core/deep-merge.js";
import { repoRoot } from "./helpers/cli.js";

// The escape hatches (`service.override`, `node.overrideIgnition`) take patches typed from the official
// schemas: a misspelt field must be a type error in cluster.config.ts, not a silently ignored key.
describe("escape hatch types", () => {
  const project = new Project({ tsConfigFilePath: path.join(repoRoot, "tsconfig.json"), skipAddingFilesFromTsConfig: true });

  function typeErrors(body: string): string[] {
    const file = project.createSourceFile(
      path.join(repoRoot, "test", `__escape-hatch-${Math.abs(hash(body))}.ts`),
      `import { Cluster, Node, Service, Stack } from "../src/index.js";
const cluster = new Cluster({ name: "t", privateNetwork: "10.0.0.0/24", domain: "t.internal", sshAuthorizedKeys: [] });
const node = new Node(cluster, "a", { tier: "app", privateIp: "10.0.0.1" });
const service = new Service(new Stack(cluster, "s"), "web", { image: "nginx:1.27" });
${body}
export { cluster, node, service };`,
      { overwrite: true },
    );
    return file.getPreEmitDiagnostics().map((d) => String(d.getMessageText()));
  }

  it.each([
    ['service.override({ deploy: { replicas: 2, resources: { limits: { memory: "64M" } } } });'],
    ['service.override({ deploy: { labels: null } });'],
    ['node.overrideIgnition({ passwd: { users: [{ name: "core", sshAuthorizedKeys: ["ssh-ed25519 AAAA"] }] } });'],
  ])("accepts %s", (body) => {
    expect(typeErrors(body)).toEqual([]);
  });

  it.each([
    ["service.override({ deploy: { replcas: 2 } });", "replcas"],
    ['service.override({ imagee: "nginx:1.28" });', "imagee"],
    ['node.overrideIgnition({ passwd: { users: [{ name: "core", sshAuthorizedKey: [] }] } });', "sshAuthorizedKey"],
    ['node.overrideIgnition({ storage: { files: [{ path: "/x", mode: "0644" }] } });', "string"],
  ])("rejects %s", (body, culprit) => {
    const errors = typeErrors(body);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.join("\n")).toContain(culprit);
  });
});

describe("override semantics", () => {
  it("merges objects key by key, replaces arrays and scalars, and deletes on null", () => {
    const base = { image: "a", deploy: { replicas: 1, placement: { constraints: ["x"] }, labels: { k: "v" } } };
    const merged = deepMerge(base, { deploy: { replicas: 3, placement: { constraints: ["y"] }, labels: null } });
    expect(merged).toEqual({ image: "a", deploy: { replicas: 3, placement: { constraints: ["y"] } } });
    expect(base.deploy.replicas).toBe(1);
  });
});

function hash(text: string): number {
  let h = 0;
  for (const char of text) h = (h * 31 + char.charCodeAt(0)) | 0;
  return h;
}
