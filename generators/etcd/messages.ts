import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the EtcdCluster's own checks report. */
export const ETCD_MESSAGES = defineMessages({
  "etcd/joining-not-member": entry<{ hostname: string }>(
    ({ hostname }) => `${hostname} is listed as joining but is not one of the members`,
    "list the node in `members` too, or remove it from `joining`",
  ),
  "etcd/member-not-app-tier": entry<{ hostname: string; tier: string }>(
    ({ hostname, tier }) => `etcd members must be app-tier nodes: ${hostname} is in the ${tier} tier`,
    ({ tier }) =>
      `etcd members must be app-tier nodes: list app nodes in \`members\` (3 or 5, as the seed runs etcd on the app nodes). ` +
      `A member's certificate carries client auth, which opens etcd and the Docker TLS API of every node; ` +
      (tier === "front"
        ? "a front faces the internet, so a stolen front key must not open them"
        : `a ${tier} node has no other use for such a key, and every node holding one is one more to guard`),
  ),
});
