import type { Finding } from "./findings.js";

/** Members a majority-quorum group of `voters` can lose and keep a majority: ⌊(n−1)/2⌋. */
export function faultTolerance(voters: number): number {
  return voters > 0 ? Math.floor((voters - 1) / 2) : 0;
}

/**
 * Findings for a majority-quorum group (Raft for Swarm managers and etcd, Galera's primary component):
 * one voter is a single point of failure, two tolerate no loss either, an even count buys nothing over
 * one fewer voter.
 */
export function quorumFindings(construct: string, component: string, voters: number, codePrefix: string): Finding[] {
  const tolerates = faultTolerance(voters);
  if (voters === 0) {
    return [{ severity: "error", code: `${codePrefix}/no-voters`, construct, message: `${component} has no members`, tolerates }];
  }
  if (tolerates === 0) {
    const why =
      voters === 1
        ? "a single member is a single point of failure"
        : `losing either of the ${voters} members loses the majority`;
    return [
      {
        severity: "error",
        code: `${codePrefix}/no-fault-tolerance`,
        construct,
        message: `${component} has ${voters} voting member(s): ${why}; use 3 or 5`,
        tolerates,
      },
    ];
  }
  const findings: Finding[] = [
    {
      severity: "info",
      code: `${codePrefix}/quorum`,
      construct,
      message: `${component} has ${voters} voting members and keeps quorum after losing ${tolerates}`,
      tolerates,
    },
  ];
  if (voters % 2 === 0) {
    findings.push({
      severity: "warning",
      code: `${codePrefix}/even-voters`,
      construct,
      message: `${component} has an even number of voting members (${voters}): it tolerates no more failures than ${voters - 1}`,
      tolerates,
    });
  }
  return findings;
}
