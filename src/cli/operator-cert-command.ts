import path from "node:path";
import { gitWouldCommit, isInside, makePrivateFolder, writePrivateFile } from "../core/private-files.js";
import { InvalidClock } from "../pki/clock.js";
import { mintOperatorCertificate, OperatorCertError, type OperatorDomain, parseTtl } from "../pki/operator-cert.js";
import type { Output } from "./output.js";
import { displayPath, projectPaths } from "./project.js";

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
  const display = (file: string): string => displayPath(paths.root, file);
  const dir = path.resolve(options.out ?? path.join(paths.root, "secrets", "operator", options.domain));
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
    makePrivateFolder(dir);
    writePrivateFile(path.join(dir, "ca.pem"), minted.caPem, 0o644);
    writePrivateFile(path.join(dir, "cert.pem"), minted.certificatePem, 0o644);
    writePrivateFile(path.join(dir, "key.pem"), minted.privateKeyPem);
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
