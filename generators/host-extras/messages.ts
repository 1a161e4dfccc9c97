import { entry } from "../../src/validate/messages.js";
import { defineMessages } from "../../src/validate/problem.js";

/** What HostExtras' own checks report. */
export const HOST_EXTRAS_MESSAGES = defineMessages({
  "host-extras/bad-size": entry<{ value: string }>(
    ({ value }) => `"${value}" is not a size: a number and an optional unit k, m or g (binary), e.g. 2G`,
    'write the size as the node\'s `memory` is written, e.g. `swap: "2G"`',
  ),
  "host-extras/swap-exceeds-disk": entry<{ swap: string; disk: string }>(
    ({ swap, disk }) => `a swap file of ${swap} does not fit on the node's ${disk} disk`,
    "give the node a smaller `swap` (the seed used 2G on small machines), or correct its `disk`",
  ),
  "host-extras/unknown-time-zone": entry<{ zone: string }>(
    ({ zone }) => `"${zone}" is not an IANA time zone: /etc/localtime would point at no file of /usr/share/zoneinfo`,
    'use an Area/Location name such as "Europe/Rome", or "UTC"',
  ),
  "host-extras/bad-alias": entry<{ name: string }>(
    ({ name }) => `"${name}" cannot be a shell alias name`,
    "use letters, digits, '_', '.' and '-', not starting with '-'",
  ),
  "host-extras/bad-tool": entry<{ name: string; reason: string }>(
    ({ name, reason }) => `tool "${name}": ${reason}`,
    "give each tool a name of lowercase letters, digits and '-', a version, an https:// URL and the sha256 of the file the URL serves",
  ),
});
