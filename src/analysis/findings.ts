/** Severity of a high-availability finding; `swarm-cluster build --strict` fails on `error`. */
export type FindingSeverity = "error" | "warning" | "info";

/** One result of the architecture analysis: a quorum at risk, a single point of failure, or a note. */
export interface Finding {
  readonly severity: FindingSeverity;
  /** Stable identifier, e.g. `spof/single-replica`. */
  readonly code: string;
  /** Construct path the finding is about. */
  readonly construct: string;
  /** One line a person can act on. */
  readonly message: string;
  /** How many members can be lost while the component keeps working (quorum findings). */
  readonly tolerates?: number;
}

export interface HaReport {
  readonly findings: readonly Finding[];
}

export function errorsOf(report: HaReport): Finding[] {
  return report.findings.filter((finding) => finding.severity === "error");
}

/** A construct that knows the availability of what it builds (a quorum, a replica set) reports it itself. */
export interface AvailabilitySource {
  availabilityFindings(): Finding[];
}

export function isAvailabilitySource(value: unknown): value is AvailabilitySource {
  return typeof (value as Partial<AvailabilitySource>).availabilityFindings === "function";
}
