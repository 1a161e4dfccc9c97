import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { dockerHostGenerator } from "../../generators/docker-host/index.js";
import { CIS_ITEMS } from "../../generators/docker-host/cis/items.js";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ClusterPki, DockerHost, HostFile, OverlayNetwork, Service, Stack, Testing, cisException } from "../../src/index.js";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import { nodeIgnition } from "../../generators/ignition/node-config.js";
import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import { plannedPki } from "../../src/pki/planned.js";

interface ReportItem {
  number: string;
  results: { status: string; note: string; subjects: string[] }[];
}

const generators = [dockerHostGenerator, ignitionGenerator, stacksGenerator];

/** A small valid cluster that meets or excepts every item: three managers, a hardened daemon, one tidy service. */
function tidyCluster() {
  const cluster = Testing.cluster({ nodes: { app: 3, db: 1 } });
  new DockerHost(cluster, "docker");
  const net = new OverlayNetwork(cluster, "appnet", { subnet: "192.168.17.0/24" });
  const stack = new Stack(cluster, "web");
  const app = new Service(stack, "app", {
    image: "nginx:1.27",
    networks: [net],
    memoryLimit: "64M",
    healthcheck: { test: ["CMD", "true"] },
  });
  app.override({ read_only: true });
  return { cluster, app, stack };
}

async function reportOf(cluster: ReturnType<typeof Testing.cluster>) {
  const result = await Testing.synthResult(cluster, { generators });
  const files = new Map(result.files.map((file) => [file.path, file.content]));
  const report = JSON.parse(files.get("analysis/cis-docker.json") ?? "{}") as { items: ReportItem[] };
  return { result, files, items: new Map(report.items.map((item) => [item.number, item])) };
}

const statuses = (item: ReportItem | undefined) => item?.results.map((result) => result.status) ?? [];

describe("CIS Docker Benchmark items", () => {
  it("holds each item once, with a title of its own words and a check, for sections 1, 2, 3, 5 and 7", () => {
    const numbers = CIS_ITEMS.map((item) => item.number);
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(new Set(numbers.map((number) => number.split(".")[0]))).toEqual(new Set(["1", "2", "3", "5", "7"]));
    for (const item of CIS_ITEMS) {
      expect(item.title.startsWith(`${item.number} `)).toBe(true);
      expect(item.checked.length).toBeGreaterThan(10);
      expect(typeof item.check).toBe("function");
    }
    // The benchmark's full runs of these sections: audit 1.1.3–1.1.18, daemon 2.1–2.18, files 3.1–3.24,
    // runtime 5.1–5.32, Swarm 7.1–7.9.
    const expected = [
      ...Array.from({ length: 16 }, (_, index) => `1.1.${index + 3}`),
      ...Array.from({ length: 18 }, (_, index) => `2.${index + 1}`),
      ...Array.from({ length: 24 }, (_, index) => `3.${index + 1}`),
      ...Array.from({ length: 32 }, (_, index) => `5.${index + 1}`),
      ...Array.from({ length: 9 }, (_, index) => `7.${index + 1}`),
    ];
    expect(numbers).toEqual(expect.arrayContaining(expected));
  });

  it("finds nothing failing in the reference cluster's committed report", () => {
    const report = JSON.parse(readFileSync(new URL("../../out/analysis/cis-docker.json", import.meta.url), "utf8")) as {
      items: ReportItem[];
    };
    expect(report.items.map((item) => item.number)).toEqual(CIS_ITEMS.map((item) => item.number));
    const failing = report.items.filter((item) => statuses(item).includes("fail"));
    expect(failing).toEqual([]);
    // Every exception and every item that does not apply says why.
    for (const item of report.items)
      for (const result of item.results) if (result.status !== "pass") expect(result.note.length, item.number).toBeGreaterThan(20);
  });

  it("passes a tidy cluster without warnings, and the daemon's exceptions sit beside daemon.json", async () => {
    const { result, files, items } = await reportOf(tidyCluster().cluster);
    expect(result.problems.filter((problem) => problem.code === "docker-host/cis-item-fails")).toEqual([]);
    expect(statuses(items.get("5.5"))).toEqual(["pass"]);
    expect(statuses(items.get("2.15"))).toEqual(["exception"]);
    const exceptions =
      files.get("nodes/sw-node-1/files/etc/docker/daemon.json.exceptions") ?? files.get("shared/files/etc/docker/daemon.json.exceptions");
    expect(exceptions).toContain("2.15: live-restore stays off");
  });

  it("fails 5.5 for a privileged override, as a warning at the service", async () => {
    const { cluster, app } = tidyCluster();
    app.override({ privileged: true });
    const { result, items } = await reportOf(cluster);
    expect(statuses(items.get("5.5"))).toEqual(["fail"]);
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "docker-host/cis-item-fails",
        construct: "cluster/web/app",
        message: expect.stringContaining("5.5"),
      }),
    );
  });

  it("checks the certificate files before they are issued: a CA bundle left group- and world-readable-writable fails 3.10 as a warning too", async () => {
    const { cluster } = tidyCluster();
    new ClusterPki(cluster, "pki");
    const [node] = cluster.nodes;
    if (!node) throw new Error("no node");
    // A HostFile at a built-in path replaces the built-in file: here with a mode looser than 444.
    new HostFile(node, "loose-ca", { path: HOST_TLS.dockerApi.trustBundle, mode: 0o664, contents: "a CA bundle\n" });
    const { result, items } = await reportOf(cluster);
    expect(items.get("3.10")?.results).toContainEqual(expect.objectContaining({ status: "fail", subjects: ["sw-node-1"] }));
    expect(items.get("3.10")?.results).toContainEqual(
      expect.objectContaining({ status: "pass", subjects: ["sw-node-2", "sw-node-3", "sw-db-1"] }),
    );
    // The validation phase runs before any certificate is resolved; it sees the files the model plans all the same.
    expect(result.problems).toContainEqual(
      expect.objectContaining({
        severity: "warning",
        code: "docker-host/cis-item-fails",
        construct: "cluster/sw-node-1",
        message: expect.stringContaining("3.10"),
      }),
    );
  });

  it("checks, before any certificate exists, the same files with the same modes as the nodes get once they are issued", async () => {
    const { cluster } = tidyCluster();
    new ClusterPki(cluster, "pki");
    const { files } = await reportOf(cluster);
    const layout = (config: IgnitionConfig) => (config.storage?.files ?? []).map((file) => `${file.path} ${file.mode ?? 0o644}`).sort();
    for (const node of cluster.nodes) {
      const built = JSON.parse(files.get(`nodes/${node.hostname}/config.ign`) ?? "{}") as IgnitionConfig;
      const planned = nodeIgnition(cluster, node, plannedPki(cluster)).config;
      expect(layout(planned), node.hostname).toEqual(layout(built));
      // The certificates' files are among them: the report's 3.9–3.12 are checked, not "not applicable".
      expect(layout(planned).some((line) => line.startsWith(HOST_TLS.dockerApi.trustBundle))).toBe(true);
    }
  });

  it("fails the audit items on a node whose rules an override removes", async () => {
    const { cluster } = tidyCluster();
    const [node] = cluster.nodes;
    node?.overrideIgnition({ storage: { files: [] } });
    const { result, items } = await reportOf(cluster);
    const audit = items.get("1.1.3");
    expect(audit?.results).toContainEqual(expect.objectContaining({ status: "fail", subjects: ["sw-node-1"] }));
    expect(audit?.results).toContainEqual(expect.objectContaining({ status: "pass", subjects: ["sw-node-2", "sw-node-3", "sw-db-1"] }));
    expect(result.problems.some((problem) => problem.construct === "cluster/sw-node-1" && problem.message.includes("1.1.3"))).toBe(true);
  });

  it("fails the host-network, memory and Docker-socket items unless the service declares an exception", async () => {
    const { cluster, stack } = tidyCluster();
    const agent = new Service(stack, "agent", {
      image: "agent:1",
      hostNetwork: true,
      volumes: ["/var/run/docker.sock:/var/run/docker.sock"],
    });
    const before = await reportOf(cluster);
    for (const number of ["5.10", "5.11", "5.32"]) expect(statuses(before.items.get(number))).toContain("fail");

    const { cluster: second, stack: secondStack } = tidyCluster();
    const excused = new Service(secondStack, "agent", {
      image: "agent:1",
      hostNetwork: true,
      volumes: ["/var/run/docker.sock:/var/run/docker.sock"],
    });
    cisException(excused, { "5.10": "observes the host", "5.32": "drives the node's Docker" });
    const after = await reportOf(second);
    expect(after.items.get("5.10")?.results).toContainEqual({ status: "exception", note: "observes the host", subjects: ["web/agent"] });
    expect(statuses(after.items.get("5.11"))).toContain("fail");
    expect(after.files.get("stacks/web.yml")).toContain("# 5.32: drives the node's Docker");
    expect(agent.name).toBe("agent");
  });

  it("fails 7.1 with an even number of managers and 7.3 with a clear overlay", async () => {
    const cluster = Testing.cluster({ nodes: { app: 2 } });
    new DockerHost(cluster, "docker");
    new OverlayNetwork(cluster, "clear", { subnet: "192.168.20.0/24", encrypted: false });
    const { items } = await reportOf(cluster);
    expect(statuses(items.get("7.1"))).toEqual(["fail"]);
    expect(statuses(items.get("7.3"))).toEqual(["fail"]);
  });
});
