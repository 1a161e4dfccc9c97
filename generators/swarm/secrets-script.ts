import type { Secret } from "../../src/model/secret.js";
import { bashScript, shellWord } from "../shell.js";

/**
 * `swarm/secrets.sh`: creates, from the git-ignored `secrets/docker/<name>` files, every Docker secret version
 * the stacks reference that the Swarm lacks. A Docker secret cannot change, so a version that exists is left
 * alone; a rotated secret is a new version (a new name), which the next `docker stack deploy` rolls the services
 * onto. Values go from the file to `docker secret create NAME -` on stdin, never through a command's arguments.
 * Versions no stack uses any more are listed, not removed: a service still on them would fail to update.
 */
export function secretsScript(secrets: readonly Secret[]): string {
  const body = [
    "secrets_dir=${SECRETS_DIR:-secrets/docker}",
    "missing=0",
    "",
    "# Creates the Docker secret $1 from the file secrets_dir/$2 unless the Swarm has it already.",
    "ensure_secret() {",
    '  local name="$1" file="$secrets_dir/$2"',
    '  if docker secret inspect "$name" >/dev/null 2>&1; then',
    '    echo "kept    $name"',
    "    return 0",
    "  fi",
    '  if [ ! -s "$file" ]; then',
    '    echo "missing $file: run \\`swarm-cluster secrets\\`, or write it yourself for a secret it cannot make" >&2',
    "    missing=1",
    "    return 0",
    "  fi",
    '  docker secret create "$name" - <"$file" >/dev/null',
    '  echo "created $name"',
    "}",
    "",
    ...secrets.map((secret) => `ensure_secret ${shellWord(secret.dockerName)} ${shellWord(secret.name)}`),
    "",
    "# Older versions of these secrets, which a service may still use until its stack is deployed again.",
    "current=(",
    ...secrets.map((secret) => `  ${shellWord(secret.dockerName)}`),
    ")",
    'docker secret ls --format "{{.Name}}" | while read -r existing; do',
    '  base="${existing%_v*}"',
    '  [ "$base" != "$existing" ] || continue',
    '  for name in "${current[@]}"; do',
    '    if [ "${name%_v*}" = "$base" ] && [ "$name" != "$existing" ]; then',
    '      echo "old     $existing: docker secret rm it once every stack using it is deployed again"',
    "    fi",
    "  done",
    "done",
    "",
    'if [ "$missing" -ne 0 ]; then exit 1; fi',
  ];
  return bashScript(
    [
      "Creates the cluster's Docker secrets from secrets/docker/ (written by `swarm-cluster secrets`), before",
      "`docker stack deploy`. Run it from the project folder against a manager (DOCKER_HOST); SECRETS_DIR overrides",
      "the folder. Safe to re-run: versions that exist are kept, and values never pass through a command line.",
    ],
    body,
  );
}
