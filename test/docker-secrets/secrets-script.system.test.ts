/**
 * out/swarm/secrets.sh run for real by bash, against a stand-in `docker` on PATH that keeps a Swarm's secrets in
 * a folder and records each call's arguments and standard input: which versions it creates, that a value travels
 * on standard input and never as an argument, what it keeps, which old versions it lists, and a missing file.
 * Kind of check: a real program (bash running the generated script) run for real, with a recorded stand-in for
 * the Docker CLI (no Swarm runs here).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { swarmGenerator } from "../../generators/swarm/index.js";
import { Secret, Service, Stack, Testing } from "../../src/index.js";

const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** `docker secret inspect|create|ls` over the folder $FAKE_SWARM; every call's arguments appended to $FAKE_SWARM/calls. */
const FAKE_DOCKER = `#!/bin/bash
printf '%s\\n' "$*" >>"$FAKE_SWARM/calls"
case "$1 $2" in
  "secret inspect") [ -e "$FAKE_SWARM/secrets/$3" ] ;;
  "secret create") [ "$4" = - ] && cat >"$FAKE_SWARM/secrets/$3" ;;
  "secret ls") ls "$FAKE_SWARM/secrets" ;;
  *) exit 2 ;;
esac
`;

async function project(versions: Record<string, number>) {
  const cluster = Testing.cluster({ nodes: { app: 3 } });
  const token = new Secret(cluster, "api_token", { description: "t", generate: "password" });
  const webhook = new Secret(cluster, "webhook", { description: "w" });
  new Service(new Stack(cluster, "app"), "api", { image: "example/api:1", secrets: [token, webhook] });
  // Declared, but no service mounts it: no Docker secret is needed.
  new Secret(cluster, "unused", { description: "u", generate: "password" });
  const result = await Testing.synthResult(cluster, { generators: [swarmGenerator], secretVersions: versions });
  const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-secrets-script-"));
  temps.push(dir);
  mkdirSync(path.join(dir, "swarm", "secrets"), { recursive: true });
  mkdirSync(path.join(dir, "bin"));
  writeFileSync(path.join(dir, "bin", "docker"), FAKE_DOCKER, { mode: 0o755 });
  writeFileSync(path.join(dir, "secrets.sh"), result.files.find((file) => file.path === "swarm/secrets.sh")?.content ?? "");
  mkdirSync(path.join(dir, "secrets", "docker"), { recursive: true });
  return dir;
}

function runScript(dir: string) {
  return spawnSync("bash", [path.join(dir, "secrets.sh")], {
    cwd: dir,
    encoding: "utf8",
    env: { ...process.env, PATH: `${path.join(dir, "bin")}:${process.env.PATH ?? ""}`, FAKE_SWARM: path.join(dir, "swarm") },
  });
}

describe("swarm/secrets.sh", () => {
  it("creates each version the stacks name from its file, on standard input, and keeps what exists", async () => {
    const dir = await project({ api_token: 2 });
    writeFileSync(path.join(dir, "secrets", "docker", "api_token"), "Value0fTheToken");
    writeFileSync(path.join(dir, "secrets", "docker", "webhook"), "https://hooks.example/Value0fTheHook");
    const first = runScript(dir);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain("created api_token_v2\ncreated webhook_v1\n");
    expect(readFileSync(path.join(dir, "swarm", "secrets", "api_token_v2"), "utf8")).toBe("Value0fTheToken");
    expect(existsSync(path.join(dir, "swarm", "secrets", "unused_v1"))).toBe(false);
    const calls = readFileSync(path.join(dir, "swarm", "calls"), "utf8");
    expect(calls).toContain("secret create api_token_v2 -\n");
    expect(calls).not.toContain("Value0f");

    const again = runScript(dir);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("kept    api_token_v2\nkept    webhook_v1\n");
  });

  it("lists the versions a rotation left behind, for removal once no service uses them", async () => {
    const dir = await project({ api_token: 3 });
    writeFileSync(path.join(dir, "swarm", "secrets", "api_token_v2"), "old");
    writeFileSync(path.join(dir, "secrets", "docker", "api_token"), "new");
    writeFileSync(path.join(dir, "secrets", "docker", "webhook"), "hook");
    const run = runScript(dir);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("created api_token_v3\n");
    expect(run.stdout).toContain("old     api_token_v2: docker secret rm it once every stack using it is deployed again");
    expect(existsSync(path.join(dir, "swarm", "secrets", "api_token_v2"))).toBe(true);
  });

  it("fails naming a missing file, after creating the others", async () => {
    const dir = await project({});
    writeFileSync(path.join(dir, "secrets", "docker", "api_token"), "token");
    const run = runScript(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain("missing secrets/docker/webhook");
    expect(run.stdout).toContain("created api_token_v1");
  });
});
