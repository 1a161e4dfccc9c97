import { spawn, spawnSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repoRoot } from "../helpers/cli.js";
import { stackSchemaErrors } from "../helpers/validators.js";

// What runs here: deploy.sh as the build wrote it (out/ for the reference cluster, snapshots/seed-literal/ for the
// seed taken literally), for real, under bash, against a fake `docker` on PATH (deploy-fake-docker.sh, no daemon);
// shellcheck, a real validator, on it; and `docker stack config` (the real docker CLI, which needs no daemon) on the
// members' own stack files. The expected order is read from the model (the config loaded through the package, as
// the CLI does), never typed here.

const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-deploy-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The package as the CLI runs it (dist/), so its classes are those the config's `swarm-cluster` import gets. */
// biome-ignore lint/suspicious/noExplicitAny: the bundle is imported untyped, as a config sees it.
type Api = Record<string, any>;

interface Model {
  readonly api: Api;
  // biome-ignore lint/suspicious/noExplicitAny: a Cluster of the bundle.
  readonly cluster: any;
  /** Stack names in the order the model gives (stackDeployOrder). */
  readonly order: string[];
  /** [stack, stack it comes after] pairs the model declares. */
  readonly dependencies: Array<[string, string]>;
  /** Each Galera cluster's members: docker service name, node hostname. */
  readonly galera: Array<Array<{ service: string; host: string; stack: string }>>;
  /** The request path's stacks: database members', ProxySQL's, the application's, the front's. */
  readonly chain: { database: string; proxy: string; app: string; front: string };
}

const CASES = [
  { name: "reference", config: "cluster.config.ts", out: "out" },
  { name: "seed-literal", config: "examples/seed-literal.config.ts", out: "snapshots/seed-literal" },
] as const;

// biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
const stackOf = (service: any): string => service.node.scope.name;

async function loadModel(config: string): Promise<Model & { deployScript: string }> {
  const api: Api = await import("swarm-cluster");
  const module = await import(path.join(repoRoot, config));
  const cluster = typeof module.default === "function" ? module.default() : module.default;
  // Synthesis prepares the tree (constructs that complete themselves add their services then).
  const files: Map<string, string> = await api.Testing.synth(cluster, { generators: [api.swarmGenerator] });
  const all = cluster.node.findAll();
  // biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
  const galera = all.filter((construct: any) => construct instanceof api.XtraDbCluster);
  // biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
  const proxy = all.find((construct: any) => construct instanceof api.ProxySql);
  // biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
  const front = all.find((construct: any) => construct instanceof api.FrontProxy);
  return {
    api,
    cluster,
    deployScript: files.get("swarm/deploy.sh") ?? "",
    // biome-ignore lint/suspicious/noExplicitAny: stacks of the bundle.
    order: api.stackDeployOrder(cluster).map((stack: any) => stack.name),
    // biome-ignore lint/suspicious/noExplicitAny: dependencies of the bundle.
    dependencies: api.stackDependencies(cluster).map((dependency: any) => [dependency.stack.name, dependency.after.name]),
    // biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
    galera: galera.map((cluster: any) =>
      // biome-ignore lint/suspicious/noExplicitAny: constructs of the bundle.
      cluster.members.map((member: any, index: number) => ({
        service: member.dockerName,
        host: cluster.dataNodes[index].hostname,
        stack: stackOf(member),
      })),
    ),
    chain: {
      database: stackOf(galera[0].members[0]),
      proxy: stackOf(proxy.service),
      app: stackOf(front.publicEntry.app),
      front: stackOf(front.publicEntry.front),
    },
  };
}

interface Project {
  readonly dir: string;
  readonly script: string;
  readonly state: string;
  run(args: readonly string[], env?: NodeJS.ProcessEnv): Promise<{ status: number | null; stdout: string; stderr: string }>;
  calls(): string[];
  events(): string[][];
  reset(): void;
  knob(file: "stuck" | "unplaced" | "never-synced" | "rolled-back", names: readonly string[]): void;
}

/** out/'s swarm/ and stacks/ in a project folder of their own, the secrets files secrets.sh reads, a fake docker. */
function project(name: string, out: string): Project {
  const dir = path.join(work, name);
  const state = path.join(dir, "state");
  const bin = path.join(dir, "bin");
  for (const folder of ["swarm", "stacks"]) cpSync(path.join(repoRoot, out, folder), path.join(dir, "out", folder), { recursive: true });
  mkdirSync(bin, { recursive: true });
  copyFileSync(path.join(repoRoot, "test/swarm/deploy-fake-docker.sh"), path.join(bin, "docker"));
  chmodSync(path.join(bin, "docker"), 0o755);
  // A stand-in ssh: records the call, then runs the remote command under bash with the fake docker, which then
  // names the node it ran on.
  writeFileSync(
    path.join(bin, "fake-ssh"),
    [
      "#!/usr/bin/env bash",
      `echo "$*" >> ${state}/ssh-calls`,
      'while [ "${1:-}" = -o ]; do shift 2; done',
      'target="$1"',
      "shift",
      'DOCKER_HOST="ssh-node:$target" exec bash -c "$*"',
      "",
    ].join("\n"),
  );
  chmodSync(path.join(bin, "fake-ssh"), 0o755);
  const secrets = readFileSync(path.join(dir, "out/swarm/secrets.sh"), "utf8").matchAll(/^ensure_secret \S+ (\S+)$/gm);
  mkdirSync(path.join(dir, "secrets/docker"), { recursive: true });
  for (const [, file] of secrets) writeFileSync(path.join(dir, "secrets/docker", file as string), "not a real value\n");
  const script = path.join(dir, "out/swarm/deploy.sh");
  const lines = (file: string) => {
    try {
      return readFileSync(path.join(state, file), "utf8").split("\n").filter(Boolean);
    } catch {
      return [];
    }
  };
  const reset = () => {
    rmSync(state, { recursive: true, force: true });
    mkdirSync(state, { recursive: true });
    for (const file of ["calls", "events", "networks", "secrets", "services", "ssh-calls"]) writeFileSync(path.join(state, file), "");
  };
  reset();
  return {
    dir,
    script,
    state,
    // Asynchronous, so the test worker keeps answering vitest while the script runs.
    run: (args, env = {}) =>
      new Promise((resolve, reject) => {
        const child = spawn("bash", [script, ...args], {
          // From out/, as out/README.md's commands run: secrets.sh still finds the project's secrets/docker/.
          cwd: path.join(dir, "out"),
          env: {
            ...process.env,
            PATH: `${bin}:${process.env.PATH ?? ""}`,
            FAKE_STATE: state,
            DOCKER_HOST: "unix:///run/lab/manager.sock",
            DEPLOY_NODE_DOCKER_HOST: "unix:///run/lab/{hostname}.sock",
            DEPLOY_POLL: "0",
            ...env,
          },
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => {
          stdout += chunk;
        });
        child.stderr.on("data", (chunk) => {
          stderr += chunk;
        });
        const timer = setTimeout(() => child.kill("SIGKILL"), 120_000);
        child.on("error", reject);
        child.on("close", (status) => {
          clearTimeout(timer);
          resolve({ status, stdout, stderr });
        });
      }),
    calls: () => lines("calls"),
    events: () => lines("events").map((line) => line.split("\t")),
    reset,
    knob: (file, names) => writeFileSync(path.join(state, file), names.map((entry) => `${entry}\n`).join("")),
  };
}

/** The stacks whose whole stack file was deployed, in order (a member's own file is not its stack's deploy). */
function stackDeploys(events: string[][]): string[] {
  const stacks: string[] = [];
  for (const [kind, , file] of events) {
    if (kind !== "deploy" || !file || !/\/out\/stacks\/[^/]+\.yml$/.test(file)) continue;
    const stack = path.basename(file, ".yml");
    if (stacks.at(-1) !== stack) stacks.push(stack);
  }
  return stacks;
}

describe.each(CASES)("deploy.sh of $name", ({ name, config, out }) => {
  const loaded = loadModel(config);
  const fixture = project(name, out);

  it("is the build's, and passes shellcheck", async () => {
    const model = await loaded;
    const script = readFileSync(fixture.script, "utf8");
    expect(script).toBe(model.deployScript);
    const run = spawnSync("shellcheck", ["--shell=bash", fixture.script], { encoding: "utf8" });
    expect(`${run.stdout}${run.stderr}`).toBe("");
    expect(run.status).toBe(0);
    // And shellcheck is listening: the same script with one quote dropped is refused.
    const broken = path.join(work, `${name}-broken.sh`);
    writeFileSync(broken, script.replace('-c "$out/$file" "$stack"', '-c $out/$file "$stack"'));
    const refused = spawnSync("shellcheck", ["--shell=bash", broken], { encoding: "utf8" });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout).toMatch(/SC2086/);
  });

  it("orders the stacks as the model's calls say: database, ProxySQL, php-fpm, front", async () => {
    const { order, dependencies, chain } = await loaded;
    expect([...order].sort()).toEqual([...(await loaded).cluster.stacks.map((stack: { name: string }) => stack.name)].sort());
    for (const [stack, after] of dependencies) expect(order.indexOf(stack)).toBeGreaterThan(order.indexOf(after));
    expect(order.indexOf(chain.database)).toBeLessThanOrEqual(order.indexOf(chain.proxy));
    expect(order.indexOf(chain.proxy)).toBeLessThan(order.indexOf(chain.app));
    expect(order.indexOf(chain.app)).toBeLessThan(order.indexOf(chain.front));
  });

  it("prints its plan with --dry-run and calls nothing", async () => {
    const { order, galera } = await loaded;
    fixture.reset();
    const run = await fixture.run(["--dry-run"]);
    expect(run.status, run.stderr).toBe(0);
    expect(fixture.calls()).toEqual([]);
    const deploys = [...run.stdout.matchAll(/would run: docker stack deploy -c \S+\/out\/(\S+) (\S+)/g)].map(([, file, stack]) => [
      file,
      stack,
    ]);
    expect(deploys.filter(([file]) => file?.startsWith("stacks/")).map(([, stack]) => stack)).toEqual(order);
    const members = galera.flat();
    expect(deploys.filter(([file]) => file?.startsWith("swarm/rolling/")).map(([file]) => file)).toEqual(
      members.map((member) => `swarm/rolling/${member.stack}/${member.service.slice(member.stack.length + 1)}.yml`),
    );
    expect(run.stdout.indexOf("networks.sh")).toBeLessThan(run.stdout.indexOf("labels.sh"));
    expect(run.stdout.indexOf("secrets.sh")).toBeLessThan(run.stdout.indexOf("docker stack deploy"));
    expect(run.stdout).toContain("Dry run: nothing was changed.");
  });

  it("deploys in the model's order, rolling the Galera members one at a time, each Synced before the next", async () => {
    const { order, galera } = await loaded;
    fixture.reset();
    const run = await fixture.run([]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const calls = fixture.calls();
    // networks.sh, labels.sh and secrets.sh ran, before any stack.
    // The fake's `docker stack deploy --help` lists --detach (Docker 26 and later): it is passed, so the CLI does not warn.
    const firstDeploy = calls.findIndex((call) => call.includes("\tstack deploy --detach=true -c "));
    for (const pattern of [/\tnetwork create /, /\tnode update /, /\tsecret create /]) {
      const index = calls.findIndex((call) => pattern.test(call));
      expect(index, String(pattern)).toBeGreaterThanOrEqual(0);
      expect(index).toBeLessThan(firstDeploy);
    }
    const events = fixture.events();
    expect(stackDeploys(events)).toEqual(order);

    for (const members of galera) {
      const stack = members[0]?.stack ?? "";
      const stackDeploy = events.findIndex(([kind, , file]) => kind === "deploy" && file?.endsWith(`/out/stacks/${stack}.yml`));
      let previous = -1;
      for (const member of members) {
        // Deployed alone, from its own file holding only it ...
        const own = events.findIndex(
          ([kind, service, file]) => kind === "deploy" && service === member.service && file?.includes("/rolling/"),
        );
        expect(own).toBeGreaterThan(previous);
        const file = events[own]?.[2] ?? "";
        expect(events.filter(([kind, , other]) => kind === "deploy" && other === file)).toHaveLength(1);
        // ... then asked until Synced, on its own node, before anything else of the stack is deployed.
        const reads = events
          .map((event, index) => ({ event, index }))
          .filter(({ event }) => event[0] === "status" && event[1] === member.service);
        expect(reads.map(({ event }) => event[2])).toEqual(["Joined", "Synced"]);
        for (const { event, index } of reads) {
          expect(event[3]).toBe(`unix:///run/lab/${member.host}.sock`);
          expect(index).toBeGreaterThan(own);
        }
        const synced = reads.at(-1)?.index ?? -1;
        const next = events.findIndex((event, index) => index > own && event[0] === "deploy");
        expect(synced).toBeLessThan(next);
        expect(next).toBeLessThanOrEqual(stackDeploy);
        previous = synced;
      }
      // The status is read with the health check's tool and account.
      expect(
        calls
          .filter((call) => call.includes("\texec "))
          .every((call) => /--defaults-extra-file=\/run\/secrets\/\S+healthcheck extended-status$/.test(call)),
      ).toBe(true);
    }
    expect(run.stdout).toContain("Deployed: every stack converged.");
  });

  it("changes nothing on a second run", async () => {
    // The state of the first run is kept: networks, secrets and services exist.
    const creates = () => fixture.calls().filter((call) => /\t(network create|secret create|secret rm|network rm|service rm) /.test(call));
    const before = creates().length;
    expect(before).toBeGreaterThan(0);
    const deploys = fixture.calls().length;
    const run = await fixture.run(["--resolve-image", "never", "--with-registry-auth"]);
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    expect(creates()).toHaveLength(before);
    // docker stack deploy's own options reach every deploy.
    const again = fixture
      .calls()
      .slice(deploys)
      .filter((call) => /\tstack deploy .*-c /.test(call));
    expect(again.length).toBeGreaterThan(0);
    for (const call of again) expect(call).toMatch(/\tstack deploy --detach=true --resolve-image never --with-registry-auth -c /);
  });

  it("fails naming the service that does not converge", async () => {
    const { order, cluster } = await loaded;
    fixture.reset();
    // The last stack's first service never runs its replicas.
    const last = cluster.stacks.find((stack: { name: string }) => stack.name === order.at(-1));
    const stuck: string = last.services[0].dockerName;
    fixture.knob("stuck", [stuck]);
    const run = await fixture.run(["--timeout", "0"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: service ${stuck} did not converge within 0s: (0/2)`);
    // With the reason Swarm gave for its tasks, once though two of them failed with it.
    expect(run.stderr.split(`a task of ${stuck} failed: "no suitable node`)).toHaveLength(2);
    expect(run.stdout).not.toContain("Deployed:");
  });

  it("names the states of a service's tasks that do not converge with no error (not placed yet)", async () => {
    const { order, cluster } = await loaded;
    fixture.reset();
    const last = cluster.stacks.find((stack: { name: string }) => stack.name === order.at(-1));
    const unplaced: string = last.services[0].dockerName;
    fixture.knob("unplaced", [unplaced]);
    const run = await fixture.run(["--timeout", "0"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: service ${unplaced} did not converge within 0s: (0/2)`);
    expect(run.stderr).toContain(`       tasks of ${unplaced}: 2 New\n`);
    expect(run.stderr).not.toContain("failed:");
  });

  it("fails naming the service whose update Swarm rolled back", async () => {
    const { order, cluster } = await loaded;
    fixture.reset();
    const first = cluster.stacks.find((stack: { name: string }) => stack.name === order[1]);
    const service: string = first.services[0].dockerName;
    fixture.knob("rolled-back", [service]);
    const run = await fixture.run([]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`error: service ${service} did not converge: Swarm rollback completed its update`);
  });

  it("stops the roll at a member that does not become Synced, before touching the next", async () => {
    const { galera } = await loaded;
    const [first, second] = galera[0] ?? [];
    fixture.reset();
    fixture.knob("never-synced", [first?.service ?? ""]);
    const run = await fixture.run(["--sync-timeout", "0"]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      `error: Galera member ${first?.service} on ${first?.host} is not Synced after 0s (wsrep_local_state_comment: Joined)`,
    );
    expect(fixture.events().filter(([kind, service]) => kind === "deploy" && service === second?.service)).toEqual([]);
  });

  it("reads a member's status over SSH when no node DOCKER_HOST is given", async () => {
    const { galera, cluster } = await loaded;
    fixture.reset();
    const run = await fixture.run([], {
      DEPLOY_NODE_DOCKER_HOST: "",
      SWARM_SSH: `${path.join(fixture.dir, "bin/fake-ssh")} -o ConnectTimeout=5`,
    });
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    const ipOf = (host: string) => cluster.nodes.find((node: { hostname: string }) => node.hostname === host).privateIp;
    for (const member of galera.flat()) {
      const reads = fixture.events().filter(([kind, service]) => kind === "status" && service === member.service);
      expect(reads.length).toBeGreaterThan(0);
      for (const read of reads) expect(read[3]).toBe(`ssh-node:core@${ipOf(member.host)}`);
    }
    const ssh = readFileSync(path.join(fixture.state, "ssh-calls"), "utf8").split("\n").filter(Boolean);
    for (const call of ssh) expect(call).toMatch(/^-o ConnectTimeout=5 -o BatchMode=yes core@10\.10\.1\.\d+ docker /);
  });

  it("refuses a daemon that is not a Swarm manager, before changing anything", async () => {
    fixture.reset();
    const run = await fixture.run([], { FAKE_CONTROL: "false" });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("is not a Swarm manager");
    expect(fixture.calls().filter((call) => !call.includes("\tinfo "))).toEqual([]);
  });

  it("gives each member's own stack file the spec its stack file gives it", async () => {
    const { galera } = await loaded;
    for (const member of galera.flat()) {
      const own = path.join(fixture.dir, "out/swarm/rolling", member.stack, `${member.service.slice(member.stack.length + 1)}.yml`);
      const text = readFileSync(own, "utf8");
      expect(stackSchemaErrors(text)).toBeUndefined();
      // docker stack config resolves each config file to an absolute path: both files name the same ones.
      const rendered = (file: string) => {
        const run = spawnSync("docker", ["stack", "config", "-c", file], { encoding: "utf8" });
        expect(run.status, run.stderr).toBe(0);
        return parse(run.stdout);
      };
      const alone = rendered(own);
      const whole = rendered(path.join(fixture.dir, "out/stacks", `${member.stack}.yml`));
      const key = member.service.slice(member.stack.length + 1);
      expect(Object.keys(alone.services)).toEqual([key]);
      expect(alone.services[key]).toEqual(whole.services[key]);
      for (const section of ["configs", "secrets", "networks", "volumes"]) {
        for (const [entry, value] of Object.entries(alone[section] ?? {}))
          expect(value, `${section}.${entry}`).toEqual(whole[section][entry]);
      }
    }
  });
});
