import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import path from "node:path";
import { etcdFlags } from "../../generators/etcd/etcd-flags.js";
import { mintOperatorCertificate, type OperatorDomain } from "../../src/pki/operator-cert.js";

/** Real etcd and dockerd started on loopback from the generated TLS files, for the trust-domain tests. */

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export function run(program: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): { status: number | null; output: string } {
  const result = spawnSync(program, args, { encoding: "utf8", env: { PATH: process.env.PATH ?? "", ...env }, timeout: 30_000 });
  if (result.error) throw result.error; // a missing tool fails the test, it never skips it
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A client's files, laid out as the Docker CLI's DOCKER_CERT_PATH: ca.pem (server check), cert.pem, key.pem. */
export interface ClientFiles {
  readonly dir: string;
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
}

export function clientFiles(dir: string, caPem: string, certificatePem: string, keyPem: string): ClientFiles {
  mkdirSync(dir, { recursive: true });
  const files = { dir, ca: path.join(dir, "ca.pem"), cert: path.join(dir, "cert.pem"), key: path.join(dir, "key.pem") };
  writeFileSync(files.ca, caPem);
  writeFileSync(files.cert, certificatePem);
  writeFileSync(files.key, keyPem, { mode: 0o600 });
  return files;
}

/** What `swarm-cluster operator-cert --domain <domain>` mints, written to `dir`. */
export async function operatorClient(project: string, domain: OperatorDomain, dir: string): Promise<ClientFiles> {
  const pki = { stateDir: path.join(project, "pki"), secretsDir: path.join(project, "secrets", "pki") };
  const minted = await mintOperatorCertificate(pki, { domain, name: `operator-${domain}`, ttlMs: 3_600_000 });
  return clientFiles(dir, minted.caPem, minted.certificatePem, minted.privateKeyPem);
}

/** A member's TLS files of one domain as its host holds them: /etc/ssl/swarm/<domain>/{ca,cert,key}.pem. */
export interface DomainFiles {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** The domain's CRL, when the member is to check one (`--client-crl-file`, `--peer-crl-file`). */
  readonly crl?: string;
}

/** One etcd member on loopback, client and peer ports verified against the given domains' files. */
export class EtcdMember {
  readonly clientPort: number;
  private child: ChildProcess | undefined;

  private constructor(
    clientPort: number,
    readonly peerPort: number,
    private readonly dir: string,
  ) {
    this.clientPort = clientPort;
  }

  static async create(dir: string): Promise<EtcdMember> {
    return new EtcdMember(await freePort(), await freePort(), dir);
  }

  get endpoint(): string {
    return `https://127.0.0.1:${this.clientPort}`;
  }

  /** Starts etcd with the flags the etcd-member unit renders (the same builder), paths and ports substituted. */
  async start(tls: { client: DomainFiles; peer: DomainFiles }, healthClient: ClientFiles): Promise<void> {
    const self = { name: "sw-node-1", host: "127.0.0.1", clientPort: this.clientPort, peerPort: this.peerPort };
    const flags = etcdFlags({ self, peers: [self], clusterToken: "trust-domains", dataDir: path.join(this.dir, "data"), tls });
    const log = openSync(path.join(this.dir, "etcd.log"), "a");
    this.child = spawn("etcd", flags, { stdio: ["ignore", log, log], env: { PATH: process.env.PATH ?? "" } });
    for (let attempt = 0; attempt < 60; attempt++) {
      if (this.get(healthClient, "health").status === 0) return;
      await sleep(500);
    }
    throw new Error(`etcd did not become healthy:\n${readFileSync(path.join(this.dir, "etcd.log"), "utf8").slice(-3000)}`);
  }

  /** etcdctl with the given client files: a put then a get of one key. */
  get(client: ClientFiles, key: string): { status: number | null; output: string } {
    return run("etcdctl", [
      `--endpoints=${this.endpoint}`,
      `--cacert=${client.ca}`,
      `--cert=${client.cert}`,
      `--key=${client.key}`,
      "--dial-timeout=3s",
      "--command-timeout=5s",
      "get",
      key,
    ]);
  }

  put(client: ClientFiles, key: string, value: string): { status: number | null; output: string } {
    return run("etcdctl", [
      `--endpoints=${this.endpoint}`,
      `--cacert=${client.ca}`,
      `--cert=${client.cert}`,
      `--key=${client.key}`,
      "--dial-timeout=3s",
      "--command-timeout=5s",
      "put",
      key,
      value,
    ]);
  }

  /** Where etcd's log ends now; `logSince` reads what it wrote after. */
  logMark(): number {
    return readFileSync(path.join(this.dir, "etcd.log")).length;
  }

  logSince(mark: number): string {
    return readFileSync(path.join(this.dir, "etcd.log")).subarray(mark).toString("utf8");
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }
}
