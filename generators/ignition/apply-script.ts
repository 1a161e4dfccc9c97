import type { IgnitionConfig } from "../../src/imports/ignition-v3.3.js";
import type { Node } from "../../src/model/node.js";
import { bashScript, shellWord, SSH_COMMAND_SETUP, SSH_USER } from "../shell.js";
import { contentsText } from "./data-url.js";

const UNIT_DIR = "/etc/systemd/system";
/** Ignition's default mode for a file without one. */
const DEFAULT_MODE = 0o644;
/**
 * Never restarted by the script: live-restore is off, so restarting dockerd stops every container on the
 * node, and docker-tcp.socket is bound to docker.service (Service=docker.service).
 */
const DOCKER_UNITS = new Set(["docker.service", "docker.socket", "docker-tcp.socket"]);
const AUDIT_RULES = "/etc/audit/rules.d/";
const DOCKER_CERTS_D = "/etc/docker/certs.d/";
/**
 * OS services that read files the model writes without their units naming the file: Flatcar ships these
 * units, so their text is not in the config to search.
 */
const OS_READERS: ReadonlyArray<readonly [prefix: string, unit: string]> = [
  ["/etc/docker/", "docker.service"],
  ["/etc/systemd/network/", "systemd-networkd.service"],
  [AUDIT_RULES, "audit-rules.service"],
  ["/etc/flatcar/update.conf", "update-engine.service"],
];

/** One file the script keeps in sync: its readable copy in out/, its path on the node. */
export interface SyncedFile {
  /** The copy's path under `files/` or `systemd/`, as the node would hold it alone (`files/etc/hosts`). */
  readonly local: string;
  readonly remote: string;
  readonly mode: number;
  readonly text: string;
  /** The unit it defines or is a drop-in of; undefined for any other file. */
  readonly unit?: string;
}

/**
 * `nodes/<hostname>/apply.sh`: what the day-2 apply needs to know of this node, handed to the one script
 * every node shares (`shared/apply.sh`, see sharedApplyScript). `copyPath` says where each readable copy
 * is in out/: the node's own folder, or `shared/` when every node that has the file has the same bytes.
 */
export function applyScript(node: Node, config: IgnitionConfig, copyPath: (local: string) => string): string {
  const files = syncedFiles(config);
  const units = [...new Set(files.flatMap((file) => (file.unit === undefined ? [] : [file.unit])))];
  const enabled = new Set((config.systemd?.units ?? []).filter((unit) => unit.enabled === true).map((unit) => unit.name));
  const fileEntries = files.map((file) => {
    const note = file.unit === undefined ? readersOf(file.remote, files).join(" ") : "";
    return ["file", copyPath(file.local), file.remote, file.mode.toString(8).padStart(4, "0"), file.unit ?? "", note].join("|");
  });
  const unitEntries = units.map((unit) => ["unit", unit, enabled.has(unit) ? "enable" : "-", unitAction(unit, files)].join("|"));
  const linkEntries = (config.storage?.links ?? []).flatMap((link) =>
    link.target && !link.hard ? [["link", link.path, link.target].join("|")] : [],
  );
  const words = [node.hostname, node.privateIp, ...fileEntries, ...unitEntries, ...linkEntries].map(shellWord);
  return bashScript(
    [
      `Day-2 apply for ${node.hostname}: brings the running node to its config.ign (Ignition runs only at first boot).`,
      "Run it from the operator's workstation after a build. This file holds what is the node's own: its",
      "address, its files with their readable copies in out/, how each unit takes effect; out/shared/apply.sh,",
      "which every node shares, does the work.",
      'SWARM_SSH: the ssh command, split into words (default ssh; e.g. "ssh -J bastion").',
    ],
    [
      'OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"',
      "# The host, its private address, then",
      "# file|readable copy in out/|path on the node|mode|unit it defines or is a drop-in of|units that read it",
      "# unit|name|enable or -|how a change takes effect: restart, reload-or-restart, next-run (a timer's service), or manual (docker's own units)",
      `exec bash "$OUT_DIR/shared/apply.sh" \\\n  ${words.join(" \\\n  ")}`,
    ],
  );
}

/**
 * `shared/apply.sh`, the day-2 apply every node's `nodes/<host>/apply.sh` runs with the node's data: it
 * installs, over SSH, the files and units whose content differs on the node (owner root, the config's
 * modes), reloads systemd and restarts the changed units, except the ones whose restart stops the node's
 * containers. Written once: a change to how nodes are brought up to date is one change in a diff.
 */
export function sharedApplyScript(): string {
  return bashScript(
    [
      "Day-2 apply, shared by every node: run out/nodes/<host>/apply.sh, which calls this with the node's data.",
      `Over SSH as ${SSH_USER} to the node's private address, it installs the files and units whose content differs`,
      "on the node (owner root, the config's modes), reloads systemd and restarts the changed units. It never",
      "restarts docker.service or docker-tcp.socket (live-restore is off: that stops every container on the node):",
      "it prints what to restart by hand, in a maintenance window. Safe to re-run: a second run changes nothing.",
      "Private keys are never in out/ and never copied by it.",
      "Arguments: HOST NODE_IP, then one word per file (file|copy in out/|path|mode|unit|readers) and unit",
      "(unit|name|enable or -|action).",
      'SWARM_SSH: the ssh command, split into words (default ssh; e.g. "ssh -J bastion").',
    ],
    [
      ...SSH_COMMAND_SETUP,
      'if [ "$#" -lt 2 ]; then',
      '  echo "usage: run out/nodes/<host>/apply.sh, which calls $0 with the node\'s data" >&2',
      "  exit 2",
      "fi",
      'HOST="$1"',
      'NODE_IP="$2"',
      "shift 2",
      "# The readable copies are named relative to out/, this script's parent folder.",
      'OUT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"',
      "FILES=()",
      "UNITS=()",
      "LINKS=()",
      'for entry in "$@"; do',
      '  case "$entry" in',
      '    "file|"*) FILES+=("${entry#file|}") ;;',
      '    "unit|"*) UNITS+=("${entry#unit|}") ;;',
      '    "link|"*) LINKS+=("${entry#link|}") ;;',
      '    *) echo "error: not a file, unit or link entry: $entry" >&2; exit 2 ;;',
      "  esac",
      "done",
      "",
      "# Whether a changed unit is enabled, then how it takes effect.",
      "unit_action() {",
      "  local entry name enable action",
      '  for entry in ${UNITS[@]+"${UNITS[@]}"}; do',
      "    IFS='|' read -r name enable action <<<\"$entry\"",
      '    if [ "$name" = "$1" ]; then',
      '      echo "$enable $action"',
      "      return",
      "    fi",
      "  done",
      "  echo - manual",
      "}",
      "",
      ...functions(),
      ...body(),
    ],
  );
}

/** Files and units of the final config that have a readable copy in out/ (the ones the script can send). */
export function syncedFiles(config: IgnitionConfig): SyncedFile[] {
  const files = (config.storage?.files ?? []).flatMap((file): SyncedFile[] => {
    const text = contentsText(file.contents);
    if (text === undefined || isPrivateKey(text)) return [];
    const unit = new RegExp(`^${UNIT_DIR}/([^/]+)\\.d/[^/]+$`).exec(file.path)?.[1];
    return [{ local: `files/${file.path.replace(/^\/+/, "")}`, remote: file.path, mode: file.mode ?? DEFAULT_MODE, text, unit }];
  });
  const units = (config.systemd?.units ?? []).flatMap((unit): SyncedFile[] => [
    ...(typeof unit.contents === "string"
      ? [{ local: `systemd/${unit.name}`, remote: `${UNIT_DIR}/${unit.name}`, mode: DEFAULT_MODE, text: unit.contents, unit: unit.name }]
      : []),
    ...(unit.dropins ?? []).flatMap((dropIn) =>
      typeof dropIn.contents === "string"
        ? [
            {
              local: `systemd/${unit.name}.d/${dropIn.name}`,
              remote: `${UNIT_DIR}/${unit.name}.d/${dropIn.name}`,
              mode: DEFAULT_MODE,
              text: dropIn.contents,
              unit: unit.name,
            },
          ]
        : [],
    ),
  ]);
  return [...files, ...units];
}

function isPrivateKey(text: string): boolean {
  return /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text);
}

/**
 * The units that read a file: those whose text (unit file or drop-in) names it, through any file that names
 * it (the node certificate is named in tls.env, which docker-tcp.socket copies), plus the OS services known
 * to read it.
 */
function readersOf(path: string, files: readonly SyncedFile[]): string[] {
  // dockerd reads a registry's CA from certs.d whenever it connects to that registry: nothing to restart.
  if (path.startsWith(DOCKER_CERTS_D)) return [];
  const readers = new Set<string>();
  const seen = new Set<string>([path]);
  const queue = [path];
  for (let named = queue.shift(); named !== undefined; named = queue.shift()) {
    for (const [prefix, unit] of OS_READERS) if (named.startsWith(prefix)) readers.add(unit);
    for (const file of files) {
      // An audit rule names a path to watch it: the audit rules are not how anything reads the file.
      if (file.remote === named || file.remote.startsWith(AUDIT_RULES) || !file.text.includes(named)) continue;
      if (file.unit !== undefined) readers.add(file.unit);
      else if (!seen.has(file.remote)) {
        seen.add(file.remote);
        queue.push(file.remote);
      }
    }
  }
  return [...readers].sort();
}

function unitAction(unit: string, files: readonly SyncedFile[]): string {
  if (DOCKER_UNITS.has(unit)) return "manual";
  // A service its timer starts (a backup): restarting it would run it now; the change takes effect at the next run.
  if (unit.endsWith(".service") && files.some((file) => file.unit === unit.replace(/\.service$/, ".timer"))) return "next-run";
  const text = files
    .filter((file) => file.unit === unit)
    .map((file) => file.text)
    .join("\n");
  // systemd restarts a unit along with the units it is required by: docker.service, for one of these.
  const requiredByDocker = /^\s*(RequiredBy|BoundBy)=.*\bdocker\.service\b/m.test(text);
  if (!requiredByDocker) return "restart";
  return /^\s*ExecReload=/m.test(text) ? "reload-or-restart" : "manual";
}

function functions(): string[] {
  return [
    "# Runs a command on the node, over its private address: SSH may be closed on the public one.",
    "on() {",
    `  "\${ssh_command[@]}" -o BatchMode=yes "${SSH_USER}@$NODE_IP" "$@"`,
    "}",
    "",
    "local_hash() {",
    '  if command -v sha256sum >/dev/null; then sha256sum <"$1"; else shasum -a 256 <"$1"; fi | cut -d \' \' -f 1',
    "}",
    "",
    "manual() {",
    '  echo "$HOST: $1 NOT restarted: live-restore is off, so restarting dockerd stops every container on this node."',
    '  echo "  In a maintenance window (drain the node first), run: ssh core@$NODE_IP sudo systemctl restart $1"',
    "}",
    "",
  ];
}

function body(): string[] {
  return [
    "remote_paths=()",
    'for entry in "${FILES[@]}"; do',
    "  IFS='|' read -r local_file remote _ _ _ <<<\"$entry\"",
    '  if [ ! -f "$OUT_DIR/$local_file" ]; then',
    '    echo "error: $OUT_DIR/$local_file is missing: run npm run build first" >&2',
    "    exit 1",
    "  fi",
    "  # [ ]: so that out/ never holds the words of a key's PEM label, which the build's own checks look for.",
    "  if grep -q -- '-----BEGIN [A-Z ]*PRIVATE[ ]KEY-----' \"$OUT_DIR/$local_file\"; then",
    '    echo "error: $local_file holds a private key: refusing to copy it" >&2',
    "    exit 1",
    "  fi",
    '  remote_paths+=("$(printf \'%q\' "$remote")")',
    "done",
    "",
    "# One round trip for every hash on the node; a missing file has no line.",
    'remote_hashes="$(on "sudo sha256sum -- ${remote_paths[*]} 2>/dev/null || true" </dev/null)"',
    "",
    "changed_units=()",
    "changed=0",
    'for entry in "${FILES[@]}"; do',
    "  IFS='|' read -r local_file remote mode unit readers <<<\"$entry\"",
    `  current="$(awk -v path="$remote" '$2 == path { print $1; exit }' <<<"$remote_hashes")"`,
    '  if [ "$current" = "$(local_hash "$OUT_DIR/$local_file")" ]; then continue; fi',
    '  echo "$HOST: installing $remote"',
    '  on "sudo install -D -o root -g root -m $mode /dev/stdin $(printf \'%q\' "$remote")" <"$OUT_DIR/$local_file"',
    "  changed=$((changed + 1))",
    '  if [ -n "$unit" ]; then',
    '    case " ${changed_units[*]-} " in *" $unit "*) ;; *) changed_units+=("$unit") ;; esac',
    '  elif [ -n "$readers" ]; then',
    '    echo "  $remote is read by: $readers; restart them to use it (docker units by hand, in a maintenance window)"',
    "  else",
    '    echo "  restart the services that read $remote"',
    "  fi",
    "done",
    "",
    "# Symbolic links (/etc/localtime): replaced when they point elsewhere; nothing restarts for them.",
    'for entry in ${LINKS[@]+"${LINKS[@]}"}; do',
    "  IFS='|' read -r path target <<<\"$entry\"",
    '  current="$(on "readlink $(printf \'%q\' "$path") || true" </dev/null)"',
    '  if [ "$current" = "$target" ]; then continue; fi',
    '  echo "$HOST: linking $path to $target"',
    '  on "sudo ln -sfn $(printf \'%q\' "$target") $(printf \'%q\' "$path")" </dev/null',
    "  changed=$((changed + 1))",
    "done",
    "",
    'if [ "$changed" -eq 0 ]; then',
    '  echo "$HOST: up to date, nothing to apply"',
    "  exit 0",
    "fi",
    'if [ "${#changed_units[@]}" -gt 0 ]; then',
    '  on "sudo systemctl daemon-reload" </dev/null',
    "fi",
    'for unit in ${changed_units[@]+"${changed_units[@]}"}; do',
    '  read -r enable action <<<"$(unit_action "$unit")"',
    '  if [ "$enable" = enable ]; then on "sudo systemctl enable $unit" </dev/null; fi',
    '  case "$action" in',
    '    manual) manual "$unit" ;;',
    '    next-run) echo "$HOST: $unit takes the change at its next run (its timer starts it)" ;;',
    '    *) echo "$HOST: systemctl $action $unit"; on "sudo systemctl $action $unit" </dev/null ;;',
    "  esac",
    "done",
    'echo "$HOST: $changed file(s) installed"',
  ];
}
