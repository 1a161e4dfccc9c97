import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the EtcdCluster's own checks report. */
export const ETCD_MESSAGES = defineMessages({
  "etcd/joining-not-member": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is listed as joining but is not one of the members`,
    "list the node in `members` too, or remove it from `joining`",
  ),
});
