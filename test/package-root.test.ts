import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { installedVersion, installedVersionFrom } from "../src/core/package-root.js";
import { repoRoot } from "./helpers/cli.js";

// Unit tests of how the versions in the caches' keys are found (files only, no program runs).
const work = mkdtempSync(path.join(tmpdir(), "swarm-cluster-versions-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function install(folder: string, name: string, version: string): void {
  mkdirSync(path.join(folder, name), { recursive: true });
  writeFileSync(path.join(folder, name, "package.json"), JSON.stringify({ name, version }));
}

const manifestVersion = (name: string): string =>
  (JSON.parse(readFileSync(path.join(repoRoot, "node_modules", name, "package.json"), "utf8")) as { version: string }).version;

describe("installedVersion", () => {
  it("reads this package's own dependencies, an exports map hiding the file or not", () => {
    for (const name of ["yaml", "fflate", "esbuild", "@viz-js/viz"]) expect(installedVersion(name)).toBe(manifestVersion(name));
    expect(installedVersion("no-such-package-here")).toBeUndefined();
  });

  it("finds a dependency hoisted above the package, as Node does, nearest first", () => {
    // An install: <project>/node_modules/swarm-cluster, with its dependencies beside it or in its own node_modules.
    const project = path.join(work, "project");
    const modules = path.join(project, "node_modules");
    const root = path.join(modules, "swarm-cluster");
    install(modules, "hoisted", "1.2.3");
    install(modules, "both", "1.0.0");
    install(path.join(root, "node_modules"), "both", "2.0.0");
    // A node_modules/node_modules is no place Node looks in.
    install(path.join(modules, "node_modules"), "misplaced", "9.9.9");
    expect(installedVersionFrom(root, "hoisted")).toBe("1.2.3");
    expect(installedVersionFrom(root, "both")).toBe("2.0.0");
    expect(installedVersionFrom(root, "misplaced")).toBeUndefined();
  });
});
