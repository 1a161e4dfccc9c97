import { Command, Option } from "commander";
import type { Output } from "./build-command.js";

const DEFAULT_CONFIG = "cluster.config.ts";

const stdio: Output = {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
};

/** The `swarm-cluster` command line. Each command's module is loaded only when that command runs. */
export function createProgram(io: Output = stdio, setExitCode: (code: number) => void = (code) => void (process.exitCode = code)): Command {
  const program = new Command("swarm-cluster")
    .description("Compile cluster.config.ts into Ignition, systemd, PKI, stack, nginx and Prometheus artifacts in out/")
    .showHelpAfterError()
    .configureOutput({ writeOut: io.out, writeErr: io.err });

  program
    .command("build")
    .description("compile the cluster config into out/ (atomically; a failed build writes nothing)")
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-o, --out <dir>", "output folder (default: out/ beside the config)")
    .option("--check", "write nothing; exit 1 listing each file that differs from a fresh build (for CI)")
    .option("--strict", "fail on any high-availability finding of severity error")
    .action(async (options: { config: string; out?: string; check?: boolean; strict?: boolean }) => {
      const { runBuild } = await import("./build-command.js");
      setExitCode(await runBuild(options, io));
    });

  program
    .command("diff")
    .description("summarise what a fresh build would change against the committed out/, for a pull request")
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-o, --out <dir>", "committed output folder (default: out/ beside the config)")
    .action(async (options: { config: string; out?: string }) => {
      const { runDiff } = await import("./diff-command.js");
      setExitCode(await runDiff(options, io));
    });

  program
    .command("import")
    .description("generate TypeScript types in src/imports/ from the official JSON schemas in ../shared/schemas")
    .option("--schemas <dir>", "folder holding the official schemas (default: ../shared/schemas from the repository)")
    .option("--check", "write nothing; exit 1 if src/imports/ differs from a fresh import")
    .action(async (options: { schemas?: string; check?: boolean }) => {
      const { runImport } = await import("./import-command.js");
      setExitCode(await runImport({ ...(options.schemas ? { schemasDir: options.schemas } : {}), check: Boolean(options.check) }));
    });

  program
    .command("provision")
    .description(
      "write each node's user-data to secrets/ignition/<hostname>.ign: its Ignition config plus its private key " +
        "(/etc/ssl/swarm/node-key.pem), which out/ never holds; git-ignored files, mode 0600; key material is never printed",
    )
    .addOption(new Option("-c, --config <file>", "cluster config to compile").default(DEFAULT_CONFIG))
    .option("-n, --node <hostname...>", "nodes to provision (default: every node)")
    .option("-o, --out <dir>", "folder for the overlays (default: secrets/ignition/ beside the config; never inside out/)")
    .action(async (options: { config: string; node?: string[]; out?: string }) => {
      const { runProvision } = await import("./provision-command.js");
      setExitCode(await runProvision(options, io));
    });

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  await createProgram().parseAsync([...argv]);
}
