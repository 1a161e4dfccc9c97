import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "../helpers/cli.js";

const run = promisify(execFile);
export const LAB = path.join(repoRoot, "scripts/lab/lab.sh");

/** lab.sh's log lines another lab or a test waits for: its folder, and its daemons running (its images built). */
export const LAB_FOLDER_LINE = /^lab: \S+ lab folder (\S+), /m;
export const DAEMONS_RUN_LINE = / dockerd runs on every node$/m;

/**
 * What is left of a lab once it is removed (all empty then): its nodes' namespaces, processes whose command
 * line names its folder, mounts below it, its nodes' cgroups (dockerd's --cgroup-parent, at the top of a cgroup
 * v2 tree or of each v1 hierarchy), and the folder itself.
 */
export function labLeftovers(dir: string) {
  const id = path.basename(dir);
  return {
    namespaces: execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.startsWith(`${id}-`)),
    processes: execFileSync("ps", ["-eo", "args"], { encoding: "utf8" })
      .split("\n")
      .filter((line) => line.includes(dir)),
    mounts: readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .filter((line) => line.includes(`${dir}/`)),
    cgroups: readdirSync("/sys/fs/cgroup", { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => [entry.name, ...readdirSync(path.join("/sys/fs/cgroup", entry.name)).map((name) => `${entry.name}/${name}`)])
      .filter((name) => path.basename(name).startsWith(`${id}-`)),
    folder: existsSync(dir),
  };
}

/** labLeftovers of a lab removed whole. */
export const NOTHING_LEFT = { namespaces: [], processes: [], mounts: [], cgroups: [], folder: false };

/**
 * A lab held by `scripts/lab/lab.sh hold`: it forms the Swarm, prints "READY <dir>", and removes everything
 * when its stdin ends (stop()) — also when this process dies, since the pipe closes with it — or on a signal.
 */
export class Lab {
  private constructor(
    readonly dir: string,
    private readonly child: ChildProcess,
    private readonly exited: Promise<number | null>,
    private readonly stderr: () => string,
  ) {}

  /**
   * Forms a lab from a build's folder (lab.sh hold) and resolves once it is ready. `onLog` sees each line
   * lab.sh logs as it comes (what another lab may wait for, such as its images being built).
   */
  static async start(
    outDir: string,
    env: Record<string, string> = {},
    { timeoutMs = 300_000, onLog }: { timeoutMs?: number; onLog?: (line: string) => void } = {},
  ): Promise<Lab> {
    const child = spawn("bash", [LAB, "hold", outDir], { cwd: repoRoot, stdio: ["pipe", "pipe", "pipe"], env: { ...process.env, ...env } });
    const exited = new Promise<number | null>((resolve) => child.on("close", (code) => resolve(code)));
    let log = "";
    let partial = "";
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      const lines = (partial + text).split("\n");
      partial = lines.pop() ?? "";
      for (const line of lines) onLog?.(line);
    });
    const dir = await new Promise<string>((resolve, reject) => {
      let out = "";
      const timer = setTimeout(() => reject(new Error(`lab not ready after ${timeoutMs} ms:\n${log}`)), timeoutMs);
      child.stdout?.on("data", (chunk: Buffer) => {
        out += chunk.toString();
        const m = /^READY (\S+)$/m.exec(out);
        if (m?.[1]) {
          clearTimeout(timer);
          resolve(m[1]);
        }
      });
      void exited.then((code) => {
        clearTimeout(timer);
        reject(new Error(`lab exited with ${code} before it was ready:\n${log}`));
      });
    });
    return new Lab(dir, child, exited, () => log);
  }

  /** Ends the lab and waits until it has removed everything; returns lab.sh's exit status. */
  async stop(): Promise<number | null> {
    this.child.stdin?.end();
    return this.exited;
  }

  /** The end of what lab.sh wrote on stderr: the message of a teardown that failed. */
  stderrTail(): string {
    return this.stderr().split("\n").slice(-30).join("\n");
  }

  /** Runs the docker CLI against a node's own dockerd. */
  async docker(node: string, ...args: string[]): Promise<string> {
    const { stdout } = await run("docker", ["-H", `unix://${this.dir}/${node}/docker.sock`, ...args], { maxBuffer: 64 << 20 });
    return stdout;
  }

  /** Like docker(), but returns the failure's message instead of throwing. */
  async tryDocker(node: string, ...args: string[]): Promise<{ ok: boolean; output: string }> {
    try {
      return { ok: true, output: await this.docker(node, ...args) };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
    }
  }

  /** Runs a program inside a node's network namespace (as a client on that node would), returning its output. */
  async inNode(node: string, ...command: string[]): Promise<{ ok: boolean; output: string }> {
    const line = readFileSync(path.join(this.dir, "nodes"), "utf8")
      .split("\n")
      .find((l) => l.startsWith(`${node} `));
    const ns = line?.split(" ")[3];
    if (!ns) throw new Error(`no node ${node} in the lab`);
    try {
      const { stdout } = await run("nsenter", [`--net=/run/netns/${ns}`, ...command], { maxBuffer: 16 << 20 });
      return { ok: true, output: stdout };
    } catch (error) {
      const e = error as { stdout?: string; stderr?: string };
      return { ok: false, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
    }
  }

  async cut(node: string): Promise<void> {
    await run("bash", [LAB, "cut", this.dir, node]);
  }

  async heal(node: string): Promise<void> {
    await run("bash", [LAB, "heal", this.dir, node]);
  }
}

/** Polls `check` until it returns undefined (done) or the time is up; then throws its last complaint. */
export async function waitFor(what: string, timeoutMs: number, check: () => Promise<string | undefined>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string | undefined = "not checked";
  while (Date.now() < deadline) {
    try {
      last = await check();
    } catch (error) {
      last = String(error);
    }
    if (last === undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`${what}: not reached after ${timeoutMs / 1000}s: ${last}`);
}
