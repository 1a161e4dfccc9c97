/**
 * The lab: a real Docker Swarm in network namespaces on this machine (scripts/lab/lab.sh), formed from a
 * build's generated files, checked against the model. Kind of check: real programs run for real — one real
 * dockerd per node (Debian's docker.io), the generated bootstrap.sh and deploy.sh (networks.sh, labels.sh,
 * secrets.sh, every stack). Services that run their real program (Debian's builds, scripts/lab/adapt.mjs):
 * the front's nginx with ModSecurity and the OWASP CRS, php-fpm (both from the packages their generated
 * Dockerfiles install), Prometheus, Alertmanager and node-exporter, each with its generated configuration,
 * and the Galera members (Debian's MariaDB 10.11 with galera-4) and garbd (galera-arbitrator-4), started by the
 * generated start script with the generated drop-in and accounts script (translated where MariaDB names things
 * otherwise); every other service runs a busybox stand-in under its image's name (ProxySQL among them: Debian
 * does not package it). A request through a front's published port is answered by a php-fpm task on another
 * node; the Galera cluster replicates and transfers state over TLS and keeps a Primary component through each
 * single-node loss, the cut member catching up once healed. A second lab deploys examples/seed-literal.config.ts,
 * whose deploy stops at the stack its report's exhausted overlay cannot hold, and loses its only manager. Every
 * expectation is read from the generated files and analysis/ha-report.json, never typed here. Needs root
 * (network namespaces, dockerd); it never skips.
 */
import { execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dutyGrants, GRANTED_DUTIES } from "../../generators/xtradb/accounts.js";
import { usableAddresses } from "../../src/analysis/overlay-capacity.js";
import { parseCidr } from "../../src/core/ip.js";
import { repoRoot } from "../helpers/cli.js";
import {
  askManager,
  checkFormation,
  checkOverlays,
  checkRequestPath,
  containerOfTask,
  quorumClaim,
  requestPath,
  singleLossTolerated,
  staleContainers,
  swarmNodes,
  tasks,
  waitConverged,
  waitNodeState,
} from "./lab-checks.js";
import { DAEMONS_RUN_LINE, LAB, LAB_FOLDER_LINE, Lab, labLeftovers, NOTHING_LEFT, waitFor } from "./lab-driver.js";
import { containerOf, type GaleraModel, galeraModel, labAdapt, logsSince, rootLogin, sql, waitGalera } from "./lab-galera.js";
import { overlayAddresses, pinnedServices, readModel } from "./lab-model.js";

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
  // tasks yet, and a loaded machine takes a while to place them. And no old task left running beside its
  // replacement: a Galera member's old container still in the group would count in its quorum.
  await waitConverged(lab, model, cut, 180_000);
  await waitFor("no node running a task Swarm replaced", 120_000, async () => {
    const stale = await staleContainers(lab, model, model.firstManager);
    return stale.length ? `still running: ${stale.join(", ")}` : undefined;
  });
}

/**
 * The reference lab, started while the seed-literal lab runs, once the seed lab's images are built: it links
 * in those whose recipe is the same (lab.sh LAB_IMAGES_FROM). The two formations and deploys overlap, which
 * keeps the whole under ten minutes, while the reference's link cuts, which a loaded machine can upset, run
 * once the seed lab is gone.
 */
let referenceLab: Promise<Lab> | undefined;
function startReferenceLab(imagesFrom?: string): Promise<Lab> {
  if (!referenceLab) {
    const env: Record<string, string> = imagesFrom ? { LAB_IMAGES_FROM: imagesFrom } : {};
    referenceLab = Lab.start(path.join(repoRoot, "out"), env, { timeoutMs: 600_000 });
    referenceLab.catch(() => {}); // awaited, and its failure reported, by the reference's beforeAll
  }
  return referenceLab;
}

afterAll(async () => {
  // A reference lab started but never reached (the run was filtered or stopped early) is removed all the same.
  await (await referenceLab?.catch(() => undefined))?.stop();
}, 120_000);

describe("lab: examples/seed-literal.config.ts", () => {
  let model: ReturnType<typeof readModel>;
  let lab: Lab;
  const cut = new Set<string>();

  beforeAll(async () => {
    // lab.sh builds the config into the lab's folder (<lab>/build), which its teardown removes. The deploy is
    // expected to fail (see below): LAB_DEPLOY=try keeps the lab, and a stack gets 45 s, not 300, to converge.
    let labDir = "";
    lab = await Lab.start(
      path.join(repoRoot, "examples/seed-literal.config.ts"),
      { LAB_DEPLOY: "try", LAB_DEPLOY_TIMEOUT: "45" },
      {
        onLog: (line) => {
          labDir = LAB_FOLDER_LINE.exec(line)?.[1] ?? labDir;
          // Its real images are built: the reference lab starts, and borrows them.
          if (DAEMONS_RUN_LINE.test(line)) startReferenceLab(labDir);
        },
      },
    );
    model = readModel(path.join(lab.dir, "build"));
  }, 360_000);
  afterAll(async () => {
    if (lab) expect(await lab.stop(), lab.stderrTail()).toBe(0);
  }, 120_000);

  it("forms the Swarm of the model", async () => {
    await checkFormation(lab, model);
    await checkOverlays(lab, model, encryptionAdapted(lab));
  });

  it("deploys with swarm/deploy.sh until the overlay the report calls exhausted has no address left, and stops at that stack", async () => {
    // The report's claim: the overlay cannot hold the tasks, VIPs and node endpoints of its services.
    const exhausted = model.findings
      .filter((f) => f.code === "capacity/overlay-exhausted")
      .map((f) => model.overlays.find((o) => f.construct.endsWith(`/${o.name}`)));
    expect(exhausted.length).toBeGreaterThan(0);
    // Where the deploy must stop: the first stack, in deploy.sh's order, whose services on an exhausted overlay
    // need more addresses than it has with those of the stacks before (no VIPs where the lab made services dnsrr).
    const vips = !/^endpoint-dnsrr:/m.test(readFileSync(path.join(lab.dir, "adaptations.txt"), "utf8"));
    const overflows = (stacks: readonly string[]) =>
      exhausted.some((overlay) => {
        const cidr = overlay && parseCidr(overlay.subnet);
        if (!overlay || !cidr) throw new Error(`an exhausted overlay the lab cannot read: ${overlay?.name}`);
        const on = model.services.filter((s) => stacks.includes(s.name.slice(0, s.name.indexOf("_"))) && s.networks.includes(overlay.name));
        return overlayAddresses(on, model.nodes, vips) > usableAddresses(cidr);
      });
    const stop = model.deployOrder.findIndex((_, i) => overflows(model.deployOrder.slice(0, i + 1)));
    expect(stop).toBeGreaterThanOrEqual(0);
    const stopStack = model.deployOrder[stop] ?? "";
    const log = readFileSync(path.join(lab.dir, "deploy.log"), "utf8");
    expect(readFileSync(path.join(lab.dir, "deploy.status"), "utf8").trim(), log).not.toBe("0");
    // deploy.sh reached the stacks up to that one, each one before it converged...
    const reached = [...log.matchAll(/^\d+\. (\S+): deploy stacks\//gm)].map(([, stack]) => stack);
    expect(reached, log).toEqual(model.deployOrder.slice(0, stop + 1));
    expect(log.match(/^ {3}converged: /gm)?.length ?? 0, log).toBeGreaterThanOrEqual(stop);
    // ...and stopped at it: a service of it on the exhausted overlay did not converge, its tasks refused for lack
    // of an address (Docker's words), and the stacks after it were never deployed.
    const failed = [...log.matchAll(/^error: service (\S+) did not converge within /gm)].map(([, service]) => service);
    expect(failed.length, log).toBeGreaterThan(0);
    for (const name of failed) {
      const service = model.services.find((s) => s.name === name);
      expect(service?.name.startsWith(`${stopStack}_`), log).toBe(true);
      expect(
        exhausted.some((overlay) => service?.networks.includes(overlay?.name ?? "")),
        name,
      ).toBe(true);
    }
    expect(log).toMatch(new RegExp(`^ +a task of (${failed.join("|")}) failed: .*ip addresses may be exhausted`, "m"));
    const deployed = (await lab.docker(model.firstManager, "stack", "ls", "--format", "{{.Name}}")).split("\n").filter(Boolean);
    expect(deployed.sort()).toEqual(model.deployOrder.slice(0, stop + 1).sort());
  });

  it("losing sw-node-1, its only manager, leaves the Swarm without a manager, as the report says", async () => {
    const { members, tolerates } = quorumClaim(model);
    expect(tolerates).toBe(0);
    expect(askManager(model, cut)).toBe(members[0]);
    await checkQuorum(lab, model, cut);
  }, 200_000);
});

describe("lab: the reference cluster (out/)", () => {
  const outDir = path.join(repoRoot, "out");
  const model = readModel(outDir);
  let lab: Lab;
  let g: GaleraModel;
  const cut = new Set<string>();

  beforeAll(async () => {
    lab = await startReferenceLab();
    g = await galeraModel(model, lab.dir);
  }, 600_000);
  afterAll(async () => {
    if (lab) expect(await lab.stop(), lab.stderrTail()).toBe(0);
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
      const container = await containerOfTask(lab, task);
      expect(container, `${service.name} container on ${task.node}`).not.toBe("");
      for (const config of service.configs) {
        // Or the lab's translated copy, for a Galera member's drop-in and accounts script (pxc-cnf, pxc-accounts).
        const adapted = path.join(lab.dir, "galera", config.source);
        expect(await lab.docker(task.node, "exec", container, "cat", config.target), `${service.name} ${config.target}`).toBe(
          existsSync(adapted) ? readFileSync(adapted, "utf8") : config.content,
        );
      }
      for (const secret of service.secrets) {
        const file = model.secretFiles.get(secret.secret);
        // The lab's value (swarm-cluster secrets', the Galera test CA's, or a test value).
        expect(await lab.docker(task.node, "exec", container, "cat", secret.target), `${service.name} ${secret.target}`).toBe(
          readFileSync(path.join(lab.dir, "project/secrets/docker", file ?? ""), "utf8"),
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
        const container = await containerOfTask(lab, task);
        // The task's main process is the real program (an entry script execs it), read in the container's mount
        // namespace by this (root) process: a server that dropped root's privileges (mariadbd, as mysql) is no
        // longer dumpable, and a process inside the container may not read its /proc/1/exe.
        const pid = (await lab.docker(task.node, "inspect", "--format", "{{.State.Pid}}", container)).trim();
        const exe = execFileSync("nsenter", ["-t", pid, "-m", "readlink", "/proc/1/exe"], { encoding: "utf8" }).trim();
        expect(exe, `${service.name} on ${task.node}`).toBe(program);
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

  it("runs a real Galera cluster: every member Synced in one Primary component with garbd, replicating and transferring state over TLS, with the generated accounts", async () => {
    expect(g.members.length).toBeGreaterThan(0);
    // The voters the report counts are the members' and arbitrators' nodes.
    expect([...g.voters].sort()).toEqual([...g.members, ...g.arbitrators].map((s) => g.nodeOf.get(s.name)).sort());
    // The lab's copies of the drop-in and the accounts script are the generated ones translated, and the
    // translation of the grants is the project's own MariaDB flavour of them.
    const adapt = await labAdapt();
    for (const config of g.members[0]?.configs ?? []) {
      const copy = path.join(lab.dir, "galera", config.source);
      if (config.target.endsWith(".cnf")) expect(readFileSync(copy, "utf8")).toBe(adapt.mariadbCnf(config.content));
      if (config.target.startsWith("/docker-entrypoint-initdb.d/")) {
        expect(readFileSync(copy, "utf8")).toBe(adapt.mariadbAccounts(config.content));
        for (const duty of GRANTED_DUTIES) {
          const grants = (flavour: "mysql8" | "mariadb") =>
            dutyGrants(duty, flavour)
              .map((grant) => `GRANT ${grant} TO 'x'@'y';`)
              .join("\n");
          expect(adapt.mariadbAccounts(grants("mysql8")), duty).toBe(grants("mariadb"));
        }
      }
    }
    // Every member Synced, in a Primary component of every voter (members and garbd), as the report counts them.
    await waitGalera(lab, model, g, cut, 60_000);
    const running = await tasks(lab, askManager(model, cut), model);
    const first = await containerOf(lab, model, cut, g.members[0]?.name ?? "", running);
    if (!first) throw new Error("no running first member");
    // Replication and IST over TLS (Galera's socket) with the generated secrets' files.
    const options = (await sql(lab, first, g.healthcheckFile, "SHOW GLOBAL VARIABLES LIKE 'wsrep_provider_options'"))
      .split(";")
      .map((o) => o.trim());
    expect(options).toContain("socket.ssl = YES");
    expect(options).toContain(`socket.ssl_ca = ${g.tls.ca}`);
    expect(options).toContain(`socket.ssl_cert = ${g.tls.cert}`);
    expect(options).toContain(`socket.ssl_key = ${g.tls.key}`);
    // The generated accounts exist, on every member (created on the first, copied to the others).
    const root = await rootLogin(lab, g, first);
    const users = (await sql(lab, first, root, "SELECT CONCAT(user, '@', host) FROM mysql.user")).split("\n");
    expect(g.accounts.length).toBeGreaterThan(0);
    for (const account of g.accounts) expect(users, `${account.user}@${account.host}`).toContain(`${account.user}@${account.host}`);
    // A row written on one member is read on every other.
    await sql(
      lab,
      first,
      root,
      "CREATE DATABASE IF NOT EXISTS lab_check; CREATE TABLE IF NOT EXISTS lab_check.rows_seen (id VARCHAR(64) PRIMARY KEY)",
    );
    await sql(lab, first, root, "INSERT INTO lab_check.rows_seen VALUES ('deploy')");
    for (const member of g.members.slice(1)) {
      const where = await containerOf(lab, model, cut, member.name, running);
      if (!where) throw new Error(`${member.name}: no running task`);
      // It received its copy at deploy by a state transfer (SST, mariabackup over socat) encrypted with the
      // generated secrets' certificate and key, its peer's chain verified against their CA ([sst] encrypt=3,
      // ssl-mode=VERIFY_CA): Debian's wsrep_sst_mariabackup logs both, in the member's whole log.
      const log = await logsSince(lab, where);
      expect(log, `${member.name}'s state transfer`).toMatch(/Verifying peer certificate chain for ssl-mode=VERIFY_CA/);
      expect(log, `${member.name}'s state transfer`).toContain(`cert='${g.tls.cert}', key='${g.tls.key}'`);
      const login = await rootLogin(lab, g, where);
      expect((await sql(lab, where, login, "SELECT id FROM lab_check.rows_seen WHERE id = 'deploy'")).trim(), member.name).toBe("deploy");
      expect((await sql(lab, where, login, "SELECT CONCAT(user, '@', host) FROM mysql.user")).split("\n")).toEqual(
        expect.arrayContaining(g.accounts.map((a) => `${a.user}@${a.host}`)),
      );
    }
  }, 120_000);

  it("answers a request to each front's published port with PHP output from a php-fpm task on another node, through nginx", async () => {
    await checkRequestPath(lab, model, cut);
  }, 180_000);

  it("answers the lab page's query from php-fpm, sent to ProxySQL's service name (a forwarding stand-in, not ProxySQL), from the Galera writer proxysql.cnf names", async () => {
    // ProxySQL is a stand-in (Debian does not package it): it forwards its port to the first server of the
    // writer hostgroup of the generated proxysql.cnf (adaptation proxysql-forward).
    const proxysql = model.services.find((s) => s.configs.some((c) => c.target === "/etc/proxysql.cnf"));
    if (!proxysql) throw new Error("no ProxySQL service");
    expect(readFileSync(path.join(lab.dir, "real-images.txt"), "utf8")).not.toContain(proxysql.image);
    const cnf = proxysql.configs.find((c) => c.target === "/etc/proxysql.cnf")?.content ?? "";
    const writers = /^\s*writer_hostgroup=(\d+)/m.exec(cnf)?.[1];
    const writer = [...cnf.matchAll(/\{ address="([^"]+)", port=\d+, hostgroup=(\d+)/g)].find(([, , group]) => group === writers)?.[1];
    const stack = proxysql.name.slice(0, proxysql.name.indexOf("_"));
    const server = await containerOf(lab, model, cut, `${stack}_${writer}`);
    if (!server) throw new Error(`no running task of ${stack}_${writer}`);
    const { front, site } = requestPath(model);
    const task = (await tasks(lab, askManager(model, cut), model)).find((t) => t.service === front && t.running);
    if (!task) throw new Error(`no running ${front} task`);
    const ip = model.nodes.find((n) => n.host === task.node)?.ip ?? "";
    await waitFor(`https://${site}/?db through the front on ${task.node}`, 60_000, async () => {
      const answer = await lab.inNode(
        task.node,
        "curl",
        "-sk",
        "--max-time",
        "10",
        "--resolve",
        `${site}:443:${ip}`,
        `https://${site}/?db=1`,
        "-w",
        "\n%{http_code}",
      );
      // The member's @@hostname is its container's (short) id.
      return /^lab-page php-fpm=\w+ php=\S+\nlab-db server=(\w+)\s+200$/.exec(answer.output.trim())?.[1] === server.id
        ? undefined
        : `answer: ${answer.output.slice(0, 400)}, expected lab-db server=${server.id}`;
    });
  }, 90_000);

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
    // The report says the Galera group keeps its majority after losing any one voter.
    expect(g.tolerates).toBeGreaterThanOrEqual(1);
    for (const node of [...workers, ...members.slice(1).reverse()]) {
      const cutAt = new Date().toISOString();
      await lab.cut(node);
      cut.add(node);
      await waitNodeState(lab, model, cut, node, "down");
      await checkSingleLoss(node);
      const voter = g.voters.includes(node);
      if (voter) {
        // The members left stay Primary (with garbd, or with the other member) and take a write.
        await waitGalera(lab, model, g, cut, 90_000);
        const writer = g.members.find((m) => !cut.has(g.nodeOf.get(m.name) ?? ""));
        const where = writer && (await containerOf(lab, model, cut, writer.name));
        if (!where) throw new Error(`no member running while ${node} is cut`);
        await sql(lab, where, await rootLogin(lab, g, where), `INSERT INTO lab_check.rows_seen VALUES ('while ${node} was cut')`);
      }
      await healAll(lab, model, cut);
      if (voter) {
        // Healed: every member Synced again in the whole group, the cut one with the write it missed (IST).
        await waitGalera(lab, model, g, cut, 180_000);
        const running = await tasks(lab, askManager(model, cut), model);
        for (const member of g.members) {
          const where = await containerOf(lab, model, cut, member.name, running);
          if (!where) throw new Error(`${member.name}: no running task`);
          const rows = await sql(
            lab,
            where,
            await rootLogin(lab, g, where),
            `SELECT id FROM lab_check.rows_seen WHERE id = 'while ${node} was cut'`,
          );
          expect(rows.trim(), `${member.name} after ${node} healed`).toBe(`while ${node} was cut`);
          // The cut member caught up by an incremental transfer (IST) from the others' write-set cache.
          if (g.nodeOf.get(member.name) === node) expect(await logsSince(lab, where, cutAt), member.name).toMatch(/IST received/);
        }
      }
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
    expect(await lab.stop(), lab.stderrTail()).toBe(0);
    lab = undefined as unknown as Lab;
    expect(labLeftovers(dir)).toEqual(NOTHING_LEFT);
  }, 120_000);
});

describe("lab: interrupted (Ctrl-C) while it forms", () => {
  it("removes every namespace, daemon, mount, cgroup and file it made, and exits 130", async () => {
    // Ctrl-C reaches the terminal's whole process group: lab.sh in a group of its own, sent SIGINT as a group,
    // once its daemons run (the seed-literal config, built into the lab's folder; no deploy, so no images).
    const child = spawn("bash", [LAB, "hold", path.join(repoRoot, "examples/seed-literal.config.ts")], {
      cwd: repoRoot,
      detached: true,
      stdio: ["pipe", "ignore", "pipe"],
      env: { ...process.env, LAB_DEPLOY: "0" },
    });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    let log = "";
    const daemonsRun = new Promise<void>((resolve, reject) => {
      child.stderr?.on("data", (chunk: Buffer) => {
        log += chunk.toString();
        if (DAEMONS_RUN_LINE.test(log)) resolve();
      });
      void exited.then(() => reject(new Error(`lab.sh ended before its daemons ran:\n${log}`)));
    });
    await daemonsRun;
    const dir = LAB_FOLDER_LINE.exec(log)?.[1] ?? "";
    expect(path.basename(dir)).toMatch(/^scl-/);
    // What there is to remove: the nodes' namespaces and daemons, and the folder (the build among it).
    const before = labLeftovers(dir);
    expect(before.namespaces.length).toBeGreaterThan(0);
    expect(before.processes.some((line) => line.startsWith("dockerd "))).toBe(true);
    expect(existsSync(path.join(dir, "build/swarm/bootstrap.sh"))).toBe(true);
    process.kill(-(child.pid ?? 0), "SIGINT");
    expect(await exited, log).toBe(130);
    expect(labLeftovers(dir)).toEqual(NOTHING_LEFT);
  }, 180_000);
});
