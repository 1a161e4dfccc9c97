import type { Problem } from "../core/problems.js";
import { listed } from "../core/wording.js";
import { declaredOf } from "../validate/problem.js";
import { isReplicaGroup } from "../validate/replica-group.js";
import { hostnames } from "./failure-model.js";
import type { FailureAnalysis } from "./failures.js";
import { finding } from "./findings.js";
import type { Outcome } from "./simulate.js";

/**
 * Each gossip group (ReplicaGroup) through the failure simulation: it works while one replica runs, so a
 * single node or a zone whose loss stops every replica is an error; otherwise a note says how many node
 * losses it tolerates (its distinct nodes less one).
 */
export function replicaGroupFindings(analysis: FailureAnalysis): Problem[] {
  const { model } = analysis;
  const indexOf = new Map(model.services.map((entry, index) => [entry.service, index]));
  return model.cluster.node
    .findAll()
    .filter(isReplicaGroup)
    .flatMap((group) => {
      const at = declaredOf(group);
      const { component, codePrefix, serves, addReplica } = group.replicaDescription;
      const services = group.replicaServices.flatMap((service) => {
        const index = indexOf.get(service);
        return index === undefined ? [] : [index];
      });
      if (services.length === 0) {
        return [finding("error", `${codePrefix}/no-replicas`, at, { message: `${component} has no replicas`, hint: addReplica })];
      }
      const stopsAll = (outcome: Outcome) => services.every((service) => outcome.interrupted.includes(service));
      const nodes = [...new Set(services.flatMap((service) => model.services[service]?.eligible ?? []))];
      const breakers = analysis.singles.filter(stopsAll).map((outcome) => hostnames(model, outcome.lost));
      const findings: Problem[] = [];
      if (breakers.length > 0) {
        findings.push(
          finding("error", `${codePrefix}/single-node`, at, {
            message: `${component} has ${services.length} replica(s), all stopped by losing ${listed(breakers.flat(), "or")}: then nothing ${serves}`,
            hint: addReplica,
            tolerates: 0,
          }),
        );
        return findings;
      }
      for (const { zone, outcome } of analysis.zones) {
        if (!stopsAll(outcome)) continue;
        findings.push(
          finding("error", `${codePrefix}/zone-stops-all`, at, {
            message: `every replica of ${component} is in zone ${zone}: losing the zone stops them all`,
            hint: `${addReplica}, in another zone`,
            tolerates: nodes.length - 1,
          }),
        );
      }
      findings.push(
        finding("info", `${codePrefix}/replicas`, at, {
          message: `${component} has ${services.length} replicas on distinct nodes (${listed(hostnames(model, nodes))}), sharing their state by gossip, not by vote: one running replica is enough, so it tolerates losing any ${nodes.length - 1} of them`,
          hint: "nothing to fix",
          tolerates: nodes.length - 1,
        }),
      );
      return findings;
    });
}
