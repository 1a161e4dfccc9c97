import { compareStrings } from "../core/stable-json.js";
import type { Cluster } from "../model/cluster.js";
import { Service } from "../model/stack.js";
import type { Problem } from "../core/problems.js";
import { finding, isAvailabilitySource, type HaReport } from "./findings.js";
import { overlayCapacityFindings } from "./overlay-capacity.js";
import { quorumFindings } from "./quorum.js";
import { rebootWindowFindings } from "./reboot-windows.js";

const SEVERITY_ORDER = { error: 0, warning: 1, info: 2 } as const;

const SWARM_MANAGERS = {
  component: "The Swarm manager Raft group",
  codePrefix: "swarm",
  addVoter: 'make more nodes managers (`swarmRole: "manager"`, app nodes first)',
} as const;

/**
 * The architecture analysis the seed asks for: quorum of every consensus group, single points of
 * failure on the request path, overlays too small for the tasks they carry, and OS-update reboot windows
 * that would take a quorum or a whole tier down at once. Generic rules live here; high-level constructs add their own findings.
 */
export function analyseHa(cluster: Cluster): HaReport {
  const findings: Problem[] = [
    ...quorumFindings(cluster, SWARM_MANAGERS, cluster.managers.length),
    ...cluster.all(Service).flatMap(serviceFindings),
    ...cluster.all(Service).flatMap(pinnedFindings),
    ...overlayCapacityFindings(cluster),
    ...rebootWindowFindings(cluster),
    ...cluster.node.findAll().flatMap((construct) => (isAvailabilitySource(construct) ? construct.availabilityFindings() : [])),
  ];
  return { findings: sortFindings(findings) };
}

/**
 * Services that can run on one node only (pinned stateful singletons: Prometheus, Portainer, garbd) stop
 * while that node is down. Not an error: they are off the request path (critical services get errors
 * below); the operator should know which node outages they ride on.
 */
function pinnedFindings(service: Service): Problem[] {
  const [only, ...others] = service.eligibleNodes;
  if (service.props.critical || !only || others.length > 0) return [];
  return [
    finding("info", "spof/pinned-service", service, {
      message: `${service.name} can run only on ${only.hostname}: it stops while ${only.hostname} is down`,
      hint: "widen its placement once its data survives a move (shared storage), if it must not stop with its node",
    }),
  ];
}

function serviceFindings(service: Service): Problem[] {
  if (!service.props.critical) return [];
  const where = service.eligibleNodes.length;
  if (service.replicaCount < 2) {
    return [
      finding("error", "spof/single-replica", service, {
        message: `${service.name} is on the request path and runs ${service.replicaCount} task(s): it is a single point of failure`,
        hint: 'run it on at least two nodes: `replicas: "one-per-node"` over a placement that selects two or more',
      }),
    ];
  }
  if (where < 2) {
    return [
      finding("error", "spof/single-node-placement", service, {
        message: `${service.name} runs ${service.replicaCount} tasks but its placement selects ${where} node(s): losing that node stops it`,
        hint: "widen the placement to a second node (a tier or label more than one node has)",
      }),
    ];
  }
  return [];
}

function sortFindings(findings: Problem[]): Problem[] {
  return [...findings].sort(
    (a, b) =>
      SEVERITY_ORDER[a.severity] - SEVERITY_ORDER[b.severity] || compareStrings(a.construct, b.construct) || compareStrings(a.code, b.code),
  );
}
