import type { Problem } from "../../core/problems.js";
import { cidrContains, isIpv4, parseCidr, reservedAddressIn } from "../../core/ip.js";
import { ZONE_LABEL } from "../../model/node.js";
import { problem } from "../problem.js";
import { repeats, type CheckContext } from "./context.js";

/** Hostnames and addresses: each node's own, and inside the private network. */
export function checkNodes({ cluster }: CheckContext): Problem[] {
  const nodes = cluster.nodes;
  const problems: Problem[] = [
    ...repeats(nodes, (node) => node.hostname).map(({ item, first, value }) =>
      problem("node/duplicate-hostname", item, "hostname", { value, first: first.path }),
    ),
    ...repeats(nodes, (node) => node.privateIp).map(({ item, first, value }) =>
      problem("node/duplicate-private-ip", item, "privateIp", { value, first: first.path }),
    ),
    ...repeats(nodes, (node) => node.publicIp).map(({ item, first, value }) =>
      problem("node/duplicate-public-ip", item, "publicIp", { value, first: first.path }),
    ),
    ...nodes
      .filter((node) => "type" in node.declaredLabels)
      .map((node) => problem("node/reserved-label", node, "labels.type", { value: node.declaredLabels.type ?? "", tier: node.tier })),
    ...nodes
      .filter((node) => ZONE_LABEL in node.declaredLabels)
      .map((node) =>
        problem("node/zone-label", node, `labels.${ZONE_LABEL}`, { value: node.declaredLabels[ZONE_LABEL] ?? "", zone: node.zone ?? "" }),
      ),
  ];

  // A malformed network or address is the schema's to report; the range check needs both well formed.
  const network = typeof cluster.privateNetwork === "string" ? parseCidr(cluster.privateNetwork) : undefined;
  if (!network) return problems;
  const networkText = cluster.privateNetwork;
  for (const node of nodes) {
    const ip = node.privateIp;
    if (typeof ip !== "string" || !isIpv4(ip)) continue;
    if (!cidrContains(network, ip)) {
      problems.push(problem("node/private-ip-outside-network", node, "privateIp", { ip, network: networkText }));
    } else {
      const which = reservedAddressIn(network, ip);
      if (which) problems.push(problem("node/private-ip-reserved", node, "privateIp", { ip, network: networkText, which }));
    }
  }
  return problems;
}
