// Unit test of the config bundle cache: the real CLI (compiled, run by Node) loads a real config twice,
// and once more after a file it imports changed; the cache entry is checked on disk.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedBundle, keepBundle } from "../../src/config/bundle-cache.js";
import { runCli } from "../helpers/cli.js";
import { temporaryCacheDir } from "../helpers/cache-dir.js";

/** A config that stops at its second line with a message naming a value from a file it imports. */
const CONFIG = 'import { n } from "./helper.ts";\nthrow new Error(`stop ${n}`);\n';

describe("the config's bundle, kept between builds", () => {
  let project: string;
  // The in-process checks below read the same cache folder the CLI runs write.
  const cacheDir = temporaryCacheDir("bundle-cache-dir");
  const build = () =>
    runCli(["build", "--config", path.join(project, "cluster.config.ts")], { cwd: project, env: { SWARM_CLUSTER_CACHE_DIR: cacheDir() } });
  const entries = () => readdirSync(path.join(cacheDir(), "config-bundle"));

  beforeAll(() => {
    project = mkdtempSync(path.join(tmpdir(), "swarm-cluster-bundle-cache-"));
    writeFileSync(path.join(project, "helper.ts"), "export const n = 1;\n");
    writeFileSync(path.join(project, "cluster.config.ts"), CONFIG);
  });
  afterAll(() => {
    rmSync(project, { recursive: true, force: true });
  });

  it("is reused while nothing changed, and problems still point at the config's own lines", () => {
    const first = build();
    expect(first.stderr).toContain("cluster.config.ts:2:7: error config/threw");
    expect(first.stderr).toContain("stop 1");
    const [entry] = entries();
    expect(entries()).toHaveLength(1);
    const written = statSync(path.join(cacheDir(), "config-bundle", entry ?? "")).mtimeMs;
    const second = build();
    expect(second.stderr).toBe(first.stderr);
    // Reused, not bundled and kept again.
    expect(statSync(path.join(cacheDir(), "config-bundle", entry ?? "")).mtimeMs).toBe(written);
  });

  it("is bundled again when a file the config imports changed", () => {
    writeFileSync(path.join(project, "helper.ts"), "export const n = 2;\n");
    const result = build();
    expect(result.stderr).toContain("stop 2");
    expect(result.stderr).toContain("cluster.config.ts:2:7: error config/threw");
    expect(entries()).toHaveLength(1);
  });

  it("records the sources and the settings files above them, and refuses a changed context or tsconfig.json", () => {
    const source = path.join(project, "cluster.config.ts");
    // Bundled a second after the source was last written.
    keepBundle(source, "context", [source], Date.now() + 1000, { code: "code", map: "{}" });
    expect(cachedBundle(source, "context")).toEqual({ code: "code", map: "{}" });
    expect(cachedBundle(source, "another context")).toBeUndefined();
    const [entry] = entries();
    const kept = JSON.parse(readFileSync(path.join(cacheDir(), "config-bundle", entry ?? ""), "utf8")) as {
      inputs: [string, string | null][];
    };
    expect(kept.inputs).toContainEqual([path.join(project, "tsconfig.json"), null]);
    writeFileSync(path.join(project, "tsconfig.json"), "{}\n");
    expect(cachedBundle(source, "context")).toBeUndefined();
  });

  it("keeps nothing when a source was written after the bundling started", () => {
    const source = path.join(project, "cluster.config.ts");
    rmSync(path.join(cacheDir(), "config-bundle"), { recursive: true, force: true });
    keepBundle(source, "context", [source], statSync(source).mtimeMs, { code: "code", map: "{}" });
    expect(cachedBundle(source, "context")).toBeUndefined();
  });
});
