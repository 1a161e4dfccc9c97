import { operatorClient } from "../pki/daemons.fixture.js";
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { pkiGenerator } from "../../generators/pki/index.js";
import { HOST_TLS } from "../../generators/pki/host-paths.js";
import { systemdGenerator } from "../../generators/systemd/index.js";
import { ClusterPki, Testing } from "../../src/index.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { copyOf, hostCluster } from "../helpers/host-families.fixture.js";
import { freePort } from "../nginx/nginx-server.js";
import { revocationFindings, sslscan, testssl, type SslscanRun, type TestsslRun } from "./tls-scanners.js";

/**
 * A real program run for real, graded by real scanners: Debian's dockerd started on 127.0.0.1 with a
 * manager's generated daemon.json and the TLS flags of its generated /etc/docker/tls.env (the node's
 * certificate and key issued by the project's PKI), its TLS API scanned by testssl.sh and sslscan. dockerd
 * runs in a network namespace of its own (its bridge and iptables rules stay there; `icc: false` needs them),
 * the scanners in the same one, on its loopback; only its own data, exec and pid paths and a private unix
 * socket are added, and `metrics-addr` moves to loopback. On the node systemd hands dockerd the 2376 socket
 * (docker-tcp.socket); here dockerd opens its TCP port itself, which it wraps in TLS the same way.
 */

const dir = mkdtempSync(path.join(tmpdir(), "tls-scan-docker-"));
const state = path.join(dir, "docker");
const netns = `swtls-docker-${process.pid}`;
const MANAGER = "sw-node-1";
let dockerd: ChildProcess | undefined;
afterAll(async () => {
  if (dockerd && dockerd.exitCode === null && dockerd.signalCode === null) {
    dockerd.kill("SIGTERM");
    await new Promise((resolve) => dockerd?.once("exit", resolve));
  }
  // dockerd mounts its data root over itself (and may leave it mounted when it fails to start).
  for (const mount of [`${state}/exec`, `${state}/data`]) spawnSync("umount", ["--lazy", mount], { stdio: "ignore" });
  spawnSync("ip", ["netns", "del", netns]);
  rmSync(dir, { recursive: true, force: true });
});

function must(program: string, args: readonly string[]): void {
  const run = spawnSync(program, args, { encoding: "utf8", timeout: 20_000 });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`${program} ${args.join(" ")} exited ${run.status}: ${run.stderr}`);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The flags of tls.env's DOCKER_OPTS, the node's paths replaced by where this test issued the files. */
function tlsFlags(tlsEnv: string, files: Readonly<Record<string, string>>): string[] {
  const options = /^DOCKER_OPTS="([^"]*)"$/m.exec(tlsEnv)?.[1];
  if (!options) throw new Error(`no DOCKER_OPTS in tls.env:\n${tlsEnv}`);
  return options.split(" ").map((flag) => flag.replace(/=(.*)$/, (whole, value: string) => (files[value] ? `=${files[value]}` : whole)));
}

describe("the Docker TLS API with the generated settings, graded by testssl.sh and sslscan", () => {
  const model = hostCluster();
  let port = 0;
  let flags: string[] = [];
  let graded: TestsslRun | undefined;
  let scanned: SslscanRun | undefined;

  beforeAll(async () => {
    new ClusterPki(model.cluster, "pki");
    const result = await Testing.synthResult(model.cluster, {
      projectDir: dir,
      generators: [pkiGenerator, systemdGenerator, ignitionGenerator],
    });
    writeStateFiles(result.stateWrites);
    const files = new Map(result.files.map((file) => [file.path, file.content]));
    // The Docker TLS API's own trust domain: its CA, and the manager's certificate and key in it.
    const domain = "docker-api";
    const ca = path.join(dir, "pki", domain, "ca.crt");
    flags = tlsFlags(copyOf(files, MANAGER, "files/etc/docker/tls.env") ?? "", {
      [HOST_TLS.dockerApi.trustBundle]: ca,
      [HOST_TLS.dockerApi.certificate]: path.join(dir, "pki", domain, "certs", `${MANAGER}.crt`),
      [HOST_TLS.dockerApi.key]: path.join(dir, "secrets", "pki", domain, `${MANAGER}.key`),
    });
    const daemon = JSON.parse(copyOf(files, MANAGER, "files/etc/docker/daemon.json") ?? "") as Record<string, unknown>;
    daemon["metrics-addr"] = `127.0.0.1:${await freePort()}`;
    writeFileSync(path.join(dir, "daemon.json"), JSON.stringify(daemon));

    // A free port of the test's loopback is as free in the new namespace's, which has nothing listening.
    port = await freePort();
    spawnSync("ip", ["netns", "del", netns]);
    must("ip", ["netns", "add", netns]);
    must("ip", ["-n", netns, "link", "set", "lo", "up"]);
    mkdirSync(state);
    const logFile = path.join(dir, "dockerd.log");
    const log = openSync(logFile, "w");
    // nsenter, not `ip netns exec`: that one also remounts /sys, hiding the cgroups dockerd needs.
    dockerd = spawn(
      "nsenter",
      [
        `--net=/run/netns/${netns}`,
        "dockerd",
        `--config-file=${path.join(dir, "daemon.json")}`,
        ...flags,
        `--host=unix://${state}/docker.sock`,
        `--host=tcp://127.0.0.1:${port}`,
        `--data-root=${state}/data`,
        `--exec-root=${state}/exec`,
        `--pidfile=${state}/docker.pid`,
      ],
      { cwd: dir, stdio: ["ignore", log, log] },
    );
    const listening = `API listen on 127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 120 && !readFileSync(logFile, "utf8").includes(listening); attempt++) {
      if (dockerd.exitCode !== null) break;
      await sleep(250);
    }
    const started = readFileSync(logFile, "utf8");
    if (!started.includes(listening)) throw new Error(`dockerd did not start:\n${started.slice(-3000)}`);

    graded = testssl({ workDir: dir, name: MANAGER, port, checks: ["-p", "-s", "-f", "-S", "-U"], trust: ca, netns });
    // An operator's client certificate of the domain, minted as `swarm-cluster operator-cert` mints it.
    const operator = await operatorClient(dir, "docker-api", path.join(dir, "operator"));
    scanned = sslscan({ port, servername: MANAGER, clientCertificate: { cert: operator.cert, key: operator.key }, netns });
  }, 600_000);

  it("runs with the generated TLS flags: client certificates required, the cluster CA trusted", () => {
    expect(flags[0]).toBe("--tlsverify");
    expect(flags.some((flag) => flag.startsWith("--tlscacert="))).toBe(true);
  });

  it("testssl.sh reads the CRL distribution point of the domain's certificate, and flags no missing revocation", () => {
    if (!graded) throw new Error("no scan");
    // The certificate names the file its hosts hold (ClusterPki's crlDistributionPoint); testssl grades the
    // extension's presence, and fetches nothing without --phone-out.
    const { distributionPoint, revocation } = revocationFindings(graded);
    expect(distributionPoint).toBe("file:///etc/ssl/swarm/docker-api/crl.pem");
    expect(revocation).toEqual([]);
  });

  it("testssl.sh finds nothing of severity MEDIUM or above", () => {
    if (!graded) throw new Error("no scan");
    expect(graded.failing, graded.output).toEqual([]);
  });

  it("leaves undone only what a required client certificate or this machine's openssl prevents", () => {
    // engine_problem: Debian's openssl has no GOST engine. secure_client_renego and BREACH: testssl cannot
    // test them against a server that requires a client certificate; sslscan, given one, checks renegotiation.
    const warnings = graded?.findings
      .filter((finding) => finding.severity === "WARN")
      .map((finding) => `${finding.id}: ${finding.finding}`);
    expect(
      warnings?.filter((warning) => !["engine_problem", "secure_client_renego", "BREACH"].includes(warning.split(":")[0] ?? "")),
    ).toEqual([]);
    expect(scanned?.xml).toMatch(/<renegotiation supported="0"/);
  });

  it("still offers Docker's two CBC suites, which Mozilla's intermediate profile leaves out: dockerd has no setting for them", () => {
    // dockerd fixes its server's suites in code (TLS 1.2 and up, with ECDHE-…-AES…-SHA for old clients), and
    // neither daemon.json nor a flag changes them. testssl grades them LOW (cipherlist_AVERAGE, LUCKY13), under
    // this test's MEDIUM bar; listed here so that a Docker that drops them, or adds others, is noticed.
    const cbc = scanned?.ciphers.filter((cipher) => / ECDHE-\S+-SHA /.test(`${cipher} `)).map((cipher) => cipher.split(" ")[1]);
    expect(cbc?.sort()).toEqual(["ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-SHA"]);
    const low = graded?.findings.filter((finding) => finding.severity === "LOW").map((finding) => finding.id);
    expect(low?.sort()).toEqual(["LUCKY13", "cipherlist_AVERAGE"]);
  });

  it("offers TLS 1.2 and 1.3 only", () => {
    const finding = (id: string) => graded?.findings.find((entry) => entry.id === id)?.finding;
    expect(finding("TLS1_3")).toMatch(/^offered/);
    expect(finding("TLS1_2")).toMatch(/^offered/);
    for (const old of ["SSLv2", "SSLv3", "TLS1", "TLS1_1"]) expect(finding(old), old).toMatch(/^not offered/);
  });

  it("sslscan sees TLS 1.2 and 1.3 only, strong ciphers only, no compression and no insecure renegotiation", () => {
    expect(scanned?.weaknesses, scanned?.xml).toEqual([]);
    expect([...(scanned?.protocols ?? [])].sort()).toEqual(["TLSv1.2", "TLSv1.3"]);
  });
});
