import path from "node:path";
import { isIpAddress } from "../../src/core/ip.js";
import type { Problem } from "../../src/core/problems.js";
import { toJson } from "../../src/core/stable-json.js";
import type { Cluster } from "../../src/model/cluster.js";
import { defineGenerator, type GeneratedFile } from "../../src/synth/generator.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { dnsApplyScript } from "./apply-script.js";
import { HostedZone, owningZone } from "./hosted-zone.js";
import { DNS_MESSAGES } from "./messages.js";
import { frontNodes, publicNames } from "./public-names.js";

export { HostedZone, type HostedZoneProps } from "./hosted-zone.js";
export type { HealthCheckSettings, Routing, ZonePlan } from "./change-batch.js";
export type { PublicDnsNames } from "./public-names.js";

/**
 * Route53: for each HostedZone, `dns/<zone>.json` (the ChangeBatch of a ChangeResourceRecordSets request)
 * and, with multivalue routing, `dns/<zone>.health-checks.json` (a CreateHealthCheck request per front).
 * `dns/apply.sh` applies them with the AWS CLI; the build never calls AWS.
 */
export const dnsGenerator = defineGenerator({
  name: "dns",
  validate(cluster: Cluster): Problem[] {
    const zones = cluster.all(HostedZone);
    // A cluster that declares no zone leaves DNS to someone else: nothing to check.
    if (zones.length === 0) return [];
    const declared = zones.map((zone) => zone.zoneName).join(", ");
    const outside = publicNames(cluster)
      .filter((entry) => owningZone(entry.name, zones) === undefined)
      .map((entry) => DNS_MESSAGES.problem("dns/name-outside-zones", entry.at, entry.field, { name: entry.name, zones: declared }));
    const badIpv6 = frontNodes(cluster)
      .filter(
        (node) =>
          node.publicIpv6 !== undefined &&
          !(typeof node.publicIpv6 === "string" && node.publicIpv6.includes(":") && isIpAddress(node.publicIpv6)),
      )
      .map((node) => DNS_MESSAGES.problem("dns/public-ipv6-invalid", node, "publicIpv6", { value: node.publicIpv6 }));
    return [...outside, ...badIpv6];
  },
  generate({ cluster }): GeneratedFile[] {
    const delivery = { kind: "operator" } as const;
    const changes = cluster.all(HostedZone).flatMap((zone): GeneratedFile[] => {
      const plan = zone.plan;
      const files: GeneratedFile[] = [
        { path: OUT_PATHS.dnsChangeBatch(zone.zoneName), content: toJson(plan.changeBatch), construct: zone.path, delivery },
      ];
      if (zone.routing === "multivalue")
        files.push({ path: OUT_PATHS.dnsHealthChecks(zone.zoneName), content: toJson(plan.healthChecks), construct: zone.path, delivery });
      return files;
    });
    const zones = cluster.all(HostedZone);
    if (zones.length === 0) return changes;
    const script = dnsApplyScript(
      zones.map((zone) => ({
        zone: zone.zoneName,
        zoneId: zone.zoneId,
        file: path.posix.basename(OUT_PATHS.dnsChangeBatch(zone.zoneName)),
        plan: zone.plan,
      })),
    );
    return [...changes, { path: OUT_PATHS.familyFile("dns", "apply.sh"), content: script, construct: "cluster", delivery }];
  },
});
