import { bashScript, shellWord } from "../shell.js";
import { GENERATED_NOTICE } from "../../src/synth/header.js";
import { renderUnit } from "../systemd/unit-text.js";

/** Where the swap file lives: /var is on the root filesystem of Flatcar and Fedora CoreOS, and writable. */
export const SWAP_FILE = "/var/swapfile";
/** The swap unit's name is the escaped path of its file, as systemd requires. */
export const SWAP_UNIT = "var-swapfile.swap";
export const SWAP_SERVICE = "swapfile-create.service";
/** The helper scripts on the node; /etc is writable and kept across OS updates. */
export const SCRIPT_DIR = "/etc/host-extras";
export const SWAP_SCRIPT = `${SCRIPT_DIR}/swapfile.sh`;
export const TOOL_SCRIPT = `${SCRIPT_DIR}/install-tool.sh`;
/**
 * Where downloaded tools go. Flatcar's /usr is a read-only image replaced whole by every OS update, so
 * nothing can be added there; /opt is on the writable root filesystem and survives updates, and Flatcar's
 * default PATH includes /opt/bin. A Flatcar system extension (sysext) would also survive updates but needs
 * an image built and signed per tool; a static binary in /opt/bin needs nothing but the download.
 */
export const TOOL_DIR = "/opt/bin";

/** A tool delivered as a static binary (a raw file, or a .tar.gz/.tgz holding a file of its name). */
export interface ToolSpec {
  /** The command's name, e.g. `ctop`: installed as /opt/bin/<name>. */
  readonly name: string;
  /** The pinned version, e.g. `0.7.7`: part of the unit's description and what the binary is checked for. */
  readonly version: string;
  /** Where the release file is downloaded from (https only). */
  readonly url: string;
  /** The sha256 of the file the URL serves: the download is refused when it differs. */
  readonly sha256: string;
}

/**
 * Creates the swap file, or re-creates it when its size is not the model's. Runs before the swap unit
 * activates it, so the file is never in use here. fallocate gives the file real blocks at once (swapon
 * refuses files with holes); mode 0600, since swapped-out memory may hold secrets.
 */
export function swapScript(): string {
  return bashScript(
    ["Creates the swap file at the size the model gives. Arguments: PATH BYTES."],
    [
      "file=$1 bytes=$2",
      'if [ -f "$file" ] && [ "$(stat -c %s "$file")" = "$bytes" ]; then',
      "  exit 0",
      "fi",
      'rm -f "$file.new"',
      'fallocate -l "$bytes" "$file.new"',
      'chmod 0600 "$file.new"',
      'mkswap "$file.new" >/dev/null',
      'mv -f "$file.new" "$file"',
    ],
  );
}

/**
 * Downloads a pinned tool into /opt/bin unless the installed one already has the pinned version's hash
 * recorded beside it; the download is checked against its sha256 before anything is installed.
 */
export function toolScript(): string {
  return bashScript(
    [
      `Installs a pinned static binary into ${TOOL_DIR}. Arguments: NAME VERSION URL SHA256.`,
      "The file downloaded must have the given sha256; a .tar.gz or .tgz must hold a file named NAME.",
    ],
    [
      "name=$1 version=$2 url=$3 sha256=$4",
      `dir=${TOOL_DIR}`,
      'stamp="$dir/.$name.version"',
      'if [ -x "$dir/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version $sha256" ]; then',
      "  exit 0",
      "fi",
      "work=$(mktemp -d)",
      "trap 'rm -rf \"$work\"' EXIT",
      'curl --fail --silent --show-error --location --proto =https --retry 5 --output "$work/download" "$url"',
      'echo "$sha256  $work/download" | sha256sum --check --quiet',
      'case "$url" in',
      "  *.tar.gz | *.tgz)",
      '    tar -xzf "$work/download" -C "$work"',
      '    binary=$(find "$work" -type f -name "$name" | head -n 1)',
      '    [ -n "$binary" ] || { echo "$url holds no file named $name" >&2; exit 1; }',
      "    ;;",
      '  *) binary="$work/download" ;;',
      "esac",
      'mkdir -p "$dir"',
      'install -m 0755 "$binary" "$dir/.$name.new"',
      'mv -f "$dir/.$name.new" "$dir/$name"',
      'echo "$version $sha256" >"$stamp"',
    ],
  );
}

export function swapUnit(size: string): string {
  return renderUnit({
    Unit: [
      ["Description", `Swap file of ${size} for a node with little memory`],
      ["Requires", SWAP_SERVICE],
      ["After", SWAP_SERVICE],
    ],
    Swap: [["What", SWAP_FILE]],
    Install: [["WantedBy", "swap.target"]],
  });
}

export function swapService(bytes: number): string {
  return renderUnit({
    Unit: [
      ["Description", `Creates ${SWAP_FILE} at the size the model gives`],
      ["#", "Swap comes before sysinit.target, which every service waits for by default: this one may not."],
      ["DefaultDependencies", "no"],
      ["After", "local-fs.target"],
      ["Before", `${SWAP_UNIT} shutdown.target`],
      ["Conflicts", "shutdown.target"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["RemainAfterExit", "yes"],
      ["ExecStart", `/bin/bash ${SWAP_SCRIPT} ${SWAP_FILE} ${bytes}`],
    ],
  });
}

export function toolService(tool: ToolSpec): string {
  return renderUnit({
    Unit: [
      ["Description", `Installs ${tool.name} ${tool.version} into ${TOOL_DIR}`],
      ["#", `${TOOL_DIR}, not /usr: Flatcar's /usr is read-only and replaced by each OS update; /opt survives.`],
      ["Wants", "network-online.target"],
      ["After", "network-online.target"],
    ],
    Service: [
      ["Type", "oneshot"],
      ["RemainAfterExit", "yes"],
      ["ExecStart", `/bin/bash ${TOOL_SCRIPT} ${[tool.name, tool.version, tool.url, tool.sha256].map(shellWord).join(" ")}`],
    ],
    Install: [["WantedBy", "multi-user.target"]],
  });
}

/** /etc/profile.d/aliases.sh: read by login shells (bash's /etc/profile sources profile.d). */
export function aliasesFile(aliases: Readonly<Record<string, string>>): string {
  const lines = Object.keys(aliases)
    .sort()
    .map((name) => `alias ${name}=${shellWord(aliases[name] ?? "")}`);
  return [`# ${GENERATED_NOTICE}`, "# Shell aliases from the model (HostExtras), for login shells.", ...lines, ""].join("\n");
}
