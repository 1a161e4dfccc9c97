import { compareStrings } from "../core/stable-json.js";
import type { Cluster } from "../model/cluster.js";
import { Service } from "../model/service.js";
import { TIERS } from "../model/tier.js";
import { isAvailabilitySource, type Finding, type HaReport } from "./findings.js";
import { overlayCapacityFindings } from "./overlay-capacity.js";
import { quorumFindings } from "./quorum.js";

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

/**
 * The architecture analysis the seed asks for: quorum of every consensus group, single points of
 * failure on the request path, and overlays too small for the tasks they carry. Generic rules live here; high-level constructs add their own findings.
 */
export function analyseHa(cluster: Cluster): HaReport {
  const findings: Finding[] = [
    ...quorumFindings("cluster", "The Swarm manager Raft group", cluster.managers.length, "swarm"),
    ...tierFindings(cluster),
    ...cluster.all(Service).flatMap(serviceFindings),
    ...overlayCapacityFindings(cluster),
    ...cluster.node
      .findAll()
      .flatMap((construct) => (isAvailabilitySource(construct) ? construct.availabilityFindings() : [])),
  ];
  return { findings: sortFindings(findings) };
}

function tierFindings(cluster: Cluster): Finding[] {
  return TIERS.flatMap((tier): Finding[] => {
    const nodes = cluster.nodesInTier(tier);
    if (nodes.length !== 1) return [];
    return [
      {
        severity: "warning",
        code: "spof/single-node-tier",
        construct: nodes[0]?.path ?? "cluster",
        message: `the ${tier} tier has one node; services placed only on it stop when it does`,
      },
    ];
  });
}

function serviceFindings(service: Service): Finding[] {
  if (!service.props.critical) return [];
  const where = service.eligibleNodes.length;
  if (service.replicaCount < 2) {
    return [
      {
        severity: "error",
        code: "spof/single-replica",
        construct: service.path,
        message: `${service.name} is on the request path and runs ${service.replicaCount} task(s): it is a single point of failure`,
      },
    ];
  }
  if (where < 2) {
    return [
      {
        severity: "error",
        code: "spof/single-node-placement",
        construct: service.path,
        message: `${service.name} runs ${service.replicaCount} tasks but its placement selects ${where} node(s): losing that node stops it`,
      },
    ];
  }
  return [];
}

function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] ||
      compareStrings(a.construct, b.construct) ||
      compareStrings(a.code, b.code),
  );
}
