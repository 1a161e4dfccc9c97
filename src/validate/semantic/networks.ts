import type { Problem } from "../../core/problems.js";
import { alignedNetworkOf, cidrsOverlap, parseCidr, type Cidr } from "../../core/ip.js";
import { problem, type Declared } from "../problem.js";
import { repeats, type CheckContext } from "./context.js";

/** Subnets that name a network, overlays apart from each other and from the hosts' private network. */
export function checkNetworks({ cluster }: CheckContext): Problem[] {
  const problems: Problem[] = repeats(cluster.networks, (network) => network.name).map(({ item, first, value }) =>
    problem("network/duplicate-name", item, "name", { value, first: first.path }),
  );

  const privateNetwork = checkedCidr(cluster, "privateNetwork", cluster.privateNetwork, problems);
  const overlays: { at: Declared; text: string; cidr: Cidr }[] = [];
  for (const network of cluster.networks) {
    const cidr = checkedCidr(network, "subnet", network.subnet, problems);
    if (!cidr) continue;
    const earlier = overlays.find((other) => cidrsOverlap(other.cidr, cidr));
    if (earlier) {
      problems.push(
        problem("network/overlapping-subnet", network, "subnet", {
          subnet: network.subnet,
          other: earlier.at.path,
          otherSubnet: earlier.text,
        }),
      );
    }
    if (privateNetwork && cidrsOverlap(privateNetwork, cidr)) {
      problems.push(
        problem("network/overlaps-private-network", network, "subnet", {
          subnet: network.subnet,
          privateNetwork: cluster.privateNetwork,
        }),
      );
    }
    overlays.push({ at: network, text: network.subnet, cidr });
  }
  return problems;
}

/** The parsed CIDR; a well-formed one with host bits set (10.10.1.5/24) is reported here, malformed ones by the schema. */
function checkedCidr(at: Declared, field: string, text: unknown, problems: Problem[]): Cidr | undefined {
  if (typeof text !== "string") return undefined;
  const cidr = parseCidr(text);
  if (cidr) return cidr;
  const aligned = alignedNetworkOf(text);
  if (aligned) problems.push(problem("network/host-bits-set", at, field, { cidr: text, aligned }));
  return undefined;
}
