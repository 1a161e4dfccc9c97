import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { toJson } from "../../src/core/stable-json.js";
import { shellWord } from "../shell.js";

/**
 * The certbot family's files, from plain values. certbot runs in a Swarm service pinned to one node, with
 * its state (account, lineages) in a node-local volume mounted at /etc/letsencrypt; the fronts read each
 * certificate from the shared volume its deploy hook writes (serve.ts). See lets-encrypt.ts for why.
 */

/** One certificate: certbot's lineage (named after its first name, so `live/<name>/`, and `serve/<name>/` for nginx). */
export interface Lineage {
  /** certbot's `--cert-name`, the first of `names`. */
  readonly name: string;
  /** Every name the certificate covers (`-d`), the first one canonical. */
  readonly names: readonly string[];
}

/** Inside the certbot container: certbot's own config folder, where it reads cli.ini by default. */
export const CONFIG_DIR = "/etc/letsencrypt";
/** This family's scripts and hand-over folder, inside certbot's config folder (the state volume). */
export const FAMILY_DIR = `${CONFIG_DIR}/swarm-cluster`;
export const CONTAINER_PATHS = {
  cliIni: `${CONFIG_DIR}/cli.ini`,
  runScript: `${FAMILY_DIR}/run.sh`,
  deployHook: `${FAMILY_DIR}/deploy-hook.sh`,
} as const;

export const ACME_DIRECTORIES = {
  production: "https://acme-v02.api.letsencrypt.org/directory",
  staging: "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export interface CliIniSettings {
  readonly email: string;
  readonly server: string;
}

/**
 * certbot's settings: every option the runs share, so the run script only names the lineages. The deploy hook
 * is found from the lineage certbot hands it (`$RENEWED_LINEAGE` is `<config dir>/live/<name>`), so the same
 * file works wherever the config folder is mounted; certbot runs hooks through the shell.
 */
export function renderCliIni(settings: CliIniSettings): string {
  return [
    `# ${GENERATED_NOTICE}`,
    "# certbot's settings on the cluster: read from /etc/letsencrypt/cli.ini, certbot's default, by every run.",
    `email = ${settings.email}`,
    "agree-tos = true",
    "no-eff-email = true",
    "non-interactive = true",
    `server = ${settings.server}`,
    "# DNS-01 through Route53 (python3-certbot-dns-route53): no ACME path on the fronts, and names behind any front.",
    "authenticator = dns-route53",
    "preferred-challenges = dns",
    "key-type = ecdsa",
    "elliptic-curve = secp256r1",
    "# A run does nothing for a certificate until 30 days before it expires.",
    "keep-until-expiring = true",
    "# After each issuance or renewal: copy the key and chain to the shared volume the fronts read.",
    'deploy-hook = sh "${RENEWED_LINEAGE%/live/*}/swarm-cluster/deploy-hook.sh"',
    "",
  ].join("\n");
}

/**
 * The certbot service's entrypoint: every lineage obtained (or left alone until due), then a pause of the
 * renewal interval, forever. `--once` runs one round and passes the rest of its arguments to every certbot.
 */
export function renderRunScript(lineages: readonly Lineage[], intervalHours: number): string {
  const seconds = intervalHours * 3600;
  return [
    "#!/bin/sh",
    `# ${GENERATED_NOTICE}`,
    "# The certbot service's entrypoint: obtains or renews each certificate, then waits, forever.",
    "# `run.sh --once [certbot arguments]` runs one round, adding the arguments to every certbot command.",
    "set -u",
    "",
    "obtain() {",
    "  status=0",
    ...lineages.map(
      (lineage) =>
        `  certbot certonly --cert-name ${shellWord(lineage.name)} ${lineage.names.map((name) => `-d ${shellWord(name)}`).join(" ")} "$@" || status=1`,
    ),
    '  return "$status"',
    "}",
    "",
    'if [ "${1-}" = --once ]; then',
    "  shift",
    '  obtain "$@"',
    "  exit",
    "fi",
    "while :; do",
    `  obtain "$@" || echo "certbot: a certificate could not be obtained or renewed; next try in ${intervalHours} h" >&2`,
    `  sleep ${seconds}`,
    "done",
    "",
  ].join("\n");
}

/** A Route53 hosted zone certbot writes challenge records in: its id when the model knows it. */
export interface PolicyZone {
  readonly zone: string;
  readonly zoneId: string | undefined;
  /** The certificate names in the zone. */
  readonly names: readonly string[];
}

/**
 * The IAM policy certbot's dns-route53 plugin needs and no more: find the zone (ListHostedZones takes no
 * resource), write and remove TXT records named `_acme-challenge.<name>` in the zones holding the names, and
 * wait for the change. Zones whose id the model lacks are granted as `hostedzone/*`, still held to those
 * record names, type and change actions (UPSERT, DELETE) by the condition keys.
 */
export function iamPolicy(zones: readonly PolicyZone[]): Record<string, unknown> {
  const known = zones.every((zone) => zone.zoneId !== undefined);
  const resources = known ? zones.map((zone) => `arn:aws:route53:::hostedzone/${zone.zoneId}`) : ["arn:aws:route53:::hostedzone/*"];
  const recordNames = [...new Set(zones.flatMap((zone) => zone.names.map((name) => `_acme-challenge.${name}`)))].sort();
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "FindHostedZones", Effect: "Allow", Action: ["route53:ListHostedZones"], Resource: "*" },
      { Sid: "WaitForChanges", Effect: "Allow", Action: ["route53:GetChange"], Resource: "arn:aws:route53:::change/*" },
      {
        Sid: "WriteChallengeRecords",
        Effect: "Allow",
        Action: ["route53:ChangeResourceRecordSets"],
        Resource: resources.sort(),
        Condition: {
          "ForAllValues:StringEquals": {
            // The plugin writes with UPSERT and removes with DELETE; it never CREATEs.
            "route53:ChangeResourceRecordSetsActions": ["DELETE", "UPSERT"],
            "route53:ChangeResourceRecordSetsNormalizedRecordNames": recordNames,
            "route53:ChangeResourceRecordSetsRecordTypes": ["TXT"],
          },
        },
      },
    ],
  };
}

export function renderIamPolicy(zones: readonly PolicyZone[]): string {
  return toJson(iamPolicy(zones));
}
