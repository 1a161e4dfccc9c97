import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { syntheticCluster } from "../bench/synthetic-cluster.js";
import { Testing } from "../src/index.js";
import { GENERATORS } from "../src/synth/registry.js";
import { writeStateFiles } from "../src/synth/write-out.js";

const project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-order-"));
afterAll(() => rmSync(project, { recursive: true, force: true }));

// No generator reads another's files (a StackConfig or HostFile carries its content), so the order they run
// in means nothing: the same cluster gives the same out/ whichever order the registry lists them in.
describe("generators", () => {
  it("give the same files in any order", async () => {
    // One project folder: the first build issues the certificates and keeps them, the second reuses them.
    const first = await Testing.synthResult(syntheticCluster(8), { projectDir: project, generators: GENERATORS });
    writeStateFiles(first.stateWrites);
    const forward = new Map(first.files.map((file) => [file.path, file.content]));
    const backward = await Testing.synth(syntheticCluster(8), { projectDir: project, generators: [...GENERATORS].reverse() });
    expect(GENERATORS.length).toBeGreaterThan(5);
    expect(forward.size).toBeGreaterThan(50);
    expect([...backward]).toEqual([...forward]);
  });
});
