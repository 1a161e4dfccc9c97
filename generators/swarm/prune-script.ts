import { bashScript } from "../shell.js";

/** The Docker CLI image the prune job runs: pinned, and small (the CLI only; the node's daemon does the work). */
export const PRUNE_IMAGE = "docker:28.5.2-cli";
/** Swarm jobs (`--mode global-job`) came with Docker Engine 20.10, API 1.41. */
export const JOBS_API_VERSION = "1.41";

/**
 * `swarm/prune.sh`: the seed's cluster-wide prune, as a one-shot global service. A `global-job` runs one
 * task on every node that is not drained, each to completion, and is not restarted: exactly a one-shot on
 * every node. A stack file cannot declare a job (the Compose file format has no job mode), hence a script.
 *
 * The seed pruned with `--volumes`; this prune does not: named volumes hold the databases' and the
 * monitoring's data, and Docker refuses the `until` filter together with `--volumes` anyway.
 */
export function pruneScript(): string {
  return bashScript(
    [
      "Prunes every node of the Swarm once: a global-job service runs `docker system prune --all --force` on",
      "each node's daemon, through its socket, for stopped containers, unused networks, images and build cache",
      "older than PRUNE_UNTIL (default 24h). Volumes are never pruned: they hold the databases' data. Drained",
      `nodes are skipped (Swarm places no task on them). Run on a manager; needs Docker API ${JOBS_API_VERSION} or later.`,
      "PRUNE_TIMEOUT: seconds to wait for every node's task to finish (default 600). The service is removed after.",
    ],
    [
      "PRUNE_UNTIL=${PRUNE_UNTIL:-24h}",
      "PRUNE_TIMEOUT=${PRUNE_TIMEOUT:-600}",
      `PRUNE_IMAGE=${PRUNE_IMAGE}`,
      "",
      "api=$(docker version --format '{{.Server.APIVersion}}')",
      `if [ "$(printf '%s\\n' ${JOBS_API_VERSION} "$api" | sort -V | head -n 1)" != ${JOBS_API_VERSION} ]; then`,
      `  echo "error: the daemon speaks Docker API $api; global jobs need ${JOBS_API_VERSION} (Docker 20.10)" >&2`,
      "  exit 1",
      "fi",
      "",
      'name="prune-$(date -u +%Y%m%d%H%M%S)"',
      "trap 'docker service rm \"$name\" >/dev/null 2>&1 || true' EXIT",
      'docker service create --detach --quiet --name "$name" --mode global-job \\',
      "  --restart-condition none \\",
      "  --mount type=bind,source=/var/run/docker.sock,target=/var/run/docker.sock \\",
      '  "$PRUNE_IMAGE" docker system prune --all --force --filter "until=$PRUNE_UNTIL" >/dev/null',
      "",
      "# Each node's task ends Complete or Failed; wait until none is left pending or running.",
      "deadline=$((SECONDS + PRUNE_TIMEOUT))",
      "while :; do",
      "  states=$(docker service ps \"$name\" --format '{{.Node}} {{.CurrentState}}')",
      '  if [ -n "$states" ] && ! grep -qv -e " Complete" -e " Failed" <<<"$states"; then',
      "    break",
      "  fi",
      '  if [ "$SECONDS" -ge "$deadline" ]; then',
      '    echo "error: the prune did not finish on every node within ${PRUNE_TIMEOUT}s:" >&2',
      "    printf '%s\\n' \"$states\" >&2",
      "    exit 1",
      "  fi",
      "  sleep 2",
      "done",
      "printf '%s\\n' \"$states\"",
      'if grep -q " Failed" <<<"$states"; then',
      '  echo "error: the prune failed on some nodes (docker service logs $name, before it is removed)" >&2',
      "  exit 1",
      "fi",
      'echo "pruned every node"',
    ],
  );
}
