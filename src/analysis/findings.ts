import type { Problem, Severity } from "../core/problems.js";
import type { Declared } from "../validate/problem.js";
import type { FailureAnalysis } from "./failures.js";

/** The availability analysis' results: Problems of origin `availability`, sorted errors first, and the simulation behind them. */
export interface HaReport {
  readonly findings: readonly Problem[];
  readonly failures: FailureAnalysis;
}

/** What a finding says: the message, how to fix it, and for quorum groups how many losses they tolerate. */
export interface FindingText {
  readonly message: string;
  readonly hint: string;
  readonly tolerates?: number;
}

/** One result of the architecture analysis, pinned on the construct it is about. */
export function finding(severity: Severity, code: string, at: Declared, text: FindingText): Problem {
  return {
    severity,
    origin: "availability",
    code,
    construct: at.path,
    field: "",
    message: text.message,
    hint: text.hint,
    location: at.location,
    ...(text.tolerates === undefined ? {} : { tolerates: text.tolerates }),
  };
}

/** A construct that knows the availability of what it builds (a quorum, a replica set) reports it itself. */
export interface AvailabilitySource {
  availabilityFindings(): Problem[];
}

export function isAvailabilitySource(value: unknown): value is AvailabilitySource {
  return typeof (value as Partial<AvailabilitySource>).availabilityFindings === "function";
}
