import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./helpers/cli.js";

const fixture = path.join(repoRoot, "test/fixtures/custom-construct.config.ts");
const fixtureText = readFileSync(fixture, "utf8");

/** 1-based line of the first line of the fixture containing `text`. */
function lineOf(text: string): number {
  const index = fixtureText.split("\n").findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`the fixture has no line containing ${text}`);
  return index + 1;
}

let work: string;
beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-custom-"));
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/**
 * A user's project: the config, and node_modules holding handlebars and a copy of `constructs` of its own
 * (another file than the one the CLI loads), as an install beside an older or newer swarm-cluster has.
 */
function userProject(name: string, config: string): string {
  const project = path.join(work, name);
  mkdirSync(path.join(project, "node_modules"), { recursive: true });
  symlinkSync(path.join(repoRoot, "node_modules/handlebars"), path.join(project, "node_modules/handlebars"));
  cpSync(path.join(repoRoot, "node_modules/constructs"), path.join(project, "node_modules/constructs"), { recursive: true });
  writeFileSync(path.join(project, "cluster.config.ts"), config);
  return project;
}

/**
 * A user's project whose config imports a construct package from node_modules (`mylib`, CommonJS, as a
 * published construct library is): mylib requires `constructs` itself, and finds the one copy an install
 * beside swarm-cluster holds (here a link to the very folder the CLI's own `constructs` is, as npm's
 * deduplication leaves it).
 */
function projectWithConstructLibrary(name: string, config: string): string {
  const project = path.join(work, name);
  mkdirSync(path.join(project, "node_modules/mylib"), { recursive: true });
  symlinkSync(path.join(repoRoot, "node_modules/constructs"), path.join(project, "node_modules/constructs"));
  writeFileSync(
    path.join(project, "node_modules/mylib/package.json"),
    `${JSON.stringify({ name: "mylib", version: "1.0.0", main: "index.js" })}\n`,
  );
  writeFileSync(
    path.join(project, "node_modules/mylib/index.js"),
    [
      '"use strict";',
      'const { Construct } = require("constructs");',
      "/** A construct the library publishes: a plain Construct holding whatever the config puts in it. */",
      "class Tier extends Construct {}",
      "exports.Tier = Tier;",
      "exports.Construct = Construct;",
      "exports.isConstruct = (value) => value instanceof Construct;",
      "",
    ].join("\n"),
  );
  writeFileSync(path.join(project, "cluster.config.ts"), config);
  return project;
}

describe("a config with its own construct", () => {
  it("builds: the construct composes library constructs, and a CommonJS package runs in the config", () => {
    const out = path.join(work, "fixture-out");
    const result = runCli(["build", "--config", fixture, "--out", out]);
    expect(result.stderr).not.toContain("Dynamic require");
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(path.join(out, "stacks")).sort()).toEqual(["blog-web.yml", "shop-web.yml"]);
    const shop = readFileSync(path.join(out, "stacks/shop-web.yml"), "utf8");
    expect(shop).toContain("GREETING: Hello from shop");
    expect(shop).toContain("published: 8080");
    expect(shop).toMatch(/^ {2}cache:\n {4}image: redis:7\.4-alpine$/m);
    const manifest = JSON.parse(readFileSync(path.join(out, "manifest.json"), "utf8")) as { files: { path: string; construct: string }[] };
    expect(manifest.files.find((file) => file.path === "stacks/blog-web.yml")?.construct).toBe("cluster/blog/blog-web");
  });

  it("leaves no temporary module beside the config", () => {
    expect(readdirSync(path.dirname(fixture)).filter((name) => name.endsWith(".mjs"))).toEqual([]);
  });

  it("extends the library's own `Construct`, even with another copy of `constructs` installed beside it", () => {
    // The fixture throws when its `Construct` is not the class the library's Cluster extends.
    const project = userProject("own-copy", fixtureText);
    const result = runCli(["build", "--config", path.join(project, "cluster.config.ts")]);
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(path.join(project, "out/stacks")).sort()).toEqual(["blog-web.yml", "shop-web.yml"]);
    expect(readdirSync(project).sort()).toEqual(["cluster.config.ts", "node_modules", "out"]);
  });

  it("points a problem inside the construct at its line in the config", () => {
    // Both tiers publish 8080: the collision is reported where WebTier declares its server.
    const project = userProject("collision", fixtureText.replace("port: 8081", "port: 8080"));
    const result = runCli(["build", "--config", path.join(project, "cluster.config.ts")]);
    expect(result.status).toBe(1);
    const line = lineOf('new Service(this.stack, "server"');
    expect(result.stderr).toMatch(
      new RegExp(`^cluster\\.config\\.ts:${line}:\\d+: error service/port-collision: cluster/(shop|blog)/\\1-web/server`, "m"),
    );
    expect(result.stderr).toContain(`${line} | `);
  });

  it("reports an exception the config throws at its line, and still removes the temporary module", () => {
    const project = userProject(
      "throws",
      fixtureText.replace("super(scope, id);", 'super(scope, id);\n    throw new Error("tier refused");'),
    );
    const result = runCli(["build", "--config", path.join(project, "cluster.config.ts")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(`cluster.config.ts:${lineOf("super(scope, id);") + 1}:`);
    expect(result.stderr).toContain("tier refused");
    expect(readdirSync(project).sort()).toEqual(["cluster.config.ts", "node_modules"]);
  });

  it("shares the classes of `constructs` with a construct package the config imports from node_modules", () => {
    // A real run of the compiled CLI on a temporary project. mylib's `Construct` must be the class the
    // library's Cluster extends: the config checks it, and puts a stack inside mylib's Tier.
    const config = [
      'import { Construct } from "constructs";',
      'import { Tier, Construct as LibraryConstruct, isConstruct } from "mylib";',
      'import { Cluster, Node, Service, Stack, defineCluster } from "swarm-cluster";',
      "export default defineCluster(() => {",
      "  const cluster = new Cluster({",
      '    name: "custom",',
      '    privateNetwork: "10.10.1.0/24",',
      '    domain: "swarm.internal",',
      '    sshAuthorizedKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOZ14CSBxurgLVcn78zKrg/OOeRDpovcov+rBEssPvJ5 operator@example"],',
      "  });",
      '  if (LibraryConstruct !== Construct) throw new Error("mylib loads another copy of constructs than the config");',
      '  if (!isConstruct(cluster)) throw new Error("the cluster is no construct of mylib\'s copy of constructs");',
      '  new Node(cluster, "sw-node-1", { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });',
      '  const tier = new Tier(cluster, "shop");',
      "  if (!(tier instanceof Construct)) throw new Error(\"mylib's Tier is no construct of the config's copy\");",
      '  new Service(new Stack(tier, "shop-web"), "server", { image: "nginx:1.27-alpine", ports: [{ published: 8080, target: 80 }] });',
      "  return cluster;",
      "});",
      "",
    ].join("\n");
    const project = projectWithConstructLibrary("construct-library", config);
    const result = runCli(["build", "--config", path.join(project, "cluster.config.ts")]);
    expect(result.stderr).not.toContain("another copy");
    expect(result.status, result.stderr).toBe(0);
    expect(readdirSync(path.join(project, "out/stacks"))).toEqual(["shop-web.yml"]);
    const manifest = JSON.parse(readFileSync(path.join(project, "out/manifest.json"), "utf8")) as {
      files: { path: string; construct: string }[];
    };
    expect(manifest.files.find((file) => file.path === "stacks/shop-web.yml")?.construct).toBe("cluster/shop/shop-web");
  });
});
