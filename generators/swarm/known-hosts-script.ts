import type { Node } from "../../src/model/node.js";
import { bashScript, shellWord, SSH_USER } from "../shell.js";

/**
 * `swarm/known-hosts.sh`: the seed's known_hosts collector. bootstrap.sh and apply.sh log in with
 * `BatchMode=yes`, which refuses a host key it does not know: this script records every node's host keys,
 * scanned on its private address, so the first run of bootstrap.sh works.
 *
 * The entries are written plain (`sw-node-1,10.10.1.21 ssh-ed25519 …`), not hashed (`ssh-keyscan -H`):
 * a hashed file hides which node a key belongs to, so an operator cannot review it or compare it with a
 * fingerprint read on the node's console; and the names it would hide are in this repository anyway.
 * Plain entries of the same names already in the file are replaced; other lines are kept.
 */
export function knownHostsScript(nodes: readonly Node[]): string {
  return bashScript(
    [
      "Collects the SSH host keys of every node, scanned with ssh-keyscan on its private address, into a",
      `known_hosts file, so bootstrap.sh (ssh -o BatchMode=yes as ${SSH_USER}) works on a first run.`,
      "Entries are plain, not hashed, and name both the hostname and the address: reviewable, and found",
      "whichever name ssh is given. The keys are trusted as first seen: run it from a trusted host on the",
      "private network and compare the fingerprints it prints with each node's console or cloud metadata.",
      "KNOWN_HOSTS: the file to update (default ~/.ssh/known_hosts). SSH_KEYSCAN_TIMEOUT: seconds per node (default 5).",
      "Exits 1 when a node gave no key, after recording the others. Safe to re-run.",
    ],
    [
      "KNOWN_HOSTS=${KNOWN_HOSTS:-$HOME/.ssh/known_hosts}",
      "SSH_KEYSCAN_TIMEOUT=${SSH_KEYSCAN_TIMEOUT:-5}",
      "",
      "# Every node: hostname and private address.",
      "NODES=(",
      ...nodes.map((node) => `  ${shellWord(`${node.hostname} ${node.privateIp}`)}`),
      ")",
      "",
      "work=$(mktemp -d)",
      "trap 'rm -rf \"$work\"' EXIT",
      ': >"$work/scanned"',
      ': >"$work/names"',
      "missing=()",
      'for entry in "${NODES[@]}"; do',
      '  read -r host ip <<<"$entry"',
      '  if ! ssh-keyscan -T "$SSH_KEYSCAN_TIMEOUT" -t ed25519,ecdsa,rsa "$ip" >"$work/one" 2>/dev/null || ! grep -q "^$ip " "$work/one"; then',
      '    missing+=("$host ($ip)")',
      "    continue",
      "  fi",
      "  # ssh-keyscan names the key by the address scanned; the entry names the host too.",
      '  awk -v ip="$ip" -v names="$host,$ip" \'$1 == ip { $1 = names; print }\' "$work/one" >>"$work/scanned"',
      '  printf \'%s\\n%s\\n\' "$host" "$ip" >>"$work/names"',
      "done",
      "",
      "# Keeps every line that names none of the scanned nodes (comments, hashed entries, other hosts).",
      'mkdir -p "$(dirname "$KNOWN_HOSTS")"',
      'touch "$KNOWN_HOSTS"',
      "awk 'NR == FNR { scanned[$0] = 1; next }",
      '  { keep = 1; n = split($1, names, ","); for (i = 1; i <= n; i++) if (names[i] in scanned) keep = 0 }',
      '  keep\' "$work/names" "$KNOWN_HOSTS" >"$work/kept"',
      'cat "$work/kept" "$work/scanned" >"$work/known_hosts"',
      'chmod 0644 "$work/known_hosts"',
      'mv -f "$work/known_hosts" "$KNOWN_HOSTS"',
      "",
      'if [ -s "$work/scanned" ]; then',
      '  echo "Host keys recorded in $KNOWN_HOSTS; compare these fingerprints with the nodes\':"',
      '  ssh-keygen -l -f "$work/scanned"',
      "fi",
      'if [ "${#missing[@]}" -gt 0 ]; then',
      "  printf 'error: no host key from %s\\n' \"${missing[@]}\" >&2",
      "  exit 1",
      "fi",
    ],
  );
}
