// System test of the Registry's TLS: a real program, run for real. Debian's docker-registry (the same
// distribution registry, 2.8, as the registry:2.8.3 image the stack runs) serves with the environment the
// generated stack file gives it and the certificate and key the build issues from the registry CA; curl, trusting
// only that CA (what every node's certs.d holds), reaches its API by the registry's name, and refuses it when it
// trusts the Docker API's CA instead. Only the listen address moves to loopback: the node's private address is
// not on this machine.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { imagesGenerator } from "../../generators/images/index.js";
import { stacksGenerator } from "../../generators/stacks/index.js";
import { ClusterPki, Registry, Stack, Testing } from "../../src/index.js";
import { freePort } from "../pki/daemons.fixture.js";

const work = mkdtempSync(path.join(tmpdir(), "images-registry-"));
let registry: ChildProcess | undefined;
let port = 0;
let address = "";
let host = "";
const files = { ca: "", otherCa: "" };

function curl(ca: string, url: string) {
  const result = spawnSync("curl", ["--silent", "--show-error", "--cacert", ca, "--resolve", `${host}:${port}:127.0.0.1`, url], {
    encoding: "utf8",
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

beforeAll(async () => {
  const cluster = Testing.cluster({ nodes: { app: 1 } });
  new ClusterPki(cluster, "pki");
  const [node] = cluster.nodes;
  if (!node) throw new Error("no node");
  const made = new Registry(cluster, "internal-registry", { stack: new Stack(cluster, "registry"), node });
  address = made.address;
  host = address.split(":")[0] ?? "";
  const project = path.join(work, "project");
  mkdirSync(project);
  const result = await Testing.synthResult(cluster, { projectDir: project, generators: [imagesGenerator, stacksGenerator] });
  const state = (suffix: string): string => {
    const write = result.stateWrites.find((candidate) => candidate.path.endsWith(suffix));
    if (!write) throw new Error(`the build issued no ${suffix}`);
    return write.content;
  };
  const secrets = path.join(work, "secrets");
  mkdirSync(secrets);
  writeFileSync(path.join(secrets, "registry_tls_cert"), state("pki/registry/certs/registry.crt"));
  writeFileSync(path.join(secrets, "registry_tls_key"), state("secrets/pki/registry/registry.key"), { mode: 0o600 });
  files.ca = path.join(work, "registry-ca.crt");
  writeFileSync(files.ca, state("pki/registry/ca.crt"));
  files.otherCa = path.join(work, "docker-api-ca.crt");
  writeFileSync(files.otherCa, state("pki/docker-api/ca.crt"));

  // The service's environment as the stack file writes it; secrets and storage where this machine has them.
  const stackText = result.files.find((file) => file.path === "stacks/registry.yml")?.content ?? "";
  const service = (parse(stackText) as { services: { registry: { environment: Record<string, string> } } }).services.registry;
  port = await freePort();
  const environment: Record<string, string> = {};
  for (const [name, value] of Object.entries(service.environment)) {
    environment[name] = value.replace("/run/secrets/", `${secrets}/`).replace(/^\/var\/lib\/registry$/, path.join(work, "storage"));
  }
  expect(environment.REGISTRY_HTTP_ADDR).toBe(`${node.privateIp}:${made.port}`);
  environment.REGISTRY_HTTP_ADDR = `127.0.0.1:${port}`;
  // The distribution's own minimal configuration; everything the stack sets overrides it.
  const config = path.join(work, "config.yml");
  writeFileSync(config, "version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: /nonexistent\nhttp:\n  addr: 127.0.0.1:1\n");
  const log = openSync(path.join(work, "registry.log"), "w");
  registry = spawn("docker-registry", ["serve", config], {
    stdio: ["ignore", log, log],
    env: { PATH: process.env.PATH ?? "", ...environment },
  });
  for (let attempt = 0; attempt < 60; attempt++) {
    if (curl(files.ca, `https://${host}:${port}/v2/`).status === 0) return;
    if (registry.exitCode !== null) break;
    await sleep(250);
  }
  throw new Error(`docker-registry did not answer:\n${readFileSync(path.join(work, "registry.log"), "utf8").slice(-3000)}`);
}, 120_000);

afterAll(async () => {
  const child = registry;
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }
  rmSync(work, { recursive: true, force: true });
});

describe("the registry's TLS", () => {
  it("is verified by the registry CA for the registry's name: the API answers", () => {
    const answer = curl(files.ca, `https://${host}:${port}/v2/`);
    expect(answer.status, answer.output).toBe(0);
    expect(answer.output.trim()).toBe("{}");
    const catalog = curl(files.ca, `https://${host}:${port}/v2/_catalog`);
    expect(catalog.output.trim()).toBe('{"repositories":[]}');
  });

  it("is not vouched for by another trust domain's CA", () => {
    const refused = curl(files.otherCa, `https://${host}:${port}/v2/`);
    // 60: the peer certificate cannot be authenticated with the given CA certificates.
    expect(refused.status).toBe(60);
  });
});
