import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import path from "node:path";

/** Test certificates made by openssl, for servers the tests run (never the project's PKI). */

const openssl = (dir: string, args: readonly string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });

/** openssl's `subjectAltName` value: an IP address as `IP:`, any other name as `DNS:`. */
const altNames = (names: readonly string[]) => names.map((name) => `${isIP(name) ? "IP" : "DNS"}:${name}`).join(",");

const newKey = (key: "rsa" | "ec") => (key === "ec" ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"]);

export interface SelfSignedOptions {
  /** The subject's common name, which also tells one test certificate from another. */
  readonly cn: string;
  /** Subject alternative names: host names, or IP addresses. */
  readonly names?: readonly string[];
  readonly key?: "rsa" | "ec";
  readonly days?: number;
}

/**
 * A self-signed key and certificate, `key.pem` and `cert.pem` in `dir` (made when missing), as paths and
 * as PEM texts: for a server whose client does not check who signed it (nginx -t, a reload).
 */
export function selfSignedPair(
  dir: string,
  { cn, names = [], key = "rsa", days = 1 }: SelfSignedOptions,
): { keyFile: string; certFile: string; key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, "key.pem");
  const certFile = path.join(dir, "cert.pem");
  openssl(dir, [
    "req",
    "-x509",
    ...newKey(key),
    "-nodes",
    "-days",
    String(days),
    "-subj",
    `/CN=${cn}`,
    ...(names.length > 0 ? ["-addext", `subjectAltName=${altNames(names)}`] : []),
    "-keyout",
    keyFile,
    "-out",
    certFile,
  ]);
  return { keyFile, certFile, key: readFileSync(keyFile, "utf8"), cert: readFileSync(certFile, "utf8") };
}

/**
 * A test CA and a server certificate signed by it, as Let's Encrypt issues one today (90 days, RSA 2048,
 * a CRL distribution point and no OCSP URL): TLS scanners grade the certificate too, and a self-signed one
 * would be a finding of the test's making. Nothing ever fetches the CRL URL. `names` are host names or IP
 * addresses; the first is the subject's common name. Files in `dir`: ca.pem, fullchain.pem, privkey.pem.
 */
export function issueTestCertificate(dir: string, names: readonly string[]): { ca: string; fullchain: string; key: string } {
  mkdirSync(dir, { recursive: true });
  const file = (name: string) => path.join(dir, name);
  openssl(dir, [
    "req",
    "-x509",
    ...newKey("ec"),
    "-nodes",
    "-days",
    "365",
    "-subj",
    "/CN=swarm-cluster test CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.pem"),
  ]);
  writeFileSync(
    file("leaf.ext"),
    [
      `subjectAltName=${altNames(names)}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      "crlDistributionPoints=URI:http://crl.example.org/test-ca.crl",
      "",
    ].join("\n"),
  );
  openssl(dir, [
    "req",
    "-new",
    ...newKey("rsa"),
    "-nodes",
    "-subj",
    `/CN=${names[0]}`,
    "-keyout",
    file("privkey.pem"),
    "-out",
    file("leaf.csr"),
  ]);
  openssl(dir, [
    "x509",
    "-req",
    "-in",
    file("leaf.csr"),
    "-CA",
    file("ca.pem"),
    "-CAkey",
    file("ca.key"),
    "-CAcreateserial",
    "-days",
    "90",
    "-sha256",
    "-extfile",
    file("leaf.ext"),
    "-out",
    file("fullchain.pem"),
  ]);
  return { ca: file("ca.pem"), fullchain: file("fullchain.pem"), key: file("privkey.pem") };
}
