import { bashScript, shellWord } from "../shell.js";
import type { ZonePlan } from "./change-batch.js";

/** What the script needs of a zone: its name, id if the model has it, change batch file and plan. */
export interface ZoneToApply {
  readonly zone: string;
  readonly zoneId: string | undefined;
  /** File name of the change batch, beside the script. */
  readonly file: string;
  readonly plan: ZonePlan;
}

/**
 * `dns/apply.sh`: applies out/dns/ with the AWS CLI. For each zone it creates the health checks its
 * multivalue records reference (CreateHealthCheck is idempotent per CallerReference: Route53 returns the
 * check it already made for the same reference and settings), writes their ids into a copy of the change
 * batch in place of the CallerReferences, and UPSERTs the records. A zone without an id in the model is
 * looked up by name.
 */
export function dnsApplyScript(zones: readonly ZoneToApply[]): string {
  const body = [
    'dns_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
    'batch="$(mktemp)"',
    "trap 'rm -f \"$batch\"' EXIT",
    "",
    "# The zone's id: the model's, else the one zone of that name in the account.",
    "zone_id() {",
    '  local name="$1" id="$2"',
    '  if [ -z "$id" ]; then',
    '    id="$(aws route53 list-hosted-zones-by-name --dns-name "$name" --query "HostedZones[?Name==\'$name.\'].Id | [0]" --output text)"',
    "  fi",
    '  if [ -z "$id" ] || [ "$id" = "None" ]; then',
    '    echo "error: no hosted zone $name in this AWS account: create it, or give the HostedZone its zoneId" >&2',
    "    exit 1",
    "  fi",
    '  echo "$id"',
    "}",
    "",
    "# Creates a health check (or finds the one made before for this reference) and puts its id in the batch.",
    "health_check() {",
    '  local reference="$1" config="$2" id',
    '  id="$(aws route53 create-health-check --caller-reference "$reference" --health-check-config "$config" --query HealthCheck.Id --output text)"',
    '  sed -i "s/\\"$reference\\"/\\"$id\\"/g" "$batch"',
    '  echo "health check $reference: $id"',
    "}",
  ];
  for (const zone of zones) {
    body.push("", `# ${zone.zone}`, `cp "$dns_dir/${zone.file}" "$batch"`);
    for (const request of Object.values(zone.plan.healthChecks)) {
      body.push(`health_check ${shellWord(request.CallerReference)} ${shellWord(JSON.stringify(request.HealthCheckConfig))}`);
    }
    body.push(
      // Assigned first: under `set -e` a failed lookup stops the script here, not inside an argument.
      `zone="$(zone_id ${shellWord(zone.zone)} ${shellWord(zone.zoneId ?? "")})"`,
      'aws route53 change-resource-record-sets --hosted-zone-id "$zone" --change-batch "file://$batch"',
      `echo "zone ${zone.zone}: ${zone.plan.changeBatch.Changes.length} record set(s) upserted"`,
    );
  }
  return bashScript(
    [
      "Applies out/dns/ to Route53 with the AWS CLI (credentials from its usual places): each zone's health checks",
      "first, their ids written into a copy of the change batch, then the records. Run it again after any change.",
    ],
    body,
  );
}
