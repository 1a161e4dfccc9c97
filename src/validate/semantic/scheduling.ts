import type { Problem } from "../../core/problems.js";
import type { Node } from "../../model/node.js";
import type { Service } from "../../model/stack.js";
import { TIER_LABEL } from "../../model/tier.js";
import { problem } from "../problem.js";
import { serviceEntries, type CheckContext } from "./context.js";

/** One condition of a placement, alone: which field states it and which nodes it selects. */
interface Condition {
  readonly field: string;
  readonly text: string;
  readonly selects: (node: Node) => boolean;
}

/** Services whose placement selects no node (tasks pending forever), and replicas on a global service. */
export function checkScheduling(context: CheckContext): Problem[] {
  const problems: Problem[] = [];
  for (const { service } of serviceEntries(context)) {
    if (service.eligibleNodes.length === 0) problems.push(placementProblem(service, context.cluster.nodes));
    problems.push(...spreadProblems(service));
    if (service.mode === "global" && service.props.replicas !== undefined) {
      problems.push(problem("service/replicas-with-global", service, "replicas", { replicas: service.props.replicas }));
    }
  }
  return problems;
}

/** A spread over a label some selected nodes lack: Swarm puts those nodes in one group of their own. */
function spreadProblems(service: Service): Problem[] {
  const label = service.props.placement?.spreadOver;
  if (typeof label !== "string") return [];
  const hostnames = service.eligibleNodes.filter((node) => node.labels[label] === undefined).map((node) => node.hostname);
  return hostnames.length === 0 ? [] : [problem("service/spread-label-missing", service, "placement.spreadOver", { label, hostnames })];
}

function placementProblem(service: Service, nodes: readonly Node[]): Problem {
  const conditions = conditionsOf(service);
  const placement = `(${conditions.map((condition) => condition.text).join(", ") || "any node"})`;
  if (nodes.length === 0) {
    return problem("service/placement-matches-no-node", service, "placement", { placement, reason: "the cluster has no nodes" });
  }
  // Name the condition no node meets on its own; when each is met somewhere, it is their combination.
  const unmet = conditions.find((condition) => !nodes.some(condition.selects));
  if (unmet) {
    return problem("service/placement-matches-no-node", service, unmet.field, {
      placement,
      reason: `no node has ${unmet.text}`,
    });
  }
  const where = conditions
    .map(
      (condition) =>
        `${condition.text} on ${nodes
          .filter(condition.selects)
          .map((node) => node.hostname)
          .join(", ")}`,
    )
    .join("; ");
  return problem("service/placement-matches-no-node", service, "placement", {
    placement,
    reason: `no node meets all of them (${where})`,
  });
}

function conditionsOf(service: Service): Condition[] {
  const placement = service.props.placement ?? {};
  const conditions: Condition[] = [];
  if (placement.hostname !== undefined) {
    const hostname = placement.hostname;
    conditions.push({ field: "placement.hostname", text: `hostname ${hostname}`, selects: (node) => node.hostname === hostname });
  }
  if (placement.role !== undefined) {
    const role = placement.role;
    conditions.push({ field: "placement.role", text: `role ${role}`, selects: (node) => node.swarmRole === role });
  }
  if (placement.tier !== undefined) {
    const label = TIER_LABEL[placement.tier];
    conditions.push({ field: "placement.tier", text: `tier ${placement.tier}`, selects: (node) => node.labels.type === label });
  }
  for (const [key, value] of Object.entries(placement.labels ?? {})) {
    conditions.push({ field: `placement.labels.${key}`, text: `label ${key}=${value}`, selects: (node) => node.labels[key] === value });
  }
  return conditions;
}
