import type { Problem } from "../core/problems.js";
import type { Declared } from "../validate/problem.js";
import { finding } from "./findings.js";

/** Members a majority-quorum group of `voters` can lose and keep a majority: ⌊(n−1)/2⌋. */
export function faultTolerance(voters: number): number {
  return voters > 0 ? Math.floor((voters - 1) / 2) : 0;
}

/** A majority-quorum group as the analysis names it: what it is and the code prefix of its findings. */
export interface QuorumDescription {
  readonly component: string;
  readonly codePrefix: string;
  /** What adds a voter, for the hint ("make more app nodes managers"). */
  readonly addVoter: string;
}

/**
 * Findings for a majority-quorum group (Raft for Swarm managers and etcd, Galera's primary component):
 * one voter is a single point of failure, two tolerate no loss either, an even count buys nothing over
 * one fewer voter.
 */
export function quorumFindings(at: Declared, group: QuorumDescription, voters: number): Problem[] {
  const { component, codePrefix, addVoter } = group;
  const tolerates = faultTolerance(voters);
  if (voters === 0) {
    return [finding("error", `${codePrefix}/no-voters`, at, { message: `${component} has no members`, hint: addVoter, tolerates })];
  }
  if (tolerates === 0) {
    const why = voters === 1 ? "a single member is a single point of failure" : `losing either of the ${voters} members loses the majority`;
    return [
      finding("error", `${codePrefix}/no-fault-tolerance`, at, {
        message: `${component} has ${voters} voting member(s): ${why}; use 3 or 5`,
        hint: `${addVoter}, up to 3 voters`,
        tolerates,
      }),
    ];
  }
  const findings = [
    finding("info", `${codePrefix}/quorum`, at, {
      message: `${component} has ${voters} voting members and keeps quorum after losing ${tolerates}`,
      hint: "nothing to fix",
      tolerates,
    }),
  ];
  if (voters % 2 === 0) {
    findings.push(
      finding("warning", `${codePrefix}/even-voters`, at, {
        message: `${component} has an even number of voting members (${voters}): it tolerates no more failures than ${voters - 1}`,
        hint: `${addVoter}, or remove one, for an odd count`,
        tolerates,
      }),
    );
  }
  return findings;
}
