import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What the HostFirewall's own checks report. */
export const FIREWALL_MESSAGES = defineMessages({
  "firewall/invalid-ssh-source": entry<{ source: string }>(
    ({ source }) => `allowSsh entry ${JSON.stringify(source)} is not an IPv4 or IPv6 address, or a network with its host bits clear`,
    "write an address (198.51.100.7) or a network with its host bits clear (198.51.100.0/24)",
  ),
});
