import { ConfigError } from "../core/problems.js";
import { ConfigLoadError } from "../config/load.js";
import { errStyleOf, type Output } from "./output.js";
import type { Problem } from "../core/problems.js";
import { commandProblem, printFindings } from "./report-findings.js";

/** Why a config could not be compiled, as findings: every validation problem, or the load error. Rethrows the unexpected. */
export function failureFindings(error: unknown): Problem[] {
  if (error instanceof ConfigError) return [...error.problems];
  if (error instanceof ConfigLoadError)
    return [commandProblem("config/load", error.message, "correct the config file as the message says")];
  throw error;
}

/** Prints a failed build's reason for a person: every problem with its config line, or the load error. */
export function reportError(error: unknown, io: Output): number {
  const findings = failureFindings(error);
  const style = errStyleOf(io);
  if (error instanceof ConfigError) {
    io.err(`swarm-cluster: ${style.error(`${findings.length} problem(s)`)} in the cluster description; nothing was written.\n`);
    printFindings(findings, io);
  } else {
    io.err(`swarm-cluster: ${style.error("error")}: ${findings.map((finding) => finding.message).join("\n")}\n`);
  }
  return 1;
}
