import { describe, expect, it } from "vitest";
import { deepMerge } from "../src/core/deep-merge.js";

// What the escape hatches accept is a type question, checked by tsc in test/types/escape-hatch.types.ts.
describe("override semantics", () => {
  it("merges objects key by key, replaces arrays and scalars, and deletes on null", () => {
    const base = { image: "a", deploy: { replicas: 1, placement: { constraints: ["x"] }, labels: { k: "v" } } };
    const merged = deepMerge(base, { deploy: { replicas: 3, placement: { constraints: ["y"] }, labels: null } });
    expect(merged).toEqual({ image: "a", deploy: { replicas: 3, placement: { constraints: ["y"] } } });
    expect(base.deploy.replicas).toBe(1);
  });
});
