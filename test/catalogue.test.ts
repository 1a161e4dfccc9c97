import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import "../src/index.js";
import { catalogueCodes } from "../src/validate/problem.js";
import { repoRoot } from "./helpers/cli.js";

describe("the message catalogue", () => {
  const codes = catalogueCodes();

  it("holds the core's codes and every family's, each once, as <topic>/<what>", () => {
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z-]+\/[a-z0-9-]+$/);
    expect(codes).toEqual(
      expect.arrayContaining([
        "schema/required",
        "nginx/version-unreadable",
        "stack/config-in-other-stack",
        "proxysql/backend-limit-starved",
      ]),
    );
  });

  it("has an entry for every code a family's messages.ts declares: the families load with the library", () => {
    const declared = readdirSync(path.join(repoRoot, "generators"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .flatMap((entry) => {
        const file = path.join(repoRoot, "generators", entry.name, "messages.ts");
        try {
          return [...readFileSync(file, "utf8").matchAll(/^ {2}"([a-z-]+\/[a-z0-9-]+)": entry/gm)].map((match) => match[1]);
        } catch {
          return [];
        }
      });
    expect(declared.length).toBeGreaterThan(5);
    for (const code of declared) expect(codes).toContain(code);
  });
});
