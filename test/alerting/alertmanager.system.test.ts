import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopAndWait } from "../helpers/child-exit.js";
import { runTool } from "../helpers/validators.js";
import { alertedCluster, synthStacks } from "./alerting.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-alertmanager-"));
const configFile = path.join(work, "alertmanager.yml");
let config = "";
let startScript = "";

beforeAll(async () => {
  const files = await synthStacks(alertedCluster().cluster);
  config = files.get("stacks/stats/alertmanager.yml") ?? "";
  startScript = files.get("stacks/stats/alertmanager-start.sh") ?? "";
  writeFileSync(configFile, config);
});
afterAll(() => rmSync(work, { recursive: true, force: true, maxRetries: 5 }));

const routes = (...labels: string[]) => runTool("amtool", ["config", "routes", "test", `--config.file=${configFile}`, ...labels]);

describe("alertmanager.yml", () => {
  it("passes amtool check-config", () => {
    const run = runTool("amtool", ["check-config", configFile]);
    expect(run.output).toContain("SUCCESS");
    expect(run.status, run.output).toBe(0);
  });

  it("fails amtool check-config when a route names a receiver that does not exist (the check can fail)", () => {
    const broken = path.join(work, "broken.yml");
    writeFileSync(broken, config.replace("receiver: slack-critical", "receiver: slack-nowhere"));
    expect(runTool("amtool", ["check-config", broken]).status).not.toBe(0);
  });

  it("reads the Slack webhook from the secret's file, never a URL in the file", () => {
    expect(config).toContain("slack_api_url_file: /run/secrets/alertmanager_slack_webhook");
    expect(config).not.toMatch(/hooks\.slack\.com|api_url:/);
  });

  it.each([
    ["critical", "slack-critical"],
    ["warning", "slack-warning"],
    ["info", "slack-info"],
  ])("routes severity=%s to %s", (severity, receiver) => {
    const run = routes(`--verify.receivers=${receiver}`, "alertname=NodeDown", `severity=${severity}`, "cluster=test");
    // amtool prints the receivers on stdout, then warns on stderr that --config.file wins over the URL.
    expect(run.output.split("\n")[0]).toBe(receiver);
    expect(run.status, run.output).toBe(0);
  });

  it("routes an alert without a severity to the warning receiver, and a wrong expectation fails", () => {
    expect(routes("--verify.receivers=slack-warning", "alertname=Something").status).toBe(0);
    expect(routes("--verify.receivers=slack-critical", "alertname=Something", "severity=warning").status).not.toBe(0);
  });

  it("routes an alert that NodeDown inhibits like any other: inhibition mutes it after routing", () => {
    const run = routes("--verify.receivers=slack-warning", "alertname=ScrapeTargetDown", "instance=sw-node-2", "severity=warning");
    expect(run.status, run.output).toBe(0);
  });
});

describe("alertmanager-start.sh", () => {
  it("passes shellcheck", () => {
    const file = path.join(work, "start.sh");
    writeFileSync(file, startScript);
    const run = runTool("shellcheck", [file]);
    expect(run.output).toBe("");
    expect(run.status).toBe(0);
  });

  it("advertises the address the kernel routes the overlay from, and passes the flags through", () => {
    // The overlay's probe address swapped for loopback, whose route this host has; /bin/alertmanager for a stub.
    expect(startScript).toContain("ip -o route get 192.168.17.1 ");
    const stub = path.join(work, "alertmanager-stub");
    writeFileSync(stub, '#!/bin/sh\nprintf "%s\\n" "$@"\n', { mode: 0o755 });
    const script = path.join(work, "start-loopback.sh");
    writeFileSync(
      script,
      startScript.replace("ip -o route get 192.168.17.1 ", "ip -o route get 127.0.0.1 ").replace("/bin/alertmanager", stub),
    );
    const run = runTool("sh", [script, "--config.file=/etc/alertmanager/alertmanager.yml", "--cluster.peer=tasks.alertmanager-2:9094"]);
    expect(run.status, run.output).toBe(0);
    expect(run.output.trim().split("\n")).toEqual([
      "--config.file=/etc/alertmanager/alertmanager.yml",
      "--cluster.peer=tasks.alertmanager-2:9094",
      "--cluster.advertise-address=127.0.0.1:9094",
    ]);
  });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

interface ApiAlert {
  labels: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

/**
 * amtool has no command that evaluates inhibit_rules, so the generated configuration runs in the real
 * Alertmanager (Debian's, on loopback, without peers and with the webhook file pointed at a local file): alerts
 * are posted to its API and it says which are suppressed, and by what.
 */
describe("inhibition in a running Alertmanager", () => {
  let alertmanager: ChildProcess | undefined;
  let url = "";

  beforeAll(async () => {
    const webhook = path.join(work, "slack-webhook");
    writeFileSync(webhook, "http://127.0.0.1:9/slack\n");
    const local = path.join(work, "inhibit.yml");
    writeFileSync(local, config.replace("/run/secrets/alertmanager_slack_webhook", webhook));
    const storage = path.join(work, "data");
    mkdirSync(storage);
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    alertmanager = spawn(
      "prometheus-alertmanager",
      [`--config.file=${local}`, `--storage.path=${storage}`, `--web.listen-address=127.0.0.1:${port}`, "--cluster.listen-address="],
      { stdio: "ignore" },
    );
    for (let attempt = 0; attempt < 100; attempt++) {
      const ready = await fetch(`${url}/-/ready`).then(
        (response) => response.ok,
        () => false,
      );
      if (ready) return;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error("Alertmanager did not become ready");
  });
  // It writes its storage under work/ until it has exited: the file's cleanup waits for it.
  afterAll(() => stopAndWait(alertmanager));

  it("a node down mutes its targets (by instance) and its tasks (by node), not other nodes' nor another cluster's", async () => {
    const alert = (labels: Record<string, string>) => ({ labels: { cluster: "test", ...labels } });
    const posted = await fetch(`${url}/api/v2/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify([
        alert({ alertname: "NodeDown", job: "node-exporter", instance: "sw-node-2", node: "sw-node-2", severity: "critical" }),
        alert({ alertname: "ScrapeTargetDown", job: "dockerd", instance: "sw-node-2", severity: "warning" }),
        alert({ alertname: "ScrapeTargetDown", job: "alertmanager", instance: "alertmanager-1", node: "sw-node-2", severity: "warning" }),
        alert({ alertname: "ScrapeTargetDown", job: "dockerd", instance: "sw-node-3", severity: "warning" }),
        { labels: { cluster: "other", alertname: "ScrapeTargetDown", job: "dockerd", instance: "sw-node-2", severity: "warning" } },
      ]),
    });
    expect(posted.status).toBe(200);
    const alerts = (await (await fetch(`${url}/api/v2/alerts`)).json()) as ApiAlert[];
    const state = (labels: Record<string, string>) =>
      alerts.find((candidate) => Object.entries(labels).every(([key, value]) => candidate.labels[key] === value))?.status.state;
    expect(alerts).toHaveLength(5);
    expect(state({ alertname: "NodeDown" })).toBe("active");
    expect(state({ cluster: "test", job: "dockerd", instance: "sw-node-2" })).toBe("suppressed");
    expect(state({ job: "alertmanager", node: "sw-node-2" })).toBe("suppressed");
    expect(state({ job: "dockerd", instance: "sw-node-3" })).toBe("active");
    expect(state({ cluster: "other" })).toBe("active");
    const muted = alerts.find((candidate) => candidate.labels.job === "alertmanager");
    const nodeDown = alerts.find((candidate) => candidate.labels.alertname === "NodeDown") as unknown as { fingerprint: string };
    expect(muted?.status.inhibitedBy).toEqual([nodeDown.fingerprint]);
  });
});
