import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./helpers/cli.js";
import { copyProjectAsClone } from "./helpers/project.js";

// The conventions operators bring from git, Butane and cdk8s, checked on the compiled CLI as a process,
// on a copy of the project as a fresh clone has it.
let project: string;
const config = (): string => path.join(project, "cluster.config.ts");
const out = (): string => path.join(project, "out");
const badFixture = path.join(repoRoot, "test/fixtures/bad/port-collision.config.ts");
/** The seed taken literally: it builds, with availability errors and warnings. */
const seedLiteral = (): string => path.join(project, "examples/seed-literal.config.ts");

beforeAll(() => {
  project = copyProjectAsClone();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function withEditedConfig(edit: (text: string) => string, run: () => void): void {
  const original = readFileSync(config(), "utf8");
  writeFileSync(config(), edit(original));
  try {
    run();
  } finally {
    writeFileSync(config(), original);
  }
}
// A change to the php stack alone: the environment php-fpm's service is started with.
const phpEnvironment = (text: string): string => {
  const edited = text.replace("WORDPRESS_DB_NAME: database.name,", 'WORDPRESS_DB_NAME: "wordpress_next",');
  if (edited === text) throw new Error("cluster.config.ts no longer sets WORDPRESS_DB_NAME: update this test's edit");
  return edited;
};

const FINDING_KEYS = ["severity", "origin", "code", "construct", "field", "message", "hint", "location"];
// biome-ignore lint/suspicious/noControlCharactersInRegex: the ANSI escape introducer is what the test looks for.
const ESCAPE = /\x1b\[/;

describe("--version", () => {
  it("prints the package's version", () => {
    const { version } = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as { version: string };
    const result = runCli(["--version"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(`${version}\n`);
  });
});

describe("build --json", () => {
  it("is documented, keys included, in --help", () => {
    const help = runCli(["build", "--help"]).stdout;
    expect(help).toContain("--json");
    for (const key of ["outcome", "pendingCertificates", "findings", "severity", "location"]) expect(help).toContain(key);
  });

  it("--check: one JSON document on stdout, nothing on stderr, with the availability findings", () => {
    const result = runCli(["build", "--check", "--json", "--config", config()]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe("");
    const document = JSON.parse(result.stdout) as Record<string, unknown> & { findings: Record<string, unknown>[] };
    expect(Object.keys(document)).toEqual(["command", "ok", "outcome", "outDir", "files", "changes", "pendingCertificates", "findings"]);
    expect(document).toMatchObject({
      command: "build",
      ok: true,
      outcome: "up-to-date",
      outDir: out(),
      changes: { added: [], changed: [], removed: [] },
    });
    const manifest = JSON.parse(readFileSync(path.join(out(), "manifest.json"), "utf8")) as { files: unknown[] };
    expect(document.files).toBe(manifest.files.length + 1);
    for (const finding of document.findings) expect(Object.keys(finding)).toEqual(FINDING_KEYS);
    expect(document.findings).toContainEqual(
      expect.objectContaining({ severity: "info", origin: "availability", code: "galera/rolling-update", construct: "cluster/xtradb" }),
    );
  });

  it("--check names each differing file and exits 1", () => {
    const target = path.join(out(), "stacks", "php.yml");
    const original = readFileSync(target, "utf8");
    writeFileSync(target, `${original}# edited\n`);
    try {
      const result = runCli(["build", "--check", "--json", "--config", config()]);
      expect(result.status).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({
        ok: false,
        outcome: "out-of-date",
        changes: { changed: ["stacks/php.yml"], added: [], removed: [] },
      });
    } finally {
      writeFileSync(target, original);
    }
  });

  it("lists the validation problems of a config that fails, with their config line", () => {
    const result = runCli(["build", "--json", "--config", badFixture, "--out", path.join(project, "bad-out")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toBe("");
    const document = JSON.parse(result.stdout) as { ok: boolean; outcome: string; files: null; findings: Record<string, unknown>[] };
    expect(document).toMatchObject({ ok: false, outcome: "failed", files: null });
    const line =
      readFileSync(badFixture, "utf8")
        .split("\n")
        .findIndex((text) => text.includes('new Service(mng, "portainer"')) + 1;
    expect(document.findings).toEqual([
      {
        severity: "error",
        origin: "model",
        code: "service/port-collision",
        construct: "cluster/mng/portainer",
        field: "ports[0].published",
        message: expect.any(String),
        hint: expect.any(String),
        location: { file: "port-collision.config.ts", line, column: expect.any(Number) },
      },
    ]);
    expect(existsSync(path.join(project, "bad-out"))).toBe(false);
  });

  it("--strict: fails with every finding, the blocking warning among them", () => {
    const result = runCli(["build", "--strict", "--json", "--config", seedLiteral(), "--out", path.join(project, "strict-json")]);
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: false,
      outcome: "failed",
      findings: expect.arrayContaining([expect.objectContaining({ severity: "warning", code: "capacity/overlay-tight" })]),
    });
  });
});

describe("diff", () => {
  it("--exit-code exits 0 when nothing changes and 1 when a build would change something", () => {
    expect(runCli(["diff", "--exit-code", "--config", config()]).status).toBe(0);
    withEditedConfig(phpEnvironment, () => {
      const result = runCli(["diff", "--exit-code", "--config", config()]);
      expect(result.status).toBe(1);
      expect(result.stdout).toContain("stack `php`: changed `stacks/php.yml`");
      // Without the flag a summary is a success, whatever it lists.
      expect(runCli(["diff", "--config", config()]).status).toBe(0);
    });
  });

  it("--quiet prints nothing and exits as --exit-code does", () => {
    const same = runCli(["diff", "--quiet", "--config", config()]);
    expect([same.status, same.stdout, same.stderr]).toEqual([0, "", ""]);
    withEditedConfig(phpEnvironment, () => {
      const changed = runCli(["diff", "--quiet", "--config", config()]);
      expect([changed.status, changed.stdout, changed.stderr]).toEqual([1, "", ""]);
    });
  });

  it("--json lists each changed file with how it reaches the cluster", () => {
    withEditedConfig(phpEnvironment, () => {
      const result = runCli(["diff", "--json", "--config", config()]);
      expect(result.status).toBe(0);
      const document = JSON.parse(result.stdout) as Record<string, unknown>;
      expect(Object.keys(document)).toEqual(["command", "ok", "changed", "files", "pendingCertificates", "availability", "findings"]);
      expect(document).toMatchObject({ command: "diff", ok: true, changed: true, pendingCertificates: [], availability: [] });
      expect(document.files).toContainEqual({ path: "stacks/php.yml", change: "changed", delivery: { kind: "stack", stack: "php" } });
    });
    expect(JSON.parse(runCli(["diff", "--json", "--config", config()]).stdout)).toMatchObject({ changed: false, files: [] });
  });
});

describe("build --quiet", () => {
  it("prints nothing when all is well, warnings included", () => {
    const result = runCli(["build", "--quiet", "--config", config()]);
    expect([result.status, result.stdout, result.stderr]).toEqual([0, "", ""]);
  });

  it("still prints errors", () => {
    const result = runCli(["build", "--quiet", "--config", badFixture, "--out", path.join(project, "quiet-out")]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("error service/port-collision");
  });
});

describe("a build that changes nothing", () => {
  it("rewrites nothing: out/ and every file in it keep their inode and modification time", () => {
    const stamp = (file: string): string => {
      const stat = statSync(file);
      return `${stat.ino} ${stat.mtimeMs}`;
    };
    const files = (): string[] =>
      readdirSync(out(), { recursive: true, encoding: "utf8" })
        .map((name) => path.join(out(), name))
        .sort();
    const before = new Map([out(), ...files()].map((file) => [file, stamp(file)]));
    const result = runCli(["build", "--config", config()]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain("nothing written");
    expect(new Map([out(), ...files()].map((file) => [file, stamp(file)]))).toEqual(before);
  });
});

describe("colour", () => {
  const hasScript = spawnSync("script", ["--version"]).status === 0;
  /** Runs the CLI on a pseudo-terminal (util-linux `script`), where colour is allowed. */
  const onTerminal = (args: string[], env: NodeJS.ProcessEnv): string => {
    const command = [process.execPath, path.join(repoRoot, "bin/swarm-cluster.js"), ...args].map((word) => `'${word}'`).join(" ");
    const result = spawnSync("script", ["-qec", command, "/dev/null"], {
      encoding: "utf8",
      env: { ...process.env, TERM: "xterm-256color", ...env },
    });
    return result.stdout;
  };
  // A person's terminal: Node reports two colours only when CI is set, as it is where CI runs this test.
  const noColourEnv = { NO_COLOR: undefined, FORCE_COLOR: undefined, NODE_DISABLE_COLORS: undefined, CI: undefined };

  it("never reaches a pipe", () => {
    const result = runCli(["build", "--config", badFixture, "--out", path.join(project, "colour-out")]);
    expect(result.stderr).toContain("error service/port-collision");
    expect(result.stderr).not.toMatch(ESCAPE);
    expect(runCli(["build", "--check", "--config", config()]).stderr).not.toMatch(ESCAPE);
  });

  it("marks errors and warnings on a terminal, and never with NO_COLOR set", () => {
    expect(hasScript, "util-linux `script` runs the CLI on a pseudo-terminal").toBe(true);
    const bad = ["build", "--config", badFixture, "--out", path.join(project, "colour-out")];
    expect(onTerminal(bad, noColourEnv)).toContain("\x1b[31merror\x1b[39m service/port-collision");
    const seed = ["build", "--config", seedLiteral(), "--out", path.join(project, "colour-seed-out")];
    expect(onTerminal(seed, noColourEnv)).toContain("availability \x1b[33mwarning\x1b[39m capacity/overlay-tight");
    const plain = onTerminal(bad, { ...noColourEnv, NO_COLOR: "1" });
    expect(plain).toContain("error service/port-collision");
    expect(plain).not.toMatch(ESCAPE);
  });
});

describe("the process", () => {
  it("leaves no child process running once a command has finished (esbuild's service is stopped)", () => {
    // Runs the CLI's main() in a Node process that then lists its own children from /proc.
    const script = `
      import { readdirSync, readFileSync } from "node:fs";
      const { main } = await import(${JSON.stringify(pathToFileURL(path.join(repoRoot, "dist/cli.js")).href)});
      await main(["node", "swarm-cluster", "build", "--check", "--quiet", "--config", ${JSON.stringify(config())}]);
      // A child that was sent SIGTERM is gone a moment later (a zombie until Node reaps it counts as gone):
      // look again for a few seconds rather than racing the kernel on a loaded machine.
      const liveChildren = () => readdirSync("/proc").filter((pid) => /^\\d+$/.test(pid)).filter((pid) => {
        try {
          const stat = readFileSync("/proc/" + pid + "/stat", "utf8");
          const [state, parent] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
          return Number(parent) === process.pid && state !== "Z";
        } catch { return false; }
      });
      let children = liveChildren();
      for (let tries = 0; children.length > 0 && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        children = liveChildren();
      }
      console.log(JSON.stringify({ exitCode: process.exitCode ?? 0, children }));
    `;
    const started = Date.now();
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 30_000 });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual({ exitCode: 0, children: [] });
    // Nothing keeps the event loop alive: the process ends on its own, without process.exit.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("has no `import` command: that is the maintainers' `npm run import`", () => {
    const result = runCli(["import", "--check"]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain("unknown command 'import'");
    expect(runCli(["--help"]).stdout).not.toMatch(/^\s+import\b/m);
  });
});
