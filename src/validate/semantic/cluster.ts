import type { Problem } from "../../core/problems.js";
import { problem } from "../problem.js";
import type { CheckContext } from "./context.js";

/**
 * What the Cluster gives every node. The keys are the only way in: Flatcar and Fedora CoreOS have no
 * password for `core`, so a cluster without a key would boot nodes nobody can log in to.
 */
export function checkCluster({ cluster }: CheckContext): Problem[] {
  const keys: unknown = cluster.sshAuthorizedKeys;
  // Something other than a list is the schema's to report.
  return Array.isArray(keys) && keys.length === 0 ? [problem("cluster/no-ssh-keys", cluster, "sshAuthorizedKeys", {})] : [];
}
