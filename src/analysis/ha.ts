import { compareStrings } from "../core/stable-json.js";
import type { Cluster } from "../model/cluster.js";
import { Service } from "../model/service.js";
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
    ...cluster.all(Service).flatMap(serviceFindings),
    ...cluster.all(Service).flatMap(pinnedFindings),
    ...overlayCapacityFindings(cluster),
    ...cluster.node
      .findAll()
      .flatMap((construct) => (isAvailabilitySource(construct) ? construct.availabilityFindings() : [])),
  ];
  return { findings: sortFindings(findings) };
}

/**
 * Services that can run on one node only (pinned stateful singletons: Prometheus, Portainer, garbd) stop
 * while that node is down. Not an error: they are off the request path (critical services get errors
 * below); the operator should know which node outages they ride on.
 */
function pinnedFindings(service: Service): Finding[] {
  const [only, ...others] = service.eligibleNodes;
  if (service.props.critical || !only || others.length > 0) return [];
  return [
    {
      severity: "info",
      code: "spof/pinned-service",
      construct: service.path,
      message: `${service.name} can run only on ${only.hostname}: it stops while ${only.hostname} is down`,
    },
  ];
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
