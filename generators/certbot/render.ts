import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { toJson } from "../../src/core/stable-json.js";
import { bashScript, shellWord } from "../shell.js";
import { commandLine, renderUnit } from "../systemd/unit-text.js";

/**
 * The certbot family's files, from plain values. certbot runs in a Swarm service pinned to one manager, with
 * its state (account, lineages) in a node-local volume mounted at /etc/letsencrypt; the fronts read each
 * certificate from a Docker secret. See lets-encrypt.ts for why.
 */

/** One certificate: certbot's lineage (named after its first name, so `live/<name>/`) and the secret it becomes. */
export interface Lineage {
  /** certbot's `--cert-name`, the first of `names`. */
  readonly name: string;
  /** Every name the certificate covers (`-d`), the first one canonical. */
  readonly names: readonly string[];
  /** The Docker secret the fronts mount (its versioned name, `tls_example_org_v1`). */
  readonly secret: string;
  /** The key the fronts mount it under, so the file is `/run/secrets/<key>` whatever the version. */
  readonly mountKey: string;
  /** The services that mount it (`front_nginx`). */
  readonly services: readonly string[];
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
/** On the manager: the publisher and where the units find it. */
export const HOST_PATHS = { publishScript: "/etc/swarm-cluster/certbot/publish.sh" } as const;
export const PUBLISH_UNIT = "certbot-publish";

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
    "# After each issuance or renewal: hand the key and chain to the manager's publisher.",
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

/**
 * certbot's deploy hook, in the certbot container: writes the renewed lineage's key and full chain as one file,
 * `<config dir>/swarm-cluster/pending/<lineage>.pem` (0600, renamed into place whole), for the publisher on
 * the manager. The container holds no Docker socket: it talks to the internet, the publisher does not.
 */
export function renderDeployHook(): string {
  return [
    "#!/bin/sh",
    `# ${GENERATED_NOTICE}`,
    "# certbot's deploy hook: hands the renewed key and chain to the publisher on the manager (certbot-publish).",
    "set -eu",
    'lineage="${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE}"',
    'name="${lineage##*/}"',
    'dir="${lineage%/live/*}/swarm-cluster"',
    'mkdir -p "$dir/pending"',
    "umask 077",
    "# nginx reads the key and the chain from one file: the key, then the certificate and its issuers.",
    'cat "$lineage/privkey.pem" "$lineage/fullchain.pem" >"$dir/.$name.pem.tmp"',
    'mv -f "$dir/.$name.pem.tmp" "$dir/pending/$name.pem"',
    'echo "deploy hook: $name handed to the publisher"',
    "",
  ].join("\n");
}

/**
 * The publisher, on the manager (certbot-publish.service, started by its timer every 15 minutes):
 * the new certificate replaces the Docker secret the stack file names, with the fronts rolled one task at a
 * time, twice: onto a second name holding the new certificate, then back onto the stack's name, made again
 * with it. So the stack file stays right: a later `docker stack deploy` mounts the newest certificate, never
 * an older one. A front stack not deployed yet only gets the secret, which its first deploy mounts.
 */
export function renderPublishScript(lineages: readonly Lineage[], stateVolume: string): string {
  const body = [
    `state="\${CERTBOT_STATE:-/var/lib/docker/volumes/${stateVolume}/_data}"`,
    'pending="$state/swarm-cluster/pending"',
    "",
    "# Moves the running services that mount $1 (under key $3) onto secret $2, one task at a time (their update_config).",
    "move() {",
    '  local from="$1" to="$2" key="$3" service',
    "  shift 3",
    '  for service in "$@"; do',
    '    docker service inspect "$service" >/dev/null 2>&1 || continue',
    '    docker service update --quiet --secret-rm "$from" --secret-add "source=$to,target=$key" "$service" >/dev/null',
    '    echo "rolled  $service onto $to"',
    "  done",
    "}",
    "",
    "# Publishes lineage $1 as secret $2 (mounted as $3) to the services after it.",
    "publish() {",
    '  local lineage="$1" secret="$2" key="$3" file',
    "  shift 3",
    '  file="$pending/$lineage.pem"',
    '  [ -f "$file" ] || return 0',
    '  if docker secret inspect "$secret" >/dev/null 2>&1; then',
    '    docker secret rm "${secret}_next" >/dev/null 2>&1 || true',
    '    docker secret create "${secret}_next" - <"$file" >/dev/null',
    '    move "$secret" "${secret}_next" "$key" "$@"',
    '    docker secret rm "$secret" >/dev/null',
    '    docker secret create "$secret" - <"$file" >/dev/null',
    '    move "${secret}_next" "$secret" "$key" "$@"',
    '    docker secret rm "${secret}_next" >/dev/null',
    "  else",
    '    docker secret create "$secret" - <"$file" >/dev/null',
    "  fi",
    '  rm -f "$file"',
    '  echo "published $lineage as $secret"',
    "}",
    "",
    ...lineages.map((lineage) => ["publish", lineage.name, lineage.secret, lineage.mountKey, ...lineage.services].map(shellWord).join(" ")),
  ];
  return bashScript(
    [
      "Publishes the certificates certbot hands over (its deploy hook) as the Docker secrets the fronts mount,",
      "rolling the fronts one task at a time. Run by certbot-publish.service on this manager; safe to re-run.",
    ],
    body,
  );
}

/**
 * Runs the publisher every 15 minutes: it does nothing (not even a docker command) while no hand-over waits, and a
 * failed publication (Docker down, a front rolling back) is retried on the next run, never in a tight loop as a
 * path unit would retrigger it. Certificates are renewed 30 days ahead: a quarter of an hour is no delay.
 */
export function renderPublishTimer(): string {
  return `# ${GENERATED_NOTICE}\n${renderUnit({
    Unit: [["Description", "Publish the certificates certbot renewed to the fronts, every 15 minutes"]],
    Timer: [
      ["OnBootSec", "5min"],
      ["OnUnitInactiveSec", "15min"],
      ["AccuracySec", "1min"],
    ],
    Install: [["WantedBy", "timers.target"]],
  })}`;
}

export function renderPublishService(): string {
  return `# ${GENERATED_NOTICE}\n${renderUnit({
    Unit: [
      ["Description", "Publish the certificates certbot renewed as Docker secrets and roll the fronts onto them"],
      ["After", "docker.service"],
      ["Requires", "docker.service"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["ExecStart", commandLine("/usr/bin/bash", [HOST_PATHS.publishScript])],
    ],
  })}`;
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

/**
 * `certbot/bootstrap.sh`, run by the operator before the first deploy: for each certificate whose secret file
 * is missing from secrets/docker/, a self-signed certificate for its names (30 days, EC P-256), key first, so
 * nginx starts before Let's Encrypt's first issuance; `swarm/secrets.sh` then creates the Docker secret. The
 * key is made on the operator's machine, in the git-ignored folder, never in out/.
 */
export function renderBootstrapScript(lineages: readonly { name: string; names: readonly string[]; secretFile: string }[]): string {
  const body = [
    "secrets_dir=${SECRETS_DIR:-secrets/docker}",
    'mkdir -p "$secrets_dir"',
    'chmod 700 "$secrets_dir"',
    "work=$(mktemp -d)",
    "trap 'rm -rf \"$work\"' EXIT",
    "",
    "# Writes a self-signed key and certificate for names $3… into secrets_dir/$2 unless it exists.",
    "bootstrap() {",
    '  local name="$1" file="$secrets_dir/$2" san=""',
    "  shift 2",
    '  if [ -s "$file" ]; then',
    '    echo "kept    $file"',
    "    return 0",
    "  fi",
    '  for dns in "$@"; do san="${san:+$san,}DNS:$dns"; done',
    '  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$name" \\',
    '    -addext "subjectAltName=$san" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null',
    '  (umask 077 && cat "$work/key.pem" "$work/cert.pem" >"$file.tmp")',
    '  mv -f "$file.tmp" "$file"',
    '  echo "created $file (self-signed, until certbot\'s first issuance)"',
    "}",
    "",
    ...lineages.map((lineage) => ["bootstrap", lineage.name, lineage.secretFile, ...lineage.names].map(shellWord).join(" ")),
  ];
  return bashScript(
    [
      "Writes a temporary self-signed certificate for each site into secrets/docker/ (git-ignored) before the first",
      "deploy, so nginx starts before Let's Encrypt's first issuance; then run swarm/secrets.sh. Run it from the",
      "project folder; SECRETS_DIR overrides the folder. A file that exists is kept.",
    ],
    body,
  );
}
