// Unit test of the compiled runtime's V8 code cache (src/cli/runtime-loader.ts): the real CLI (compiled, run
// by Node) builds the seed-literal example three times with one cache folder; the cache is checked on disk,
// and the output of the runs that read it is compared with the run that made it.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot, runCli } from "../helpers/cli.js";

describe("the runtime's code cache, kept between runs", () => {
  let cache: string;
  let out: string;
  const build = (folder: string) =>
    runCli(["build", "--json", "--config", path.join(repoRoot, "examples", "seed-literal.config.ts"), "--out", path.join(out, folder)], {
      env: { SWARM_CLUSTER_CACHE_DIR: cache },
    });
  const caches = () => readdirSync(path.join(cache, "code-cache")).filter((name) => name.endsWith("-cli-build.bin"));
  const tree = (folder: string) => readFileSync(path.join(out, folder, "manifest.json"), "utf8");

  beforeAll(() => {
    cache = mkdtempSync(path.join(tmpdir(), "swarm-cluster-code-cache-"));
    out = mkdtempSync(path.join(tmpdir(), "swarm-cluster-code-cache-out-"));
  });
  afterAll(() => {
    rmSync(cache, { recursive: true, force: true });
    rmSync(out, { recursive: true, force: true });
  });

  it("is not written by a build that stopped early (it compiled only part of a build's code)", () => {
    const project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-code-cache-config-"));
    try {
      writeFileSync(path.join(project, "cluster.config.ts"), 'throw new Error("stop");\n');
      const failed = runCli(["build", "--config", path.join(project, "cluster.config.ts")], {
        cwd: project,
        env: { SWARM_CLUSTER_CACHE_DIR: cache },
      });
      expect(failed.status).toBe(1);
      expect(existsSync(path.join(cache, "code-cache")) ? caches() : []).toHaveLength(0);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });

  it("is written by the first build, read by the next ones (which import the config from cached code), and changes nothing", () => {
    const first = build("first");
    expect(first.status, first.stderr).toBe(0);
    expect(caches()).toHaveLength(1);
    const file = path.join(cache, "code-cache", caches()[0] ?? "");
    const written = statSync(file).mtimeMs;
    // The config is imported by a function read from the cache: V8 loses `import()` there, which the
    // bundle gets from the loader instead (src/config/import-module.ts).
    const second = build("second");
    expect(second.status, second.stderr).toBe(0);
    expect(second.stderr).toBe(first.stderr);
    expect(JSON.parse(second.stdout).outcome).toBe("written");
    expect(tree("second")).toBe(tree("first"));
    // Accepted, so not made again.
    expect(statSync(file).mtimeMs).toBe(written);
  });

  it("is made again when V8 rejects it", () => {
    const [name] = caches();
    const file = path.join(cache, "code-cache", name ?? "");
    // Not a code cache at all: V8 checks what it reads and compiles the bundle as if there were none.
    rmSync(file);
    writeFileSync(file, "not a code cache");
    const third = build("third");
    expect(third.status, third.stderr).toBe(0);
    expect(tree("third")).toBe(tree("first"));
    expect(statSync(file).size).toBeGreaterThan(1000);
  });
});
