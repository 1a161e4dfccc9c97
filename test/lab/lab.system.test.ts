/**
 * The lab: a real Docker Swarm in network namespaces on this machine (scripts/lab/lab.sh), formed from a
 * build's generated files, checked against the model. Kind of check: real programs run for real — one real
 * dockerd per node (Debian's docker.io), the generated bootstrap.sh and deploy.sh (networks.sh, labels.sh,
 * secrets.sh, every stack). Services that run their real program (Debian's builds, scripts/lab/adapt.mjs):
 * the front's nginx with ModSecurity and the OWASP CRS, php-fpm (both from the packages their generated
 * Dockerfiles install), Prometheus, Alertmanager and node-exporter, each with its generated configuration;
 * every other service runs a busybox stand-in under its image's name. A request through a front's published
 * port is answered by a php-fpm task on another node. Every expectation is read from the generated files
 * and out/analysis/ha-report.json, never typed here. Needs root (network namespaces, dockerd); it never skips.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";
import {
  askManager,
  checkFormation,
  checkOverlays,
  checkRequestPath,
  quorumClaim,
  requestPath,
  singleLossTolerated,
  swarmNodes,
  tasks,
  waitConverged,
  waitNodeState,
} from "./lab-checks.js";
import { Lab, waitFor } from "./lab-driver.js";
import { pinnedServices, readModel } from "./lab-model.js";

/** Whether the lab adapted overlays to unencrypted ones (scripts/lab/adapt.mjs lists its adaptations). */
const encryptionAdapted = (lab: Lab): boolean => /^overlay-unencrypted:/m.test(readFileSync(path.join(lab.dir, "adaptations.txt"), "utf8"));

/** Manager quorum from the report: cut its members one by one; a leader stays while no more than it tolerates are cut. */
async function checkQuorum(
  lab: Lab,
  model: ReturnType<typeof readModel>,
  cut: Set<string>,
  afterTolerated: (victim: string) => Promise<void> = async () => {},
): Promise<void> {
  const { members, tolerates } = quorumClaim(model);
  expect([...members].sort()).toEqual(
    model.nodes
      .filter((n) => n.role === "manager")
      .map((n) => n.host)
      .sort(),
  );
  for (let lost = 1; lost <= tolerates + 1; lost++) {
    const victim = members[lost - 1];
    if (!victim) throw new Error(`the report lists ${members.length} managers and tolerates ${tolerates} lost`);
    await lab.cut(victim);
    cut.add(victim);
    const remaining = members.filter((m) => !cut.has(m));
    if (lost <= tolerates) {
      // A leader among the managers still reachable, and the lost one shown Down.
      await waitFor(`a leader after losing ${[...cut].join(", ")}`, 90_000, async () => {
        const nodes = await swarmNodes(lab, remaining[0] ?? model.firstManager);
        const leader = nodes.find((n) => n.leader);
        if (!leader || cut.has(leader.host)) return `leader: ${leader?.host}`;
        return nodes.find((n) => n.host === victim)?.state === "down" ? undefined : `${victim} not down yet`;
      });
      await afterTolerated(victim);
    } else {
      // No node left up can manage the Swarm: the remaining members lost their majority, workers never could.
      await waitFor(`no manager after losing ${[...cut].join(", ")}`, 90_000, async () => {
        for (const node of model.nodes.filter((n) => !cut.has(n.host))) {
          const answer = await lab.tryDocker(node.host, "node", "ls");
          if (answer.ok) return `${node.host} still manages the Swarm`;
        }
        return undefined;
      });
    }
  }
}

async function healAll(lab: Lab, model: ReturnType<typeof readModel>, cut: Set<string>): Promise<void> {
  for (const node of [...cut]) await lab.heal(node);
  cut.clear();
  await waitFor("every node Ready with a leader", 120_000, async () => {
    const nodes = await swarmNodes(lab, model.firstManager);
    const notReady = nodes.filter((n) => n.state !== "ready").map((n) => n.host);
    if (notReady.length) return `not ready: ${notReady.join(", ")}`;
    return nodes.some((n) => n.leader) ? undefined : "no leader";
  });
  // Every task back where the model puts it before the next cut: a node shown Ready may not have its global
  // tasks yet, and a loaded machine takes a while to place them.
  await waitConverged(lab, model, cut, 180_000);
}

describe("lab: the reference cluster (out/)", () => {
  const outDir = path.join(repoRoot, "out");
  const model = readModel(outDir);
  let lab: Lab;
  const cut = new Set<string>();

  beforeAll(async () => {
    lab = await Lab.start(outDir);
  }, 360_000);
  afterAll(async () => {
    if (lab) expect(await lab.stop()).toBe(0);
  }, 120_000);

  it("forms the Swarm of the model: every node with its hostname, role and labels", async () => {
    await checkFormation(lab, model);
  });

  it("creates the model's overlays with their subnet and MTU", async () => {
    await checkOverlays(lab, model, encryptionAdapted(lab));
  });

  it("converges every service to its tasks, each on a node its constraints allow", async () => {
    await waitConverged(lab, model, cut, 240_000);
  }, 260_000);

  it("mounts every config and secret where the model says", async () => {
    const running = (await tasks(lab, model.firstManager, model)).filter((t) => t.running);
    for (const service of model.services) {
      if (service.configs.length + service.secrets.length === 0) continue;
      const task = running.find((t) => t.service === service.name);
      expect(task, service.name).toBeDefined();
      if (!task) continue;
      const container = (await lab.docker(task.node, "ps", "-q", "--filter", `label=com.docker.swarm.task.id=${task.id}`)).trim();
      expect(container, `${service.name} container on ${task.node}`).not.toBe("");
      for (const config of service.configs) {
        expect(await lab.docker(task.node, "exec", container, "cat", config.target), `${service.name} ${config.target}`).toBe(
          config.content,
        );
      }
      for (const secret of service.secrets) {
        const file = model.secretFiles.get(secret.secret);
        // The lab's test value.
        expect(await lab.docker(task.node, "exec", container, "cat", secret.target), `${service.name} ${secret.target}`).toBe(
          readFileSync(path.join(lab.dir, "secrets", file ?? ""), "utf8"),
        );
      }
    }
  }, 180_000);

  it("runs the real program where the lab builds one, answering the stack's own health check", async () => {
    const real = readFileSync(path.join(lab.dir, "real-images.txt"), "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => line.split(" "));
    const services = model.services.filter((s) => real.some(([image]) => image === s.image));
    expect(services.length).toBeGreaterThan(0);
    const running = (await tasks(lab, model.firstManager, model)).filter((t) => t.running);
    for (const service of services) {
      const recipe = real.find(([image]) => image === service.image)?.[1];
      const program = readFileSync(path.join(lab.dir, `real-${recipe}.entrypoint`), "utf8").trim();
      const mine = running.filter((t) => t.service === service.name);
      expect(mine.length, service.name).toBeGreaterThan(0);
      for (const task of mine) {
        const container = (await lab.docker(task.node, "ps", "-q", "--filter", `label=com.docker.swarm.task.id=${task.id}`)).trim();
        // The task's main process is the real program (an entry script execs it).
        expect((await lab.docker(task.node, "exec", container, "readlink", "/proc/1/exe")).trim(), `${service.name} on ${task.node}`).toBe(
          program,
        );
        if (!service.healthcheck) continue;
        const [kind, ...test] = service.healthcheck;
        expect(kind, `${service.name}'s health check`).toMatch(/^CMD(-SHELL)?$/);
        const command = kind === "CMD-SHELL" ? ["sh", "-c", test.join(" ")] : test;
        const answer = await lab.tryDocker(task.node, "exec", container, ...command);
        expect(answer.ok, `${service.name} on ${task.node}: ${command.join(" ")}: ${answer.output}`).toBe(true);
      }
    }
    // The request path's programs are among them: nginx with ModSecurity and the CRS, and php-fpm.
    const { front, upstream } = requestPath(model);
    expect(services.map((s) => s.name)).toEqual(
      expect.arrayContaining([front, services.find((s) => s.name.endsWith(`_${upstream}`))?.name ?? upstream]),
    );
  }, 120_000);

  it("answers a request to each front's published port with PHP output from a php-fpm task on another node, through nginx", async () => {
    await checkRequestPath(lab, model, cut);
  }, 180_000);

  /**
   * A single node lost: the report's services pinned there stop, every other service runs as the model says
   * without it (replicated ones rescheduled onto eligible nodes), and the request path works as long as the
   * report says any one node can be lost.
   */
  async function checkSingleLoss(node: string): Promise<void> {
    const after = await waitConverged(lab, model, cut, 180_000);
    for (const { service } of pinnedServices(model.findings).filter((p) => p.node === node)) {
      const up = after.filter((t) => t.service === service && t.running && !cut.has(t.node));
      expect(up, `${service} while ${node} is down`).toEqual([]);
    }
    if (singleLossTolerated(model)) await checkRequestPath(lab, model, cut);
  }

  it("each node lost alone but sw-node-1 (its link cut, then restored): the pinned services the report names stop, the others run as the model says, the request path answers", async () => {
    // Every worker, then the managers the quorum check below does not cut first (it loses the first, then a second).
    const { members } = quorumClaim(model);
    const workers = model.nodes.filter((n) => n.role === "worker").map((n) => n.host);
    expect(singleLossTolerated(model)).toBe(true);
    for (const node of [...workers, ...members.slice(1).reverse()]) {
      await lab.cut(node);
      cut.add(node);
      await waitNodeState(lab, model, cut, node, "down");
      await checkSingleLoss(node);
      await healAll(lab, model, cut);
    }
  }, 600_000);

  it("losing a manager keeps a leader and stops only its pinned services; one more than the report tolerates loses the leader", async () => {
    // Not healed: a manager that comes back after its peers elected a leader without it holds elections up
    // for a while, so this runs last and the lab ends with it.
    await checkQuorum(lab, model, cut, checkSingleLoss);
    expect(cut.size).toBe(quorumClaim(model).tolerates + 1);
  }, 400_000);

  it("cleans up: no namespace, daemon or file of the lab is left", async () => {
    const dir = lab.dir;
    expect(await lab.stop()).toBe(0);
    lab = undefined as unknown as Lab;
    const { execFileSync } = await import("node:child_process");
    expect(execFileSync("ip", ["netns", "list"], { encoding: "utf8" })).not.toContain(path.basename(dir));
    expect(() => execFileSync("ls", [dir])).toThrow();
    expect(execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })).not.toContain(dir);
  }, 120_000);
});

describe("lab: examples/seed-literal.config.ts", () => {
  let outDir: string;
  let model: ReturnType<typeof readModel>;
  let lab: Lab;
  const cut = new Set<string>();

  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-lab-seed-"));
    const build = runCli(["build", "-c", path.join(repoRoot, "examples/seed-literal.config.ts"), "-o", outDir, "--quiet"]);
    expect(build.status, build.stderr).toBe(0);
    model = readModel(outDir);
    lab = await Lab.start(outDir, { LAB_DEPLOY: "0" });
  }, 360_000);
  afterAll(async () => {
    if (lab) expect(await lab.stop()).toBe(0);
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  }, 120_000);

  it("forms the Swarm of the model", async () => {
    await checkFormation(lab, model);
    await checkOverlays(lab, model, encryptionAdapted(lab));
  });

  it("losing sw-node-1, its only manager, leaves the Swarm without a manager, as the report says", async () => {
    const { members, tolerates } = quorumClaim(model);
    expect(tolerates).toBe(0);
    expect(askManager(model, cut)).toBe(members[0]);
    await checkQuorum(lab, model, cut);
  }, 200_000);
});
