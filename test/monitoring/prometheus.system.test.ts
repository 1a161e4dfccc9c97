import { stacksGenerator } from "../../generators/stacks/index.js";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { parse } from "yaml";
import { Testing } from "../../src/index.js";
import { swarmCluster } from "../helpers/swarm-side.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-prometheus-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function promtoolCheck(name: string, content: string) {
  const file = path.join(work, `${name}.yml`);
  writeFileSync(file, content);
  const run = spawnSync("promtool", ["check", "config", file], { encoding: "utf8" });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface TargetGroup {
  targets: string[];
  labels?: Record<string, string>;
}
interface ScrapeConfig {
  job_name: string;
  static_configs?: TargetGroup[];
}

async function prometheusYml(options: Parameters<typeof swarmCluster>[0] = { dockerHost: true }): Promise<string> {
  const { cluster } = swarmCluster(options);
  const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
  const content = files.get("stacks/stats/prometheus.yml");
  if (content === undefined) throw new Error("stacks/stats/prometheus.yml not generated");
  return content;
}

describe("prometheus generator", () => {
  it("passes promtool check config", async () => {
    const { status, output } = promtoolCheck("valid", await prometheusYml());
    expect(output).toContain("SUCCESS");
    expect(status).toBe(0);
  });

  it("fails promtool on a broken configuration", async () => {
    const broken = (await prometheusYml()).replace("scrape_interval: 15s", "scrape_interval: 15 seconds");
    const { status, output } = promtoolCheck("broken", broken);
    expect(status).not.toBe(0);
    expect(output).toMatch(/FAILED/);
  });

  it("scrapes node-exporter and dockerd at every node's private address, as the model lists the nodes", async () => {
    const content = await prometheusYml();
    expect(content.split("\n")[0]).toBe(`# ${GENERATED_NOTICE}`);
    const config = parse(content) as { global: Record<string, unknown>; scrape_configs: ScrapeConfig[]; rule_files?: unknown };
    expect(config.global).toEqual({ scrape_interval: "15s", evaluation_interval: "15s", external_labels: { cluster: "test" } });
    expect(config.rule_files).toBeUndefined();
    const jobs = new Map(config.scrape_configs.map((job) => [job.job_name, job]));
    expect([...jobs.keys()]).toEqual(["prometheus", "node-exporter", "dockerd", "swarm-tasks"]);
    // node-exporter runs on the host network: no Swarm DNS lookup, which would yield container addresses.
    expect(content).not.toContain("dns_sd_configs");
    const byInstance = (job: string) =>
      Object.fromEntries((jobs.get(job)?.static_configs ?? []).map((group) => [group.labels?.instance, group.targets]));
    expect(byInstance("node-exporter")).toEqual({
      "sw-front-1": ["10.10.1.11:9100"],
      "sw-front-2": ["10.10.1.12:9100"],
      "sw-node-1": ["10.10.1.21:9100"],
      "sw-node-2": ["10.10.1.22:9100"],
      "sw-node-3": ["10.10.1.23:9100"],
    });
    expect(byInstance("dockerd")).toEqual({
      "sw-front-1": ["10.10.1.11:9323"],
      "sw-front-2": ["10.10.1.12:9323"],
      "sw-node-1": ["10.10.1.21:9323"],
      "sw-node-2": ["10.10.1.22:9323"],
      "sw-node-3": ["10.10.1.23:9323"],
    });
    // Both jobs label a node the same way, so their series join on instance.
    const group = (job: string) => jobs.get(job)?.static_configs?.find((g) => g.labels?.instance === "sw-node-1");
    expect(group("node-exporter")?.labels).toEqual({ instance: "sw-node-1", tier: "app", swarm_role: "manager" });
    expect(group("node-exporter")?.labels).toEqual(group("dockerd")?.labels);
  });

  it("follows the model: a third front is scraped by both jobs; no dockerd job without DockerHost metrics", async () => {
    const withThree = parse(await prometheusYml({ fronts: 3, dockerHost: true })) as { scrape_configs: ScrapeConfig[] };
    const targetsOf = (job: string) =>
      withThree.scrape_configs
        .find((config) => config.job_name === job)
        ?.static_configs?.find((group) => group.labels?.instance === "sw-front-3")?.targets;
    expect(targetsOf("dockerd")).toEqual(["10.10.1.13:9323"]);
    expect(targetsOf("node-exporter")).toEqual(["10.10.1.13:9100"]);
    const without = parse(await prometheusYml({ fronts: 3 })) as { scrape_configs: ScrapeConfig[] };
    expect(without.scrape_configs.map((job) => job.job_name)).toEqual(["prometheus", "node-exporter", "swarm-tasks"]);
  });

  it("writes nothing without a Monitoring construct", async () => {
    const cluster = Testing.cluster({ nodes: { app: 1 } });
    const files = await Testing.synth(cluster, { generators: [stacksGenerator] });
    expect([...files.keys()].filter((file) => file.endsWith("prometheus.yml"))).toEqual([]);
  });
});
