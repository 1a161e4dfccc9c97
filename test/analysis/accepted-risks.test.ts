// Unit tests (assertions on meaning) of `acceptRisk`: an accepted warning stays in the report as a note with its
// reason, so `build --strict` passes; an error can never be accepted.
import { describe, expect, it } from "vitest";
import { analyseHa } from "../../src/analysis/ha.js";
import { acceptRisk, type Cluster, Node, Service, Stack, Testing } from "../../src/index.js";

function engine(replicas: number, memory: readonly string[]): { cluster: Cluster; service: Service } {
  const cluster = Testing.cluster();
  memory.forEach(
    (size, index) =>
      new Node(cluster, `sw-node-${index + 1}`, { tier: "app", privateIp: `10.10.1.${21 + index}`, swarmRole: "manager", memory: size }),
  );
  const service = new Service(new Stack(cluster, "search"), "engine", {
    image: "example/engine:1",
    replicas,
    placement: { tier: "app" },
    reservations: { memory: "3G" },
  });
  return { cluster, service };
}

const capacity = (cluster: Cluster) => analyseHa(cluster).findings.filter((finding) => finding.code.startsWith("capacity/"));

describe("accepted risks", () => {
  it("turns an accepted warning into a note that gives the reason", () => {
    const { cluster, service } = engine(3, ["4G", "4G", "4G"]);
    expect(capacity(cluster)).toEqual([expect.objectContaining({ severity: "warning", code: "capacity/no-room-after-loss" })]);
    const accepted = engine(3, ["4G", "4G", "4G"]);
    acceptRisk(accepted.service, { "capacity/no-room-after-loss": "a search index rebuilt in minutes" });
    expect(capacity(accepted.cluster)).toEqual([
      expect.objectContaining({
        severity: "info",
        code: "capacity/no-room-after-loss",
        message: expect.stringMatching(/pending until the node is back \(accepted: a search index rebuilt in minutes\)$/),
      }),
    ]);
    expect(service.node.path).toBe(accepted.service.node.path);
  });

  it("never accepts an error", () => {
    const { cluster, service } = engine(3, ["4G", "4G", "2G"]);
    acceptRisk(service, { "capacity/no-room": "we know" });
    expect(capacity(cluster)).toContainEqual(expect.objectContaining({ severity: "error", code: "capacity/no-room" }));
  });

  it("leaves a finding of another code, or on another construct, as it is", () => {
    const { cluster, service } = engine(3, ["4G", "4G", "4G"]);
    acceptRisk(service, { "data/single-replica-state": "not this one" });
    acceptRisk(new Stack(cluster, "other"), { "capacity/no-room-after-loss": "not here" });
    expect(capacity(cluster)).toEqual([expect.objectContaining({ severity: "warning", code: "capacity/no-room-after-loss" })]);
  });
});
