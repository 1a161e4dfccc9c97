import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";

/**
 * The two TLS scanners Debian packages, run against a server on 127.0.0.1 only: testssl.sh (`testssl`) and
 * sslscan. Neither is allowed a lookup or a connection beyond loopback: testssl gets the address (`--ip`) and
 * `--nodns none`, and fetches no CRL or OCSP answer (that needs `--phone-out`, never given).
 */

/** What testssl grades; anything at or above MEDIUM fails a test. */
export const FAILING_SEVERITIES = ["MEDIUM", "HIGH", "CRITICAL"] as const;

/** `program args…`, or the same run by `ip netns exec <netns>`. */
function inNamespace(netns: string | undefined, program: string, args: readonly string[]): [string, string[]] {
  return netns ? ["ip", ["netns", "exec", netns, program, ...args]] : [program, [...args]];
}

export interface TestsslFinding {
  readonly id: string;
  readonly severity: string;
  readonly finding: string;
}

export interface TestsslRun {
  readonly findings: readonly TestsslFinding[];
  /** The findings graded MEDIUM or worse, as `id (SEVERITY): finding`. */
  readonly failing: readonly string[];
  readonly output: string;
}

/**
 * testssl.sh against `https://<name>:<port>/` served on 127.0.0.1, with the given checks (`-p -s -f …`) and,
 * when given, a CA file to trust (the cluster CA, or the test CA of the site certificate).
 */
/**
 * A testssl.sh run, again (at most three runs in all) while one of its checks reports that it could not
 * connect: that is the scanner losing a connection on a loaded machine, not a property of the server, and a
 * check that never completes would otherwise hide what it checks. A check that fails to connect three times
 * running stays in the last run's findings, and the tests that read them fail.
 */
export function testssl(options: TestsslOptions): TestsslRun {
  let run = testsslOnce(options);
  for (let attempt = 2; attempt <= 3 && couldNotConnect(run); attempt++) run = testsslOnce(options);
  return run;
}

function couldNotConnect(run: TestsslRun): boolean {
  return run.findings.some((finding) => /connect problem/i.test(finding.finding));
}

interface TestsslOptions {
  readonly workDir: string;
  readonly name: string;
  readonly port: number;
  readonly checks: readonly string[];
  readonly trust?: string;
  /** A network namespace to scan from (the server's own), instead of the test's. */
  readonly netns?: string;
}

function testsslOnce(options: TestsslOptions): TestsslRun {
  const json = path.join(options.workDir, `testssl-${options.name}-${options.port}.json`);
  rmSync(json, { force: true });
  const args = [
    "--ip",
    "127.0.0.1",
    "--nodns",
    "none",
    "--sneaky",
    "--color",
    "0",
    "--warnings",
    "off",
    // Generous: on a loaded machine (two cores, other suites running) a handshake can take seconds, and a
    // timed-out check is reported as a WARN, not as a pass.
    "--connect-timeout",
    "15",
    "--openssl-timeout",
    "15",
    "--jsonfile",
    json,
    ...(options.trust ? ["--add-ca", options.trust] : []),
    ...options.checks,
    `https://${options.name}:${options.port}/`,
  ];
  const run = spawnSync(...inNamespace(options.netns, "testssl", args), { cwd: options.workDir, encoding: "utf8", timeout: 300_000 });
  if (run.error) throw run.error; // a missing scanner fails the test, it never skips it
  const output = `${run.stdout}${run.stderr}`;
  if (!existsSync(json)) throw new Error(`testssl wrote no JSON (exit ${run.status}):\n${output}`);
  const findings = (JSON.parse(readFileSync(json, "utf8")) as TestsslFinding[]).map(({ id, severity, finding }) => ({
    id,
    severity,
    finding,
  }));
  const failing = findings
    .filter((finding) => (FAILING_SEVERITIES as readonly string[]).includes(finding.severity))
    .map((finding) => `${finding.id} (${finding.severity}): ${finding.finding}`);
  return { findings, failing, output };
}

/**
 * What testssl says of a certificate's revocation: the CRL distribution point it names (testssl fetches nothing
 * without `--phone-out`, which is never given), and whether it flagged a certificate that names neither a CRL
 * nor an OCSP responder (`cert_revocation`, graded HIGH).
 */
export function revocationFindings(run: TestsslRun): { distributionPoint: string | undefined; revocation: readonly TestsslFinding[] } {
  return {
    distributionPoint: run.findings.find((finding) => finding.id === "cert_crlDistributionPoints")?.finding,
    revocation: run.findings.filter((finding) => finding.id.startsWith("cert_revocation")),
  };
}

export interface SslscanRun {
  /** Protocols the server accepts, as sslscan names them (`TLSv1.2`, `TLSv1.3`). */
  readonly protocols: readonly string[];
  /** Accepted ciphers with sslscan's own grading: `TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 strong`. */
  readonly ciphers: readonly string[];
  /** What sslscan reports as weak: an old protocol, a cipher not graded strong or acceptable, compression, … */
  readonly weaknesses: readonly string[];
  readonly xml: string;
}

const attribute = (element: string, name: string): string | undefined => new RegExp(`\\b${name}="([^"]*)"`).exec(element)?.[1];

/** sslscan against 127.0.0.1:<port> with `servername` as SNI; its XML report read into findings. */
export function sslscan(options: {
  readonly port: number;
  readonly servername: string;
  /** For a server that requires one (etcd, dockerd): without it, sslscan sees no TLS 1.2 handshake through. */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
  readonly netns?: string;
}): SslscanRun {
  const client = options.clientCertificate ? [`--certs=${options.clientCertificate.cert}`, `--pk=${options.clientCertificate.key}`] : [];
  const args = ["--no-colour", ...client, `--sni-name=${options.servername}`, "--xml=-", `127.0.0.1:${options.port}`];
  const run = spawnSync(...inNamespace(options.netns, "sslscan", args), {
    encoding: "utf8",
    timeout: 120_000,
  });
  if (run.error) throw run.error;
  const xml = run.stdout;
  if (!xml.includes("<ssltest")) throw new Error(`sslscan gave no report (exit ${run.status}):\n${run.stdout}${run.stderr}`);
  const elements = (tag: string) => xml.match(new RegExp(`<${tag}\\b[^>]*>`, "g")) ?? [];

  const protocols = elements("protocol")
    .filter((element) => attribute(element, "enabled") === "1")
    .map((element) => `${attribute(element, "type") === "ssl" ? "SSLv" : "TLSv"}${attribute(element, "version")}`);
  const ciphers = elements("cipher").map(
    (element) => `${attribute(element, "sslversion")} ${attribute(element, "cipher")} ${attribute(element, "strength")}`,
  );
  const weaknesses = [
    ...protocols.filter((protocol) => !["TLSv1.2", "TLSv1.3"].includes(protocol)).map((protocol) => `protocol ${protocol} enabled`),
    ...ciphers.filter((cipher) => !/ (strong|acceptable)$/.test(cipher)).map((cipher) => `cipher ${cipher}`),
    ...elements("compression")
      .filter((element) => attribute(element, "supported") === "1")
      .map(() => "TLS compression"),
    ...elements("heartbleed")
      .filter((element) => attribute(element, "vulnerable") === "1")
      .map((element) => `heartbleed on ${attribute(element, "sslversion")}`),
    ...elements("renegotiation")
      .filter((element) => attribute(element, "supported") === "1" && attribute(element, "secure") !== "1")
      .map(() => "insecure renegotiation"),
    ...elements("group")
      .filter((element) => Number(attribute(element, "bits")) < 128)
      .map((element) => `key exchange group ${attribute(element, "name")} (${attribute(element, "bits")} bits)`),
  ];
  return { protocols, ciphers, weaknesses, xml };
}
