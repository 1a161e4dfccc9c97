import { compareStrings } from "../core/stable-json.js";
import type { Cluster } from "../model/cluster.js";
import type { Problem } from "../core/problems.js";
import { capacityFindings } from "./capacity-findings.js";
import { dataFindings } from "./data-findings.js";
import { analyseFailures } from "./failures.js";
import { isAvailabilitySource, type HaReport } from "./findings.js";
import { overlayCapacityFindings } from "./overlay-capacity.js";
import { pathFindings } from "./path-findings.js";
import { quorumFindings } from "./quorum.js";
import { replicaGroupFindings } from "./replica-groups.js";
import { toleranceFindings } from "./tolerance-findings.js";
import { rebootWindowFindings } from "./reboot-windows.js";

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * The architecture analysis the seed asks for. The failure simulation loses every node, every pair of
 * nodes and every zone, and reports what each takes away: a group's majority, the request path, data; and
 * OS-update reboot windows must never take a quorum or a whole tier down at once. Generic rules live here;
 * high-level constructs add findings of their own (availabilityFindings()).
 */
export function analyseHa(cluster: Cluster): HaReport {
  const failures = analyseFailures(cluster);
  const findings: Problem[] = [
    ...quorumFindings(failures),
    ...replicaGroupFindings(failures),
    ...pathFindings(failures),
    ...dataFindings(failures),
    ...capacityFindings(failures),
    ...toleranceFindings(failures),
    ...overlayCapacityFindings(cluster),
    ...rebootWindowFindings(cluster),
    ...cluster.node.findAll().flatMap((construct) => (isAvailabilitySource(construct) ? construct.availabilityFindings() : [])),
  ];
  return { findings: sortFindings(findings), failures };
}

function sortFindings(findings: Problem[]): Problem[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || compareStrings(a.construct, b.construct) || compareStrings(a.code, b.code),
  );
}
