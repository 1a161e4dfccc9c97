import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ignitionGenerator } from "../../generators/ignition/index.js";
import { pkiGenerator } from "../../generators/pki/index.js";
import { systemdGenerator } from "../../generators/systemd/index.js";
import { Cluster, ClusterPki, DockerHost, EtcdCluster, Node, Testing } from "../../src/index.js";
import { writeStateFiles } from "../../src/synth/write-out.js";
import { copyOf } from "../helpers/host-families.fixture.js";
import { TEST_SSH_KEY } from "../helpers/ssh-key.js";
import { type ClientFiles, clientFiles, type DomainFiles, EtcdMember, freePort, operatorClient, run, sleep } from "./daemons.fixture.js";

/**
 * Real programs, run for real: an etcd and a dockerd started on loopback with the TLS files the build gives
 * sw-node-1 (its Ignition files under /etc/ssl/swarm/<domain>/ and its keys from secrets/), and the flags the
 * generated units pass them (etcd: the etcd-member unit's builder; dockerd: DOCKER_OPTS of the generated
 * /etc/docker/tls.env), paths moved into a temporary folder. Each daemon must accept a client certificate
 * of its own trust domain, minted as `swarm-cluster operator-cert` mints it, and refuse one of another
 * domain, even when the client trusts the daemon (so the refusal is the daemon's).
 */
const HOST = "sw-node-1";
const DOMAINS = ["docker-api", "etcd-client", "etcd-peer"] as const;
type Domain = (typeof DOMAINS)[number];

const dir = mkdtempSync(path.join(tmpdir(), "swarm-cluster-trust-domains-"));
const project = path.join(dir, "project");
const hostRoot = path.join(dir, "host");
let files: Map<string, string>;
/** sw-node-1's files of each domain, as its host holds them. */
const onHost = (domain: Domain): DomainFiles => {
  const folder = path.join(hostRoot, "etc/ssl/swarm", domain);
  return { ca: path.join(folder, "ca.pem"), cert: path.join(folder, "cert.pem"), key: path.join(folder, "key.pem") };
};

/** A server refused the client's certificate (TLS alert from the server), as opposed to the client refusing the server. */
const REFUSED_BY_SERVER = /remote error: tls: (bad certificate|unknown certificate authority|certificate required)/;

/** etcd's log line for a client certificate its --trusted-ca-file does not vouch for. */
const ETCD_REFUSED = /rejected connection[^\n]*certificate signed by unknown authority/;

beforeAll(async () => {
  const cluster = new Cluster({
    name: "trust",
    privateNetwork: "10.10.1.0/24",
    domain: "swarm.internal",
    sshAuthorizedKeys: [TEST_SSH_KEY],
  });
  const node = new Node(cluster, HOST, { tier: "app", privateIp: "10.10.1.21", swarmRole: "manager" });
  new EtcdCluster(cluster, "etcd", { members: [node] });
  new DockerHost(cluster, "docker");
  new ClusterPki(cluster, "pki");
  mkdirSync(project);
  const result = await Testing.synthResult(cluster, {
    projectDir: project,
    generators: [pkiGenerator, systemdGenerator, ignitionGenerator],
  });
  writeStateFiles(result.stateWrites);
  files = new Map(result.files.map((file) => [file.path, file.content]));
  // What provisioning puts on the host: the public files from the node's Ignition, the keys from secrets/.
  for (const domain of DOMAINS) {
    const target = onHost(domain);
    mkdirSync(path.dirname(target.ca), { recursive: true });
    writeFileSync(target.ca, copyOf(files, HOST, `files/etc/ssl/swarm/${domain}/ca.pem`) ?? "");
    writeFileSync(target.cert, copyOf(files, HOST, `files/etc/ssl/swarm/${domain}/cert.pem`) ?? "");
    writeFileSync(target.key, readFileSync(path.join(project, "secrets/pki", domain, `${HOST}.key`)), { mode: 0o600 });
  }
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("the node's files", () => {
  it("hold one CA per domain, each trusting only itself", () => {
    const bundles = DOMAINS.map((domain) => readFileSync(onHost(domain).ca, "utf8"));
    expect(new Set(bundles).size).toBe(3);
    for (const bundle of bundles) expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
  });
});

describe("a real etcd from the generated certificates", () => {
  let etcd: EtcdMember;
  let etcdClient: ClientFiles;
  let dockerApiCertificate: ClientFiles;
  let peerCertificate: ClientFiles;

  beforeAll(async () => {
    const work = path.join(dir, "etcd");
    mkdirSync(work);
    etcdClient = await operatorClient(project, "etcd-client", path.join(work, "operator-etcd"));
    const dockerApi = await operatorClient(project, "docker-api", path.join(work, "operator-docker"));
    // The client trusts etcd (the etcd-client CA) but shows a Docker API certificate: only etcd can refuse it.
    dockerApiCertificate = clientFiles(
      path.join(work, "docker-cert"),
      readFileSync(onHost("etcd-client").ca, "utf8"),
      readFileSync(dockerApi.cert, "utf8"),
      readFileSync(dockerApi.key, "utf8"),
    );
    // The member's own peer certificate has client auth too, for port 2380: it must not open port 2379.
    peerCertificate = clientFiles(
      path.join(work, "peer-cert"),
      readFileSync(onHost("etcd-client").ca, "utf8"),
      readFileSync(onHost("etcd-peer").cert, "utf8"),
      readFileSync(onHost("etcd-peer").key, "utf8"),
    );
    etcd = await EtcdMember.create(work);
    await etcd.start({ client: onHost("etcd-client"), peer: onHost("etcd-peer") }, etcdClient);
  }, 120_000);

  afterAll(async () => etcd?.stop());

  it("accepts an operator certificate of the etcd-client domain", () => {
    expect(etcd.put(etcdClient, "swarm/trust", "ok")).toMatchObject({ status: 0 });
    expect(etcd.get(etcdClient, "swarm/trust").output).toContain("ok");
  });

  // etcdctl reports only a timeout; etcd's own log says why it refused the connection.
  it("refuses a Docker API certificate, though it is a client certificate of the cluster", () => {
    const mark = etcd.logMark();
    const refused = etcd.get(dockerApiCertificate, "swarm/trust");
    expect(refused.status).not.toBe(0);
    expect(etcd.logSince(mark)).toMatch(ETCD_REFUSED);
  });

  it("refuses the member's etcd-peer certificate on the client port", () => {
    const mark = etcd.logMark();
    const refused = etcd.get(peerCertificate, "swarm/trust");
    expect(refused.status).not.toBe(0);
    expect(etcd.logSince(mark)).toMatch(ETCD_REFUSED);
  });
});

describe("a real dockerd with the generated TLS options", () => {
  const work = path.join(dir, "dockerd");
  let dockerd: ChildProcess | undefined;
  let port = 0;
  let dockerApi: ClientFiles;
  let etcdCertificate: ClientFiles;

  /** The Docker CLI as the operator uses it: DOCKER_CERT_PATH holding ca.pem, cert.pem and key.pem. */
  const docker = (client: ClientFiles): { status: number | null; output: string } =>
    run("docker", ["version", "--format", "{{.Server.Version}}"], {
      HOME: work,
      DOCKER_HOST: `tcp://127.0.0.1:${port}`,
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: client.dir,
    });

  beforeAll(async () => {
    mkdirSync(work);
    // The daemon's TLS flags exactly as the build writes them for docker-tcp.socket, paths moved to the temp host.
    const environment = path.join(work, "tls.env");
    writeFileSync(environment, copyOf(files, HOST, "files/etc/docker/tls.env") ?? "");
    const words = spawnSync("sh", ["-c", '. "$1" && printf "%s\\n" $DOCKER_OPTS', "sh", environment], { encoding: "utf8" });
    const tlsOptions = words.stdout
      .split("\n")
      .filter((word) => word !== "")
      .map((word) => word.replace("=/etc/ssl/swarm/", `=${hostRoot}/etc/ssl/swarm/`));
    expect(tlsOptions).toEqual([
      "--tlsverify",
      `--tlscacert=${onHost("docker-api").ca}`,
      `--tlscert=${onHost("docker-api").cert}`,
      `--tlskey=${onHost("docker-api").key}`,
    ]);

    port = await freePort();
    const log = openSync(path.join(work, "dockerd.log"), "w");
    // A daemon of its own: its own data, exec root, pid file and sockets; no bridge, no iptables rules.
    dockerd = spawn(
      "dockerd",
      [
        ...tlsOptions,
        `--data-root=${path.join(work, "data")}`,
        `--exec-root=${path.join(work, "exec")}`,
        `--pidfile=${path.join(work, "dockerd.pid")}`,
        `--host=unix://${path.join(work, "docker.sock")}`,
        `--host=tcp://127.0.0.1:${port}`,
        "--bridge=none",
        "--iptables=false",
      ],
      { stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "" } },
    );

    dockerApi = await operatorClient(project, "docker-api", path.join(work, "operator-docker"));
    const etcdClient = await operatorClient(project, "etcd-client", path.join(work, "operator-etcd"));
    // The client trusts dockerd (the docker-api CA) but shows an etcd-client certificate.
    etcdCertificate = clientFiles(
      path.join(work, "etcd-cert"),
      readFileSync(onHost("docker-api").ca, "utf8"),
      readFileSync(etcdClient.cert, "utf8"),
      readFileSync(etcdClient.key, "utf8"),
    );
    for (let attempt = 0; attempt < 60; attempt++) {
      if (docker(dockerApi).status === 0) return;
      if (dockerd.exitCode !== null) break;
      await sleep(500);
    }
    throw new Error(`dockerd did not answer:\n${readFileSync(path.join(work, "dockerd.log"), "utf8").slice(-3000)}`);
  }, 120_000);

  afterAll(async () => {
    const child = dockerd;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    // By its pid only: dockerd stops the containerd it started itself.
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await Promise.race([exited, sleep(20_000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  }, 30_000);

  it("accepts an operator certificate minted for docker-api", () => {
    const answer = docker(dockerApi);
    expect(answer.status, answer.output).toBe(0);
    expect(answer.output.trim()).toMatch(/^\d+\.\d+/);
  });

  it("refuses an etcd-client certificate", () => {
    const refused = docker(etcdCertificate);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(REFUSED_BY_SERVER);
  });

  it("refuses the node's own etcd-client certificate (an etcd member's key opens etcd, not the Docker API)", () => {
    const memberKey = clientFiles(
      path.join(work, "member-cert"),
      readFileSync(onHost("docker-api").ca, "utf8"),
      readFileSync(onHost("etcd-client").cert, "utf8"),
      readFileSync(onHost("etcd-client").key, "utf8"),
    );
    const refused = docker(memberKey);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toMatch(REFUSED_BY_SERVER);
  });
});
