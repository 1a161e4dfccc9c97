import { describe, expect, it } from "vitest";
import { errStyleOf, type Output } from "../src/cli/output.js";
import { COLOURED } from "../src/cli/style.js";

// Unit tests of the CLI's output plumbing (no program runs).
describe("errStyleOf", () => {
  it("reads the output's style at the first highlight, once, and not before", () => {
    let reads = 0;
    const io: Output = {
      out: () => {},
      err: () => {},
      get errStyle() {
        reads += 1;
        return COLOURED;
      },
    };
    const style = errStyleOf(io);
    expect(reads).toBe(0);
    expect(style.error("bad")).toBe(COLOURED.error("bad"));
    expect(style.warning("odd")).toBe(COLOURED.warning("odd"));
    expect(reads).toBe(1);
  });

  it("is plain without a style", () => {
    const style = errStyleOf({ out: () => {}, err: () => {} });
    expect([style.error("bad"), style.warning("odd")]).toEqual(["bad", "odd"]);
  });
});
