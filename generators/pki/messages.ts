import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the ClusterPki's own checks report. */
export const CLUSTER_PKI_MESSAGES = defineMessages({
  "pki/operator-named-like-node": entry<{ name: string }>(
    ({ name }) => `operator "${name}" has the name of a node; operator and node certificates share pki/certs/<name>.crt`,
    "rename the operator (e.g. `admin-<name>`) in `operators`",
  ),
});
