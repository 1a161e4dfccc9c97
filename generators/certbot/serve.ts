import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { bashScript, shellWord } from "../shell.js";
import { commandLine, renderUnit } from "../systemd/unit-text.js";

/**
 * How certificates reach the fronts: files on the shared CephFS volume every front mounts, reloaded in place.
 * certbot's deploy hook writes `serve/<lineage>/{fullchain,privkey}.pem` there (each file whole: written beside,
 * then renamed); before any issuance `bootstrap.sh` fills a missing one with a self-signed certificate, so nginx
 * always starts; on each front node a timer notices a change (a sha256 stamp: CephFS tells no other client of
 * a write) and reloads nginx in the local front containers, gracefully. See lets-encrypt.ts for why.
 */

/** The folder of the shared volume nginx reads and the deploy hook writes: certbot's own `live/` stays in its state. */
export const SERVE_FOLDER = "serve";
/** Inside the certbot container: where the shared volume is mounted (read-write). */
export const SHARED_DIR_IN_CERTBOT = "/srv/letsencrypt";
/** On the nodes: the scripts and the reload's stamps. */
export const SERVE_HOST_PATHS = {
  reloadScript: "/etc/swarm-cluster/certbot/reload.sh",
  bootstrapScript: "/etc/swarm-cluster/certbot/bootstrap.sh",
  stampDir: "/var/lib/swarm-cluster/certbot-reload",
} as const;
export const RELOAD_UNIT = "certbot-reload";
export const BOOTSTRAP_UNIT = "certbot-bootstrap";

/**
 * certbot's deploy hook, in the certbot container (cli.ini runs it after each issuance or renewal, with
 * `RENEWED_LINEAGE` = `<config dir>/live/<name>`): copies the lineage's key (0600) and full chain to
 * `<shared volume>/serve/<name>/`, each written beside and renamed into place, so a reader sees the old file or
 * the new one, never a part. `CERTBOT_SHARED_DIR` overrides where the shared volume is.
 */
export function renderDeployHook(): string {
  return [
    "#!/bin/sh",
    `# ${GENERATED_NOTICE}`,
    "# certbot's deploy hook: copies the renewed key and chain to the shared volume every front reads",
    `# (${SERVE_FOLDER}/<name>/), whole files only; each front's ${RELOAD_UNIT}.timer then reloads its nginx.`,
    "set -eu",
    'lineage="${RENEWED_LINEAGE:?certbot sets RENEWED_LINEAGE}"',
    'name="${lineage##*/}"',
    `dir="\${CERTBOT_SHARED_DIR:-${SHARED_DIR_IN_CERTBOT}}/${SERVE_FOLDER}/$name"`,
    'mkdir -p "$dir"',
    "umask 077",
    'cat "$lineage/privkey.pem" >"$dir/.privkey.pem.tmp"',
    'cat "$lineage/fullchain.pem" >"$dir/.fullchain.pem.tmp"',
    'chmod 644 "$dir/.fullchain.pem.tmp"',
    "# The key first, then the chain right after: nginx checks that they match before a reload takes them.",
    'mv -f "$dir/.privkey.pem.tmp" "$dir/privkey.pem"',
    'mv -f "$dir/.fullchain.pem.tmp" "$dir/fullchain.pem"',
    'echo "deploy hook: $name written to $dir"',
    "",
  ].join("\n");
}

/** One certificate bootstrap.sh makes when missing: its lineage name and every name it covers. */
export interface BootstrapEntry {
  readonly name: string;
  readonly names: readonly string[];
}

/**
 * `bootstrap.sh [shared volume]`: for each certificate missing from `<volume>/serve/<name>/`, a self-signed one
 * (30 days, EC P-256) for its names, written as the deploy hook writes, so nginx starts before Let's Encrypt's
 * first issuance. A certificate there (issued, or made before) is kept. Run at boot on certbot's node by
 * certbot-bootstrap.service; out/certbot/bootstrap.sh is the same script, for a volume mounted elsewhere.
 */
export function renderBootstrapScript(entries: readonly BootstrapEntry[], volumeDir: string): string {
  const body = [
    `volume=\${1:-${shellWord(volumeDir)}}`,
    "[[ -d $volume ]] || {",
    '  echo "bootstrap: $volume is not a directory: is the shared volume mounted?" >&2',
    "  exit 1",
    "}",
    "work=$(mktemp -d)",
    "trap 'rm -rf \"$work\"' EXIT",
    "",
    `# Writes a self-signed key and certificate for names $2… into $volume/${SERVE_FOLDER}/$1/ unless both are there.`,
    "bootstrap() {",
    `  local name="$1" dir="$volume/${SERVE_FOLDER}/$1" san=""`,
    "  shift",
    "  if [[ -s $dir/fullchain.pem && -s $dir/privkey.pem ]]; then",
    '    echo "kept    $dir"',
    "    return 0",
    "  fi",
    '  for dns in "$@"; do san="${san:+$san,}DNS:$dns"; done',
    '  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj "/CN=$name" \\',
    '    -addext "subjectAltName=$san" -keyout "$work/privkey.pem" -out "$work/fullchain.pem" 2>/dev/null',
    '  mkdir -p "$dir"',
    '  install -m 600 "$work/privkey.pem" "$dir/.privkey.pem.tmp"',
    '  install -m 644 "$work/fullchain.pem" "$dir/.fullchain.pem.tmp"',
    '  mv -f "$dir/.privkey.pem.tmp" "$dir/privkey.pem"',
    '  mv -f "$dir/.fullchain.pem.tmp" "$dir/fullchain.pem"',
    '  echo "created $dir (self-signed, until certbot\'s first issuance)"',
    "}",
    "",
    ...entries.map((entry) => ["bootstrap", entry.name, ...entry.names].map(shellWord).join(" ")),
  ];
  return bashScript(
    [
      `Fills the shared certificate volume (default ${volumeDir}, or $1) with a temporary self-signed certificate`,
      `for each certificate certbot has not issued yet, in ${SERVE_FOLDER}/<name>/ where nginx reads it, so the fronts start before`,
      "Let's Encrypt's first issuance. A certificate already there is kept. Run as root on a node mounting the volume.",
    ],
    body,
  );
}

export interface ReloadSettings {
  /** The shared volume on the node (`/run/ceph-volumes/letsencrypt`). */
  readonly volumeDir: string;
  /** The front's Swarm service (`front_nginx`): its containers carry it as `com.docker.swarm.service.name`. */
  readonly service: string;
}

/**
 * The reload, on each front node (certbot-reload.service, started by its timer): when the served files' sha256
 * stamp differs from the last one reloaded, `nginx -t` then `nginx -s reload` in every local container of the
 * front's service. nginx's reload is graceful: new workers take the new certificates, the old ones finish the
 * connections they hold; a failed test or reload keeps nginx on its running configuration, and the stamp is not
 * kept, so the next run tries again. `CERTIFICATES_DIR` and `STAMP_DIR` override the two folders.
 */
export function renderReloadScript(settings: ReloadSettings): string {
  const body = [
    `serve="\${CERTIFICATES_DIR:-${shellWord(settings.volumeDir)}}/${SERVE_FOLDER}"`,
    `stamp_dir="\${STAMP_DIR:-${SERVE_HOST_PATHS.stampDir}}"`,
    `service=${shellWord(settings.service)}`,
    'stamp_file="$stamp_dir/$service.sha256"',
    "",
    "[[ -d $serve ]] || {",
    '  echo "no $serve yet: nothing to reload"',
    "  exit 0",
    "}",
    "# Every served file's name and content in one hash: CephFS notifies no other client of a write.",
    'stamp=$(cd "$serve" && find . -type f -name "*.pem" -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum | sha256sum)',
    "stamp=${stamp%% *}",
    'if [[ -f $stamp_file && $(<"$stamp_file") == "$stamp" ]]; then',
    "  exit 0",
    "fi",
    "",
    "# A failing docker ps stops the script here (set -e), before any stamp is kept.",
    'containers=$(docker ps --quiet --filter "label=com.docker.swarm.service.name=$service")',
    "failed=0",
    "for container in $containers; do",
    '  if docker exec "$container" nginx -t -q && docker exec "$container" nginx -s reload; then',
    '    echo "reloaded nginx in $container ($service)"',
    "  else",
    '    echo "nginx in $container ($service) kept its running configuration: its test or reload failed; next run retries" >&2',
    "    failed=1",
    "  fi",
    "done",
    "# No container here: a front task that starts later reads the files as they are.",
    "if [[ $failed -eq 0 ]]; then",
    '  mkdir -p "$stamp_dir"',
    '  printf "%s\\n" "$stamp" >"$stamp_file.tmp"',
    '  mv -f "$stamp_file.tmp" "$stamp_file"',
    "fi",
    'exit "$failed"',
  ];
  return bashScript(
    [
      "Reloads nginx in this node's front containers when a certificate on the shared volume changed (certbot's deploy",
      `hook, or bootstrap.sh): nginx -t, then nginx -s reload, which lets old workers finish their connections.`,
      `Run by ${RELOAD_UNIT}.service; safe to re-run.`,
    ],
    body,
  );
}

/**
 * Runs the reload every 5 minutes: hashing a few files is all it does while nothing changed, and a failed reload
 * is retried on the next run. Certificates are renewed 30 days ahead: five minutes is no delay.
 */
export function renderReloadTimer(): string {
  return `# ${GENERATED_NOTICE}\n${renderUnit({
    Unit: [["Description", "Reload nginx in the local fronts when a certificate on the shared volume changed, every 5 minutes"]],
    Timer: [
      ["OnBootSec", "2min"],
      ["OnUnitInactiveSec", "5min"],
      ["AccuracySec", "30s"],
    ],
    Install: [["WantedBy", "timers.target"]],
  })}`;
}

export function renderReloadService(volumeUnit: string | undefined): string {
  return `# ${GENERATED_NOTICE}\n${renderUnit({
    Unit: [
      ["Description", "Reload nginx in the local fronts (nginx -t, nginx -s reload) if a certificate changed"],
      ["After", ["docker.service", ...(volumeUnit ? [volumeUnit] : [])].join(" ")],
      ["Requires", "docker.service"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["ExecStart", commandLine("/usr/bin/bash", [SERVE_HOST_PATHS.reloadScript])],
    ],
  })}`;
}

/**
 * At boot on certbot's node, once the shared volume is mounted: bootstrap.sh fills what is missing. Wanted by the
 * volume's mount unit too, so it also runs when that unit first mounts the volume later (out/ceph/bootstrap.sh
 * starts it once the node has its Ceph key: at the first boot the mount, and so this, is skipped).
 */
export function renderBootstrapService(volumeUnit: string | undefined, volumeDir: string): string {
  return `# ${GENERATED_NOTICE}\n${renderUnit({
    Unit: [
      ["Description", "Temporary self-signed certificates on the shared volume for those certbot has not issued yet"],
      ...(volumeUnit
        ? ([
            ["After", volumeUnit],
            ["Requires", volumeUnit],
          ] as const)
        : []),
      ["#", "Never onto the node's own disk: only while the shared volume is mounted there."],
      ["ConditionPathIsMountPoint", volumeDir],
    ],
    Service: [
      ["Type", "oneshot"],
      ["RemainAfterExit", "yes"],
      ["ExecStart", commandLine("/usr/bin/bash", [SERVE_HOST_PATHS.bootstrapScript, volumeDir])],
    ],
    Install: [["WantedBy", ["multi-user.target", ...(volumeUnit ? [volumeUnit] : [])].join(" ")]],
  })}`;
}
