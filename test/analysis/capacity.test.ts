// Unit tests (assertions on meaning) of the failure simulation's reservations: tasks that reserve memory or
// CPUs move after a loss only to survivors with room, as Swarm's scheduler places them.
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { analyseFailures } from "../../src/analysis/failures.js";
import { analyseHa } from "../../src/analysis/ha.js";
import { describeStops } from "../../src/analysis/outcome-text.js";
import { type Cluster, Node, Service, Stack, Testing } from "../../src/index.js";
import { validateModel } from "../../src/validate/index.js";

/** Three app nodes of `memory` each (in declaration order), a stack, and one service reserving memory. */
function reserving(options: { memory: readonly string[]; replicas: number; reserve: string; cpus?: number; nodeCpus?: number }): Cluster {
  const cluster = Testing.cluster({ nodes: { app: 0 } });
  options.memory.forEach(
    (memory, index) =>
      new Node(cluster, `sw-node-${index + 1}`, {
        tier: "app",
        privateIp: `10.10.1.${21 + index}`,
        swarmRole: "manager",
        memory,
        ...(options.nodeCpus === undefined ? {} : { cpus: options.nodeCpus }),
      }),
  );
  new Service(new Stack(cluster, "search"), "engine", {
    image: "example/engine:1",
    replicas: options.replicas,
    placement: { tier: "app" },
    reservations: { memory: options.reserve, ...(options.cpus === undefined ? {} : { cpus: options.cpus }) },
  });
  return cluster;
}

const codes = (cluster: Cluster) => analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("capacity/"));

describe("reservations in the failure simulation", () => {
  it("moves a lost node's task to a survivor with room: nothing to report", () => {
    const cluster = reserving({ memory: ["4G", "4G", "4G"], replicas: 2, reserve: "3G" });
    const analysis = analyseFailures(cluster);
    expect(analysis.singles.every((outcome) => outcome.shortOfRoom.length === 0)).toBe(true);
    expect(codes(cluster)).toEqual([]);
  });

  it("warns, naming every node whose loss leaves a task without room", () => {
    // Three tasks of 3G on three 4G nodes: any loss leaves one task with no node of 3G free.
    const cluster = reserving({ memory: ["4G", "4G", "4G"], replicas: 3, reserve: "3G" });
    const analysis = analyseFailures(cluster);
    for (const outcome of analysis.singles) expect(outcome.shortOfRoom).toEqual([{ service: 0, missing: 1, running: 2 }]);
    expect(codes(cluster)).toEqual([
      expect.objectContaining({
        severity: "warning",
        code: "capacity/no-room-after-loss",
        construct: "cluster/search/engine",
        message: expect.stringContaining("losing sw-node-1, sw-node-2 or sw-node-3 leaves tasks of engine (3G memory reserved each)"),
      }),
    ]);
  });

  it("counts CPUs as Swarm does: a node with memory to spare but no CPU takes no task", () => {
    const cluster = reserving({ memory: ["16G", "16G", "16G"], replicas: 3, reserve: "1G", cpus: 1.5, nodeCpus: 2 });
    expect(codes(cluster).map((finding) => finding.code)).toEqual(["capacity/no-room-after-loss"]);
  });

  it("stops a service whose only task finds no room elsewhere, until its node is back", () => {
    const cluster = reserving({ memory: ["4G", "2G", "2G"], replicas: 1, reserve: "3G" });
    const analysis = analyseFailures(cluster);
    const [first, second] = analysis.singles;
    expect(first?.servicesDown).toEqual([0]);
    expect(describeStops(analysis.model, first as NonNullable<typeof first>)).toEqual([
      "engine stops until one of sw-node-1, sw-node-2 or sw-node-3 is back",
    ]);
    expect(second?.servicesDown).toEqual([]);
  });

  it("reports tasks that fit on no node with every node up as an error, with the unreserved memory of each node", () => {
    const cluster = reserving({ memory: ["4G", "4G", "2G"], replicas: 3, reserve: "3G" });
    const [error] = codes(cluster).filter((finding) => finding.severity === "error");
    expect(error).toMatchObject({ code: "capacity/no-room", construct: "cluster/search/engine" });
    expect(error?.message).toContain("1 of its 3 task(s) find no node with room");
    expect(error?.message).toContain("sw-node-1 1G memory, sw-node-2 1G memory and sw-node-3 2G memory");
  });

  it("takes a node that declares no memory as having room for anything", () => {
    const cluster = reserving({ memory: ["4G", "4G", "4G"], replicas: 3, reserve: "3G" });
    new Node(cluster, "sw-node-4", { tier: "app", privateIp: "10.10.1.24" });
    expect(codes(cluster)).toEqual([]);
  });

  it("writes the reservations into the stack file, CPUs as the string Compose reads", async () => {
    const cluster = reserving({ memory: ["4G", "4G", "4G"], replicas: 2, reserve: "1G", cpus: 0.5 });
    const files = await Testing.synth(cluster);
    const stack = parse(files.get("stacks/search.yml") ?? "");
    expect(stack.services.engine.deploy.resources).toEqual({ reservations: { cpus: "0.5", memory: "1G" } });
  });

  it("refuses a reservation of no CPUs with the field named", () => {
    const cluster = reserving({ memory: ["4G", "4G", "4G"], replicas: 2, reserve: "1G", cpus: -1 });
    expect(validateModel(cluster)).toContainEqual(
      expect.objectContaining({ severity: "error", construct: "cluster/search/engine", field: "reservations.cpus" }),
    );
  });
});
