import { appendFileSync, existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "./helpers/cli.js";
import { copyProjectAsClone, readTree } from "./helpers/project.js";

// Every test here runs the compiled CLI as a process on a copy of the project made the way a fresh clone
// has it: tracked files only, so no secrets/ (no CA key, no node keys).
let project: string;
const config = (): string => path.join(project, "cluster.config.ts");
const out = (): string => path.join(project, "out");

beforeAll(() => {
  project = copyProjectAsClone();
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe("a fresh clone", () => {
  it("has no private keys, yet `build --check` passes against the committed out/", () => {
    expect(existsSync(path.join(project, "secrets"))).toBe(false);
    const result = runCli(["build", "--check", "--config", config()]);
    // No availability error or warning either (the pinned operators' tools are accepted risks, notes): nothing on stderr.
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("builds out/ byte-identical to the committed one, twice", () => {
    const committed = readTree(out());
    const first = path.join(project, "build-1");
    const second = path.join(project, "build-2");
    expect(runCli(["build", "--config", config(), "--out", first]).status).toBe(0);
    expect(runCli(["build", "--config", config(), "--out", second]).status).toBe(0);
    expect(readTree(first)).toEqual(committed);
    expect(readTree(second)).toEqual(readTree(first));
    rmSync(first, { recursive: true });
    rmSync(second, { recursive: true });
  });
});

describe("out/manifest.json", () => {
  it("lists every other file of out/ with its sha256, size, generator, construct and delivery, sorted", () => {
    const tree = readTree(out());
    const manifest = JSON.parse(tree.get("manifest.json") ?? "{}") as {
      files: { path: string; sha256: string; bytes: number; generator: string; construct: string; delivery: { kind: string } }[];
    };
    expect((manifest as unknown as { config: string }).config).toBe("cluster.config.ts");
    const listed = manifest.files.map((file) => file.path);
    expect(listed).toEqual([...tree.keys()].filter((file) => file !== "manifest.json"));
    expect([...listed].sort()).toEqual(listed);
    for (const entry of manifest.files) {
      const bytes = Buffer.from(tree.get(entry.path) ?? "", "latin1");
      expect(entry.sha256).toBe(createHash("sha256").update(bytes).digest("hex"));
      expect(entry.bytes).toBe(bytes.length);
      expect(entry.generator).toMatch(/^[a-z]+(-[a-z]+)*$/);
      expect(entry.construct).toMatch(/^cluster(\/|$)/);
      expect(["host", "stack", "swarm", "operator"]).toContain(entry.delivery.kind);
    }
  });

  it("holds no timestamps, machine paths or secrets anywhere in out/", () => {
    for (const [file, content] of readTree(out())) {
      expect(content, file).not.toMatch(/-----BEGIN ([A-Z]+ )?PRIVATE KEY-----/);
      // Paths of this machine: where the project was built from, and the repository the CLI ran from.
      expect(content, file).not.toContain(project);
      expect(content, file).not.toContain(repoRoot);
      // Certificate expiry dates are state; a date around now would be the build's own timestamp.
      for (const stamp of content.match(/20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d/g) ?? []) {
        expect(Math.abs(Date.parse(`${stamp}Z`) - Date.now()), `${file}: ${stamp}`).toBeGreaterThan(2 * 86_400_000);
      }
    }
  });
});

describe("build --check", () => {
  it("fails after one generated file is edited, naming the file, and writes nothing", () => {
    const target = path.join(out(), "stacks", "php.yml");
    const original = readFileSync(target, "utf8");
    appendFileSync(target, "# edited by hand\n");
    const result = runCli(["build", "--check", "--config", config()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("changed  stacks/php.yml");
    expect(readFileSync(target, "utf8")).toBe(`${original}# edited by hand\n`);
    writeFileSync(target, original);
  });

  it("reports a stale file, and a build removes it", () => {
    const stale = path.join(out(), "stacks", "old.yml");
    writeFileSync(stale, "services: {}\n");
    const check = runCli(["build", "--check", "--config", config()]);
    expect(check.status).toBe(1);
    expect(check.stderr).toContain("stale    stacks/old.yml");
    expect(runCli(["build", "--config", config()]).status).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(runCli(["build", "--check", "--config", config()]).status).toBe(0);
  });
});

describe("build --strict", () => {
  it("passes on the reference cluster, whose findings are notes only (its pinned tools' state an accepted risk)", () => {
    const target = path.join(project, "strict-out");
    const result = runCli(["build", "--strict", "--config", config(), "--out", target]);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("fails on a warning, as Butane's --strict does, and writes nothing", () => {
    const target = path.join(project, "strict-warning-out");
    const config = path.join(project, "cluster.config.ts");
    const original = readFileSync(config, "utf8");
    // A /29 frontnet just holds the reference's front tasks, with no address to spare: a warning.
    writeFileSync(config, original.replace('"192.168.18.0/24"', '"192.168.18.0/29"'));
    try {
      const result = runCli(["build", "--strict", "--config", config, "--out", target]);
      expect(result.status).toBe(1);
      expect(result.stderr).toContain("--strict: 1 error(s) or warning(s)");
      expect(result.stderr).toMatch(/availability warning capacity\/overlay-tight: cluster\/frontnet/);
      expect(existsSync(target)).toBe(false);
    } finally {
      writeFileSync(config, original);
    }
  });

  it("refuses the seed taken literally, naming each availability error, and writes nothing", () => {
    const target = path.join(project, "strict-seed-out");
    const result = runCli(["build", "--strict", "--config", path.join(project, "examples/seed-literal.config.ts"), "--out", target]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("swarm/no-fault-tolerance");
    expect(result.stderr).toContain("galera/no-fault-tolerance");
    expect(result.stderr).toMatch(/spof\/single-replica.*proxysql/);
    expect(existsSync(target)).toBe(false);
  });
});

describe("swarm-cluster diff", () => {
  function withEditedConfig(edit: (text: string) => string, run: () => void): void {
    const original = readFileSync(config(), "utf8");
    writeFileSync(config(), edit(original));
    try {
      run();
    } finally {
      writeFileSync(config(), original);
    }
  }

  it("says nothing is to apply when out/ is current", () => {
    const result = runCli(["diff", "--config", config()]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain("Nothing to apply");
  });

  it("classifies an image change as live through docker stack deploy", () => {
    withEditedConfig(
      // One more extension in the php-fpm image: a new context hash, so a new tag in the php stack.
      (text) => text.replace('"opcache", "zip"]', '"opcache", "zip", "intl"]'),
      () => {
        const result = runCli(["diff", "--config", config()]);
        expect(result.stdout).toContain("### Live through `docker stack deploy`");
        expect(result.stdout).toContain("stack `php`: changed `stacks/php.yml`");
        expect(result.stdout).not.toContain("Host-level");
      },
    );
  });

  it("names the nodes that need a day-2 apply for a host-level change, and the certificate to re-issue", () => {
    withEditedConfig(
      (text) => text.replace('privateIp: "10.10.1.42"', 'privateIp: "10.10.1.43"'),
      () => {
        const result = runCli(["diff", "--config", config()]);
        expect(result.stdout).toContain("### Host-level (Ignition runs only at first boot)");
        // /etc/hosts lists every node, so every node's Ignition changes.
        for (const node of ["sw-front-1", "sw-node-1", "sw-db-2"]) expect(result.stdout).toContain(`- \`${node}\`:`);
        expect(result.stdout).toContain("pki/docker-api/certs/sw-db-2.crt");
        expect(result.stdout).toContain("apply with `bash out/nodes/sw-db-2/apply.sh` (or re-provision)");
      },
    );
  });
});

describe("swarm-cluster diff on availability", () => {
  it("leads with the availability errors a change introduces", () => {
    const original = readFileSync(config(), "utf8");
    // sw-node-3 stops being a manager: two managers keep no majority after one loss.
    writeFileSync(config(), original.replace('publicIp: "203.0.113.23", swarmRole: "manager"', 'publicIp: "203.0.113.23"'));
    try {
      const result = runCli(["diff", "--config", config()]);
      expect(result.status).toBe(0);
      expect(result.stdout).toContain("### Availability (out/analysis/ha-report.md)");
      expect(result.stdout).toMatch(/- new error \*\*swarm\/no-fault-tolerance\*\* `cluster`/);
      // Before the file list: a reviewer reads the consequence first.
      expect(result.stdout.indexOf("### Availability")).toBeLessThan(result.stdout.indexOf("### Host-level"));
    } finally {
      writeFileSync(config(), original);
    }
  });
});

describe("a failed build", () => {
  it("leaves out/ exactly as it was", () => {
    const before = readTree(out());
    const broken = path.join(project, "broken.config.ts");
    writeFileSync(broken, readFileSync(config(), "utf8").replace('privateIp: "10.10.1.12"', 'privateIp: "10.10.1.11"'));
    const result = runCli(["build", "--config", broken, "--out", out()]);
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("broken.config.ts:");
    expect(readTree(out())).toEqual(before);
  });
});

describe("the CLI", () => {
  it.each([["build"], ["diff"], ["provision"]])("documents `%s` in --help", (command) => {
    const result = runCli([command, "--help"]);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`Usage: swarm-cluster ${command}`);
  });
});
