import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv } from "ajv";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ConfigError } from "../../src/core/problems.js";
import { Karma, Monitoring, OverlayNetwork, Secret, Stack, Testing } from "../../src/index.js";
import { repoRoot } from "../helpers/cli.js";
import { KARMA_CONFIG_SCHEMA } from "./karma-schema.js";

/**
 * karma in the reference build: its configuration against a schema written from karma's documentation
 * (karma-schema.ts), one server per Alertmanager replica of the model, all in one cluster; and its located problems.
 */

const out = path.join(repoRoot, "out", "stacks");

describe("karma in the reference build", () => {
  const config = parse(readFileSync(path.join(out, "stats", "karma.yaml"), "utf8"));
  const stack = parse(readFileSync(path.join(out, "stats.yml"), "utf8"));

  it("writes a configuration karma's documentation describes", () => {
    const ajv = new Ajv({ allErrors: true });
    expect(ajv.validate(KARMA_CONFIG_SCHEMA, config), ajv.errorsText()).toBe(true);
  });

  it("reads every Alertmanager replica the stack runs, as one cluster, through its service name", () => {
    const replicas = Object.keys(stack.services).filter((name) => /^alertmanager-\d+$/.test(name));
    expect(replicas).toEqual(["alertmanager-1", "alertmanager-2"]);
    expect(config.alertmanager.servers).toEqual(
      replicas.map((name) => expect.objectContaining({ name, uri: `http://${name}:9093`, proxy: true, cluster: "swarm-alertmanager" })),
    );
    // Alertmanager serves its API at / (--web.route-prefix=/) even though the operators reach it under a prefix.
    for (const name of replicas) expect(stack.services[name].command).toContain("--web.route-prefix=/");
  });

  it("serves under the admin entry's /karma/, on the Alertmanagers' overlay, without a published port", () => {
    expect(config.listen.prefix).toBe("/karma/");
    expect(readFileSync(path.join(out, "front", "nginx-admin.conf"), "utf8")).toContain("set $admin_upstream karma:8080;");
    expect(stack.services.karma.ports).toBeUndefined();
    expect(stack.services.karma.networks).toEqual(stack.services["alertmanager-1"].networks);
    expect(stack.services.karma.image).toMatch(/^ghcr\.io\/prymitive\/karma:v\d+\.\d+$/);
  });
});

describe("karma's model", () => {
  it("reports a Monitoring without Alertmanagers, where karma would read nothing", async () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
    const stack = new Stack(cluster, "stats");
    const monitoring = new Monitoring(cluster, "monitoring", { stack, network: appnet });
    new Karma(cluster, "karma", { stack, network: appnet, monitoring });
    const error = await Testing.synth(cluster, { generators: [stacksGenerator] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toMatchObject([
      { code: "karma/no-alertmanagers", construct: "cluster/karma", field: "monitoring" },
    ]);
  });

  it("reads the replicas of the model, however many", async () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    const appnet = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
    const stack = new Stack(cluster, "stats");
    const monitoring = new Monitoring(cluster, "monitoring", {
      stack,
      network: appnet,
      alerting: { nodes: cluster.nodes, slackWebhook: new Secret(cluster, "slack", { description: "webhook" }) },
    });
    new Karma(cluster, "karma", { stack, network: appnet, monitoring });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    const config = parse(files.get("stacks/stats/karma.yaml") ?? "");
    expect(config.alertmanager.servers.map((server: { name: string }) => server.name)).toEqual([
      "alertmanager-1",
      "alertmanager-2",
      "alertmanager-3",
    ]);
    expect(config.listen.prefix).toBe("/");
  });
});
