import { execFile } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/cli.js";
import { askManager, containerOfTask, type Task, taskHistory, tasks } from "./lab-checks.js";
import { type Lab, waitFor } from "./lab-driver.js";
import { type LabModel, listedNodes, type ModelService, pinnedServices } from "./lab-model.js";

/**
 * The Galera group of the model, read from the generated files: its members (the services started with the
 * server, `mysqld`) and arbitrators (`garbd`), the node each is pinned to (the report's pinned-service
 * findings), the voting nodes and how many may be lost (the report's galera/quorum finding), the account
 * file the members' health check logs in with, the TLS files of the generated drop-in, and the accounts the
 * generated accounts script creates.
 */
export interface GaleraModel {
  readonly members: readonly ModelService[];
  readonly arbitrators: readonly ModelService[];
  readonly nodeOf: ReadonlyMap<string, string>;
  readonly voters: readonly string[];
  readonly tolerates: number;
  readonly healthcheckFile: string;
  readonly tls: { readonly ca: string; readonly cert: string; readonly key: string };
  readonly accounts: ReadonlyArray<{ readonly user: string; readonly host: string }>;
  /** The lab file holding root's password (the secret the accounts script sets it from). */
  readonly rootPasswordFile: string;
}

/** What the test reads of scripts/lab/adapt.mjs (plain JavaScript, run by lab.sh with node). */
export interface LabAdapt {
  mariadbCnf(text: string): string;
  mariadbAccounts(text: string): string;
  galeraTlsFiles(cnf: string): { ca?: string; cert?: string; key?: string };
}

export async function labAdapt(): Promise<LabAdapt> {
  return (await import(path.join(repoRoot, "scripts/lab/adapt.mjs"))) as LabAdapt;
}

export async function galeraModel(model: LabModel, labDir: string): Promise<GaleraModel> {
  const members = model.services.filter((s) => s.command[0] === "mysqld" || s.command[0] === "mariadbd");
  const arbitrators = model.services.filter((s) => s.command[0] === "garbd");
  const nodeOf = new Map(pinnedServices(model.findings).map((p) => [p.service, p.node]));
  const finding = model.findings.find((f) => f.code === "galera/quorum");
  if (!finding || finding.tolerates === undefined) throw new Error("ha-report.json has no galera/quorum finding with `tolerates`");
  const first = members[0];
  if (!first) throw new Error("no service runs a Galera member (command mysqld)");
  const healthcheckFile = /--defaults-extra-file=(\S+)/.exec((first.healthcheck ?? []).join(" "))?.[1];
  if (!healthcheckFile) throw new Error(`${first.name}'s health check names no --defaults-extra-file`);
  const { ca, cert, key } = (await labAdapt()).galeraTlsFiles(first.configs.find((c) => /\.cnf$/.test(c.target))?.content ?? "");
  if (!ca || !cert || !key) throw new Error("the members' drop-in does not set ssl-ca, ssl-cert and ssl-key");
  const accountsScript = members.flatMap((m) => m.configs).find((c) => c.target.startsWith("/docker-entrypoint-initdb.d/"))?.content ?? "";
  const accounts = [...accountsScript.matchAll(/^CREATE USER IF NOT EXISTS '([^']+)'@'([^']+)'/gm)].map(([, user = "", host = ""]) => ({
    user,
    host,
  }));
  const rootTarget = /root_password=\$\(swarm_cluster_password "\$secrets_dir\/(\S+)" password\)/.exec(accountsScript)?.[1];
  const rootSecret = members.flatMap((m) => m.secrets).find((s) => s.target === `/run/secrets/${rootTarget}`)?.secret;
  const rootFile = rootSecret ? model.secretFiles.get(rootSecret) : undefined;
  if (!rootFile) throw new Error("no member mounts the secret the accounts script reads root's password from");
  return {
    members,
    arbitrators,
    nodeOf,
    voters: listedNodes(finding.message, model.nodes),
    tolerates: finding.tolerates,
    healthcheckFile,
    tls: { ca, cert, key },
    accounts,
    rootPasswordFile: path.join(labDir, "project/secrets/docker", rootFile),
  };
}

/**
 * The running container of a service's task on a node that is not cut, with its node; among `running` when
 * given (the tasks listed once for several services), else among the tasks a manager lists now.
 */
export async function containerOf(
  lab: Lab,
  model: LabModel,
  cut: ReadonlySet<string>,
  service: string,
  running?: readonly Task[],
): Promise<{ node: string; id: string } | undefined> {
  const all = running ?? (await tasks(lab, askManager(model, cut), model));
  const task = all.find((t) => t.service === service && t.running && !cut.has(t.node));
  if (!task) return undefined;
  const id = await containerOfTask(lab, task);
  return id ? { node: task.node, id } : undefined;
}

/** Runs SQL in a member's container with the real client, logged in with an option file; tab-separated rows. */
export async function sql(lab: Lab, where: { node: string; id: string }, optionFile: string, statement: string): Promise<string> {
  return lab.docker(where.node, "exec", where.id, "mysql", `--defaults-extra-file=${optionFile}`, "-N", "-B", "-e", statement);
}

/** Per Galera model: root's option file on this machine, and the containers it was copied into. */
const rootLogins = new WeakMap<GaleraModel, { local: string; copiedTo: Set<string> }>();
const ROOT_LOGIN_IN_CONTAINER = "/tmp/lab-root.cnf";

/**
 * Root's option file in the container (docker cp: the password on no command line), written here once per
 * Galera model and copied once per container.
 */
export async function rootLogin(lab: Lab, g: GaleraModel, where: { node: string; id: string }): Promise<string> {
  let login = rootLogins.get(g);
  if (!login) {
    const local = path.join(lab.dir, "lab-root.cnf");
    writeFileSync(local, `[client]\nuser=root\npassword=${readFileSync(g.rootPasswordFile, "utf8").trim()}\n`, { mode: 0o600 });
    login = { local, copiedTo: new Set() };
    rootLogins.set(g, login);
  }
  if (!login.copiedTo.has(where.id)) {
    await lab.docker(where.node, "cp", login.local, `${where.id}:${ROOT_LOGIN_IN_CONTAINER}`);
    login.copiedTo.add(where.id);
  }
  return ROOT_LOGIN_IN_CONTAINER;
}

/** A member's wsrep status variables, read with the health check's own account. */
export async function wsrepStatus(lab: Lab, g: GaleraModel, where: { node: string; id: string }): Promise<Map<string, string>> {
  const rows = await sql(lab, where, g.healthcheckFile, "SHOW GLOBAL STATUS LIKE 'wsrep_%'");
  return new Map(
    rows
      .split("\n")
      .filter(Boolean)
      .map((row) => row.split("\t") as [string, string]),
  );
}

/**
 * Every member on a node that is not cut is Synced in a Primary component counting the voters that are not
 * cut. Undefined when so; else what differs.
 */
export async function galeraProblems(lab: Lab, model: LabModel, g: GaleraModel, cut: ReadonlySet<string>): Promise<string | undefined> {
  const expected = g.voters.filter((v) => !cut.has(v)).length;
  const problems: string[] = [];
  const running = await tasks(lab, askManager(model, cut), model);
  for (const member of g.members) {
    if (cut.has(g.nodeOf.get(member.name) ?? "")) continue;
    const where = await containerOf(lab, model, cut, member.name, running);
    if (!where) {
      problems.push(`${member.name}: no running task`);
      continue;
    }
    const status = await wsrepStatus(lab, g, where).catch((error: unknown) => new Map([["error", String(error)]]));
    const seen = `${status.get("wsrep_local_state_comment")} ${status.get("wsrep_cluster_status")} ${status.get("wsrep_cluster_size")}`;
    if (seen !== `Synced Primary ${expected}`)
      problems.push(`${member.name}: ${seen}${status.get("error") ?? ""}, expected Synced Primary ${expected}`);
  }
  return problems.length ? problems.join("; ") : undefined;
}

export async function waitGalera(lab: Lab, model: LabModel, g: GaleraModel, cut: ReadonlySet<string>, timeoutMs: number): Promise<void> {
  try {
    await waitFor(`every Galera member Synced in a Primary component of the voters but ${[...cut].join(", ") || "none"}`, timeoutMs, () =>
      galeraProblems(lab, model, g, cut),
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${await galeraEvidence(lab, model, g, cut)}`);
  }
}

/** What a Galera wait that failed leaves to read: each member's recent tasks and the end of its running one's log. */
async function galeraEvidence(lab: Lab, model: LabModel, g: GaleraModel, cut: ReadonlySet<string>): Promise<string> {
  const lines: string[] = [];
  const manager = askManager(model, cut);
  for (const member of g.members) {
    try {
      lines.push(`--- ${member.name}`, await taskHistory(lab, manager, member.name, 6));
      // The member's latest container whatever its state: one that keeps restarting is never "running".
      const node = g.nodeOf.get(member.name);
      const id =
        node && !cut.has(node)
          ? (await lab.docker(node, "ps", "-a", "--latest", "-q", "--filter", `label=com.docker.swarm.service.name=${member.name}`)).trim()
          : "";
      if (node && id) {
        const log = (await logsSince(lab, { node, id })).split("\n");
        // Its group's history (components, quorum, members), which a tail of retries would hide, then the tail.
        const group = log.filter((line) => /New COMPONENT|Quorum results|view\(|own_index|members|Non-primary|Primary|Shifting/.test(line));
        lines.push(...group.slice(-40), "...", ...log.slice(-15));
      }
    } catch (error) {
      lines.push(`(${member.name}: ${String(error)})`);
    }
  }
  return lines.join("\n");
}

/** A container's log, whole or since a moment (mariadbd writes it on stderr), both streams. */
export async function logsSince(lab: Lab, where: { node: string; id: string }, since?: string): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(
    "docker",
    ["-H", `unix://${lab.dir}/${where.node}/docker.sock`, "logs", ...(since ? ["--since", since] : []), where.id],
    { maxBuffer: 64 << 20 },
  );
  return `${stdout}${stderr}`;
}
