import type { Problem } from "../../core/problems.js";
import type { Service } from "../../model/stack.js";
import { problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * Services reach each other by short name on a shared overlay (`php:9000`, `proxysql:3306`): Docker gives
 * every service on the network that alias, so two stacks' services of one name on one overlay would make
 * the name resolve to both, and nginx would send half its PHP requests to the wrong service.
 */
export function checkServiceNames({ cluster }: CheckContext): Problem[] {
  const problems: Problem[] = [];
  for (const network of cluster.networks) {
    const first = new Map<string, Service>();
    for (const stack of cluster.stacks) {
      for (const service of stack.services.filter((s) => s.networks.includes(network))) {
        const earlier = first.get(service.name);
        if (!earlier) first.set(service.name, service);
        else
          problems.push(
            problem("service/name-shared-on-network", service, "name", { name: service.name, network: network.name, first: earlier.path }),
          );
      }
    }
  }
  return problems;
}
