import { parseCidr } from "../../src/core/ip.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { loadTemplate } from "../template.js";

const startTemplate = loadTemplate("alerting", "alertmanager-start.sh.hbs");

/**
 * The replicas' start script: it advertises the task's overlay address to the peers. `probe` is the overlay's
 * first address (Docker's gateway on it), the destination whose route names the overlay's interface.
 */
export function renderStartScript(inputs: { readonly subnet: string; readonly clusterPort: number }): string {
  const cidr = parseCidr(inputs.subnet);
  if (!cidr) throw new Error(`overlay subnet ${inputs.subnet} is not an IPv4 network`);
  const octets = [...cidr.network.octets];
  octets[3] = (octets[3] ?? 0) + 1;
  return startTemplate({ notice: GENERATED_NOTICE, subnet: inputs.subnet, probe: octets.join("."), clusterPort: inputs.clusterPort });
}
