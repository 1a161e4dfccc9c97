import { chmodSync, existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { InvalidClock } from "../pki/clock.js";
import { mintOperatorCertificate, OperatorCertError, type OperatorDomain, parseTtl } from "../pki/operator-cert.js";
import { gitWouldCommit, isInside } from "../provision/write-overlays.js";
import type { Output } from "./output.js";
import { projectPaths } from "./project.js";

export interface OperatorCertOptions {
  readonly config: string;
  readonly domain: string;
  readonly ttl: string;
  readonly name: string;
  readonly out?: string | undefined;
}

/**
 * Mints a short-lived client certificate for a person, signed by the domain's CA key, into a git-ignored
 * folder laid out as the Docker CLI's DOCKER_CERT_PATH (ca.pem, cert.pem, key.pem). Prints where, and how to
 * use it; never the key.
 */
export async function runOperatorCert(options: OperatorCertOptions, io: Output): Promise<number> {
  const paths = projectPaths(options.config);
  const root = path.dirname(paths.configFile);
  const display = (file: string): string => {
    const relative = path.relative(root, file);
    return relative.startsWith("..") || path.isAbsolute(relative) ? file : relative.split(path.sep).join("/");
  };
  const dir = path.resolve(options.out ?? path.join(root, "secrets", "operator", options.domain));
  try {
    const ttlMs = parseTtl(options.ttl);
    if (isInside(dir, paths.outDir)) {
      throw new OperatorCertError(
        `${display(dir)} is inside ${display(paths.outDir)}/, which is committed; leave out --out or choose another folder`,
      );
    }
    if (gitWouldCommit(path.join(dir, "key.pem"))) {
      throw new OperatorCertError(
        `git does not ignore ${display(dir)}, so the private key could be committed; leave out --out or add it to .gitignore`,
      );
    }
    const minted = await mintOperatorCertificate(paths.pki, { domain: options.domain as OperatorDomain, name: options.name, ttlMs });
    writeFolder(dir, [
      ["ca.pem", minted.caPem, 0o644],
      ["cert.pem", minted.certificatePem, 0o644],
      ["key.pem", minted.privateKeyPem, 0o600],
    ]);
    const shown = display(dir);
    io.out(
      `wrote ${shown}/{ca,cert,key}.pem: a ${options.domain} client certificate for ${options.name}, valid until ${minted.notAfter.toISOString()}\n`,
    );
    io.out(usage(options.domain, shown));
    io.out(`if its key is lost before then: swarm-cluster pki revoke ${options.domain} ${minted.serial}\n`);
    return 0;
  } catch (error) {
    if (error instanceof OperatorCertError || error instanceof InvalidClock) {
      io.err(`swarm-cluster: operator-cert: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
}

function usage(domain: string, dir: string): string {
  if (domain === "docker-api") {
    return `use it with: DOCKER_TLS_VERIFY=1 DOCKER_CERT_PATH=${dir} DOCKER_HOST=tcp://<manager private address>:2376 docker …\n`;
  }
  return `use it with: etcdctl --cacert=${dir}/ca.pem --cert=${dir}/cert.pem --key=${dir}/key.pem --endpoints=https://<member private address>:2379 …\n`;
}

/** Each file written 0600 first and renamed into place, so the key is never readable by others, even briefly. */
function writeFolder(dir: string, files: readonly (readonly [string, string, number])[]): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  for (const [name, content, mode] of files) {
    const target = path.join(dir, name);
    const temporary = `${target}.tmp-${process.pid}`;
    try {
      writeFileSync(temporary, content, { mode: 0o600, flag: "wx" });
      chmodSync(temporary, mode);
      renameSync(temporary, target);
    } finally {
      if (existsSync(temporary)) rmSync(temporary, { force: true });
    }
  }
}
