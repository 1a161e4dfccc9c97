import { readFileSync } from "node:fs";
import path from "node:path";
import { Argument, Command, InvalidArgumentError, Option } from "commander";
import { packageRoot } from "../core/package-root.js";
import { withSourcePositions } from "../core/source-location.js";
import { processOutput, type Output } from "./output.js";

const DEFAULT_CONFIG = "cluster.config.ts";

const FINDING_JSON = `  finding: {severity: "error"|"warning"|"info", code, construct, field, message, hint,
           location: {file, line, column}}`;
const BUILD_JSON = `  {command: "build", ok, outcome: "written"|"unchanged"|"up-to-date"|"out-of-date"|"failed", outDir,
   files, changes: {added, changed, removed}, pendingCertificates, findings: [finding]}`;
const DIFF_JSON = `  {command: "diff", ok, changed, files: [{path, change: "added"|"removed"|"changed", delivery}],
   pendingCertificates, availability: [{change: "new"|"resolved", ...finding}], findings: [finding]}`;
const ANALYZE_JSON = `  {command: "analyze", ok, fail, sets: {checked, breaking}, firstBreaking: {nodes, breaks}, findings: [finding]}`;
const DNS_JSON = `  {command: "dns", ok, zones: [{zone, zoneId, routing: "simple"|"multivalue", ttl, file, healthChecksFile,
   records: [{name, type, ttl, values, setIdentifier, healthCheck}]}], findings: [finding]}`;
const jsonHelp = (...shapes: string[]): string =>
  `\nWith --json, stdout holds one JSON document and nothing else (every key always present, null when unknown):\n${[...shapes, FINDING_JSON].join("\n")}`;

const CONVENTIONS_HELP = `${jsonHelp(BUILD_JSON, DIFF_JSON, ANALYZE_JSON)}
Exit status: 0 on success; 1 when the config has a problem, --strict finds an error or warning, --check
finds a difference, diff --exit-code (or --quiet) finds a change, or analyze finds an error.
Colour on a terminal only, and never when NO_COLOR is set.`;

function packageVersion(): string {
  return (JSON.parse(readFileSync(path.join(packageRoot(), "package.json"), "utf8")) as { version: string }).version;
}

/** The `swarm-cluster` command line. Each command's module is loaded only when that command runs. */
export function createProgram(
  io: Output = processOutput(),
  setExitCode: (code: number) => void = (code) => {
    process.exitCode = code;
  },
): Command {
  const program = new Command("swarm-cluster")
    .description("Compile cluster.config.ts into Ignition, systemd, PKI, stack, nginx and Prometheus artifacts in out/")
    .version(packageVersion(), "-V, --version", "print the version of swarm-cluster")
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err })
    .addHelpText("after", CONVENTIONS_HELP);

  program
    .command("build")
    .description("compile the cluster config into out/ (atomically; a failed build writes nothing, an unchanged one touches nothing)")
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-o, --out <dir>", "output folder (default: out/ beside the config)")
    .option("--check", "write nothing; exit 1 listing each file that differs from a fresh build (for CI)")
    .option("--strict", "fail on any high-availability finding of severity error or warning")
    .option("-q, --quiet", "print only errors")
    .option("--json", "print the result and findings as one JSON document on stdout")
    .addHelpText("after", jsonHelp(BUILD_JSON))
    .action(async (options: { config: string; out?: string; check?: boolean; strict?: boolean; quiet?: boolean; json?: boolean }) => {
      const { runBuild } = await import("./build-command.js");
      setExitCode(await runBuild(options, io));
    });

  program
    .command("diff")
    .description("summarise what a fresh build would change against the committed out/, for a pull request")
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-o, --out <dir>", "committed output folder (default: out/ beside the config)")
    .option("--exit-code", "exit 1 when a build would change something, 0 when not (as git diff --exit-code)")
    .option("-q, --quiet", "print nothing but errors; implies --exit-code (as git diff --quiet)")
    .option("--json", "print the changes as one JSON document on stdout")
    .addHelpText("after", jsonHelp(DIFF_JSON))
    .action(async (options: { config: string; out?: string; exitCode?: boolean; quiet?: boolean; json?: boolean }) => {
      const { runDiff } = await import("./diff-command.js");
      setExitCode(await runDiff(options, io));
    });

  program
    .command("analyze")
    .description(
      "simulate the loss of every node, every pair of nodes and every zone, and print what each breaks (a quorum, " +
        "the request path, data) with the smallest fix; exit 1 on an error",
    )
    .addOption(new Option("-c, --config <file>", "cluster config to analyse").default(DEFAULT_CONFIG))
    .addOption(
      new Option("--fail <n>", "require tolerance of any n nodes lost at once, naming the first set that breaks something")
        .default(1)
        .argParser(parseFailCount),
    )
    .option("--json", "print the findings as one JSON document on stdout")
    .addHelpText("after", jsonHelp(ANALYZE_JSON))
    .action(async (options: { config: string; fail: number; json?: boolean }) => {
      const { runAnalyze } = await import("./analyze-command.js");
      setExitCode(await runAnalyze(options, io));
    });

  program
    .command("dns")
    .description(
      "print the Route53 plan: each hosted zone's record sets (the change batches build writes to out/dns/) and the " +
        "AWS CLI commands that apply them; writes nothing, calls nothing",
    )
    .addOption(new Option("-c, --config <file>", "cluster config to read").default(DEFAULT_CONFIG))
    .option("--json", "print the plan as one JSON document on stdout")
    .addHelpText("after", jsonHelp(DNS_JSON))
    .action(async (options: { config: string; json?: boolean }) => {
      const { runDns } = await import("./dns-command.js");
      setExitCode(await runDns(options, io));
    });

  program
    .command("provision")
    .description(
      "write each node's user-data to secrets/ignition/<hostname>.ign: its Ignition config plus its private keys " +
        "(/etc/ssl/swarm/<domain>/key.pem), which out/ never holds; git-ignored files, mode 0600; key material is never printed",
    )
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-n, --node <hostname...>", "nodes to provision (default: every node)")
    .option("-o, --out <dir>", "folder for the overlays (default: secrets/ignition/ beside the config; never inside out/)")
    .option("-q, --quiet", "print only errors")
    .action(async (options: { config: string; node?: string[]; out?: string; quiet?: boolean }) => {
      const { runProvision } = await import("./provision-command.js");
      setExitCode(await runProvision(options, io));
    });

  program
    .command("operator-cert")
    .description(
      "mint a short-lived client certificate for a person, signed by the domain's CA key from secrets/pki/, into a " +
        "git-ignored folder (ca.pem, cert.pem, key.pem 0600); never committed, never printed",
    )
    .addOption(new Option("-c, --config <file>", "cluster config whose pki/ and secrets/ to use").default(DEFAULT_CONFIG))
    .addOption(new Option("-d, --domain <domain>", "trust domain to open").choices(["docker-api", "etcd-client"]).default("docker-api"))
    .addOption(new Option("-t, --ttl <duration>", "lifetime: minutes, hours or days (90m, 24h, 2d), at most 7d").default("24h"))
    .addOption(new Option("-n, --name <name>", "who the certificate is for (its common name)").default("operator"))
    .option("-o, --out <dir>", "folder for the files (default: secrets/operator/<domain>/ beside the config; never inside out/)")
    .action(async (options: { config: string; domain: string; ttl: string; name: string; out?: string }) => {
      const { runOperatorCert } = await import("./operator-cert-command.js");
      setExitCode(await runOperatorCert(options, io));
    });

  program
    .command("rotate-ca")
    .description(
      "rotate a trust domain's CA with an overlap: `start` adds a new CA beside the old one to every trust bundle, " +
        "`switch` makes the new CA issue (the old one stays trusted), `finish` retires the old CA; build and apply after each step",
    )
    .argument("<domain>", "trust domain: etcd-peer, etcd-client or docker-api")
    .addArgument(new Argument("<step>", "rotation step").choices(["start", "switch", "finish"]))
    .addOption(new Option("-c, --config <file>", "cluster config whose pki/ and secrets/ to use").default(DEFAULT_CONFIG))
    .action(async (domain: string, step: "start" | "switch" | "finish", options: { config: string }) => {
      const { runRotateCa } = await import("./rotate-ca-command.js");
      setExitCode(await runRotateCa(domain, step, options, io));
    });

  const pki = program
    .command("pki")
    .description(
      "a trust domain's certificate revocation list (pki/<domain>/crl.pem, committed): `revoke` adds a certificate, " +
        "`crl` re-signs the unchanged list before its next update; both sign with the CA key from secrets/pki/; build and apply after",
    );
  pki
    .command("revoke")
    .description("revoke a certificate of a trust domain: sign a new CRL listing it; the next build re-issues a revoked node certificate")
    .argument("<domain>", "trust domain: etcd-peer, etcd-client or docker-api")
    .argument("<certificate>", "a certificate's name in pki/<domain>/certs/ (e.g. a hostname), or a serial in hexadecimal")
    .addOption(
      new Option("-r, --reason <reason>", "why (RFC 5280 CRLReason)")
        .choices(["keyCompromise", "affiliationChanged", "superseded", "cessationOfOperation"])
        .default("keyCompromise"),
    )
    .addOption(new Option("-c, --config <file>", "cluster config whose pki/ and secrets/ to use").default(DEFAULT_CONFIG))
    .action(async (domain: string, certificate: string, options: { config: string; reason: string }) => {
      const { runPkiRevoke } = await import("./pki-command.js");
      setExitCode(await runPkiRevoke(domain, certificate, options, io));
    });
  pki
    .command("crl")
    .description("re-sign a trust domain's unchanged CRL (a new thisUpdate, and a nextUpdate a year on)")
    .argument("<domain>", "trust domain: etcd-peer, etcd-client or docker-api")
    .addOption(new Option("-c, --config <file>", "cluster config whose pki/ and secrets/ to use").default(DEFAULT_CONFIG))
    .action(async (domain: string, options: { config: string }) => {
      const { runPkiCrl } = await import("./pki-command.js");
      setExitCode(await runPkiCrl(domain, options, io));
    });

  program
    .command("secrets")
    .description(
      "write every Docker secret the config declares into git-ignored secrets/docker/<name> (mode 0600): generated ones " +
        "with fresh random values, never overwriting one that exists; --rotate makes one again under a new version. " +
        "Prints names and paths, never values",
    )
    .addOption(new Option("-c, --config <file>", "cluster config to read").default(DEFAULT_CONFIG))
    .option(
      "-r, --rotate <name...>",
      "make these secrets again (and those derived from them), bumping their versions in secret-versions.json",
    )
    .option("-q, --quiet", "print only errors")
    .action(async (options: { config: string; rotate?: string[]; quiet?: boolean }) => {
      const { runSecrets } = await import("./secrets-command.js");
      setExitCode(await runSecrets(options, io));
    });

  return program;
}

function parseFailCount(value: string): number {
  const count = Number(value);
  if (!/^[0-9]+$/.test(value) || count < 1) throw new InvalidArgumentError("a whole number of nodes, 1 or more");
  return count;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await createProgram().parseAsync([...argv]);
  } catch (error) {
    // An internal error, which bin/swarm-cluster.js prints: its frames in the one-line bundle name their sources.
    if (error instanceof Error && error.stack) error.stack = withSourcePositions(error.stack);
    throw error;
  }
}
