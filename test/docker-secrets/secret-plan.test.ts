/**
 * How secret values are planned and versioned, in the model alone (no file, no program): what is made, kept,
 * left to the operator, and what a rotation takes with it. Kind of check: the model's own logic.
 */
import { describe, expect, it } from "vitest";
import { planSecrets, randomPassword } from "../../src/docker-secrets/values.js";
import { Secret, Testing } from "../../src/index.js";
import { validateModel } from "../../src/validate/index.js";

function secrets() {
  const cluster = Testing.cluster({ nodes: { app: 3 } });
  // Declared before its source: the plan still makes the source first.
  const line = new Secret(cluster, "line", { description: "line" });
  const password = new Secret(cluster, "password", { description: "password", generate: "password" });
  line.generateAs({ kind: "derived", from: [password], format: ([value]) => `secret="${value}"\n` });
  const certificate = new Secret(cluster, "certificate", { description: "PEM" });
  return { cluster, line, password, certificate };
}

describe("planning secret values", () => {
  it("makes what it can, derived values from their sources, and leaves the rest to the operator", () => {
    const { line, password, certificate } = secrets();
    const plan = planSecrets([line, password, certificate], new Set(), () => undefined);
    const made = new Map(plan.map((entry) => [entry.secret, entry]));
    const passwordEntry = made.get(password);
    expect(passwordEntry?.action).toBe("create");
    const value = passwordEntry && "value" in passwordEntry ? passwordEntry.value : "";
    expect(made.get(line)).toMatchObject({ action: "create", value: `secret="${value}"\n` });
    expect(made.get(certificate)?.action).toBe("provide");
  });

  it("keeps what exists, and a rotation remakes the secret and what derives from it", () => {
    const { line, password, certificate } = secrets();
    const existing = new Map([
      [password, "old"],
      [line, 'secret="old"\n'],
      [certificate, "PEM"],
    ]);
    const read = (secret: Secret) => existing.get(secret);
    expect(planSecrets([line, password, certificate], new Set(), read).map((entry) => entry.action)).toEqual(["keep", "keep", "keep"]);
    const rotated = planSecrets([line, password, certificate], new Set([password]), read);
    expect(rotated.map((entry) => entry.action)).toEqual(["rotate", "rotate", "keep"]);
    const [lineEntry, passwordEntry] = rotated;
    const value = passwordEntry && "value" in passwordEntry ? passwordEntry.value : "";
    expect(value).not.toBe("old");
    expect(lineEntry && "value" in lineEntry ? lineEntry.value : "").toBe(`secret="${value}"\n`);
  });

  it("draws 32 letters and digits, different each time", () => {
    const drawn = Array.from({ length: 50 }, randomPassword);
    for (const password of drawn) expect(password).toMatch(/^[A-Za-z0-9]{32}$/);
    expect(new Set(drawn).size).toBe(drawn.length);
  });

  it("names the Docker secret by its version, from the committed versions", () => {
    const { cluster, password } = secrets();
    expect(password.dockerName).toBe("password_v1");
    cluster.useSecretVersions({ password: 4 });
    expect(password.dockerName).toBe("password_v4");
    expect(password.mountPath).toBe("/run/secrets/password");
  });

  it("reports a way to make a secret it does not know", () => {
    const cluster = Testing.cluster({ nodes: { app: 3 } });
    new Secret(cluster, "token", { description: "t", generate: "pasword" as "password" });
    const found = validateModel(cluster).filter((problem) => problem.code === "secret/generate-invalid");
    expect(found.map((problem) => [problem.construct, problem.field])).toEqual([["cluster/token", "generate"]]);
    expect(found[0]?.message).toContain('"pasword"');
  });
});
