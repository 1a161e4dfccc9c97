import type { Service, Stack } from "../../src/model/stack.js";
import { OUT_PATHS } from "../../src/synth/out-paths.js";
import { bashScript, shellWord, SSH_COMMAND_SETUP, SSH_USER } from "../shell.js";
import { serviceEntry } from "../stacks/service-entry.js";
import type { StackDependency } from "./deploy-order.js";
import type { GaleraMemberRoll } from "./deploy-rolling.js";

/** How long a stack's services may take to run every replica, unless `--timeout` says otherwise. */
export const DEFAULT_CONVERGE_SECONDS = 600;

export interface DeployPlan {
  /** In deploy order (stackDeployOrder). */
  readonly stacks: readonly Stack[];
  readonly dependencies: readonly StackDependency[];
  /** The Galera members, rolled one at a time before the rest of their stack. */
  readonly members: readonly GaleraMemberRoll[];
}

/** Why a stack comes where it does: the stacks it waits for, with the call that makes it wait. */
function reasonOf(stack: Stack, dependencies: readonly StackDependency[]): string {
  const mine = dependencies.filter((dependency) => dependency.stack === stack);
  return mine.map((dependency) => `after ${dependency.after.name}: ${dependency.reason}`).join("; ");
}

/**
 * A service Swarm does not restart once it exits cleanly (restart condition `on-failure` or `none`, as its stack
 * entry says, overrides included): a one-shot, done when its task completed, not when it runs.
 */
function isOneShot(service: Service): boolean {
  const condition = service.applyOverrides(serviceEntry(service)).deploy?.restart_policy?.condition;
  return condition === "on-failure" || condition === "none";
}

/**
 * `swarm/deploy.sh`: the whole deploy against a manager (`DOCKER_HOST`), in one ordered, idempotent run:
 * networks.sh, labels.sh and secrets.sh as they are, then each stack in dependency order, each waited on until
 * every service runs its replicas, and the Galera members rolled one at a time, each waited on until Synced.
 *
 * The roll: each member is its own service, so one `docker stack deploy` updates every changed member at once
 * and the cluster loses quorum. Before its stack, each member is deployed alone, from a stack file holding only
 * its entry (swarm/rolling/<stack>/<member>.yml, the same spec the stack file gives it): `docker stack deploy`
 * without `--prune` leaves the stack's other services as they are, so only that member restarts, if its spec
 * changed at all. Once it runs and its server says `wsrep_local_state_comment` Synced (read in its container
 * with the health check's tool and account), the next member goes. The whole stack file is deployed last; the
 * members' specs then match it already, so only the other services (ProxySQL, garbd) change.
 */
export function deployScript(plan: DeployPlan): string {
  const stackEntries = plan.stacks.map((stack) => `  ${shellWord(`${stack.name} ${OUT_PATHS.stackFile(stack)}`)}`);
  const services = plan.stacks.map(
    (stack) => `  [${stack.name}]=${shellWord(stack.services.map((service) => service.dockerName).join(" "))}`,
  );
  const reasons = plan.stacks
    .map((stack) => [stack, reasonOf(stack, plan.dependencies)] as const)
    .filter(([, reason]) => reason !== "")
    .map(([stack, reason]) => `  [${stack.name}]=${shellWord(reason)}`);
  const members = plan.members.map(
    (roll) =>
      `  ${shellWord(`${roll.stack.name} ${roll.member.dockerName} ${roll.node.hostname} ${roll.node.privateIp} ${roll.syncSeconds} ${roll.file}`)}`,
  );
  const oneShots = plan.stacks
    .flatMap((stack) => stack.services)
    .filter(isOneShot)
    .map((service) => `  [${service.dockerName}]=1`);
  const statusCommands = plan.members.map((roll) => `  [${roll.member.dockerName}]=${shellWord(roll.statusCommand.join(" "))}`);
  const order = plan.stacks.map((stack, index) => {
    const reason = reasonOf(stack, plan.dependencies);
    return `  ${index + 1}. ${stack.name}${reason ? ` (${reason})` : ""}`;
  });
  return bashScript(
    [
      "Deploys the cluster against a Swarm manager (DOCKER_HOST, as the docker CLI reads it), in order: the overlays",
      "(networks.sh), the node labels (labels.sh), the Docker secrets (secrets.sh, from SECRETS_DIR, by default the",
      "secrets/docker/ folder beside out/), then each stack after the stacks its services call, each waited on until every",
      "service runs all its replicas. Galera members are rolled one at a time before the rest of their stack: each is",
      "deployed alone and waited on until it is Synced, so an update never restarts them all at once. Safe to re-run:",
      "what already matches the model is left as it is. `--dry-run` prints the plan and changes nothing; `--help`.",
      "The stacks, in order:",
      ...order,
    ],
    [
      ...SSH_COMMAND_SETUP,
      "",
      "usage() {",
      "  cat <<'EOF'",
      "Usage: deploy.sh [--dry-run] [--timeout SECONDS] [--sync-timeout SECONDS] [--resolve-image MODE] [--with-registry-auth]",
      "",
      "Deploys the overlays, node labels, Docker secrets and every stack, in dependency order, against the",
      "Swarm manager DOCKER_HOST names; rolls the Galera members one at a time, each waited on until Synced.",
      "",
      "  --dry-run               print the plan, step by step, and change nothing",
      `  --timeout SECONDS       how long each stack may take to run every replica (default ${DEFAULT_CONVERGE_SECONDS},`,
      "                          or DEPLOY_TIMEOUT)",
      "  --sync-timeout SECONDS  how long each Galera member may take to be Synced (default: its health check's",
      "                          start period, during which a joining member copies the data; or DEPLOY_SYNC_TIMEOUT)",
      "  --resolve-image MODE    always, changed or never: passed to every docker stack deploy (docker's default:",
      "                          always, which asks the registry for each image's digest)",
      "  --with-registry-auth    passed to every docker stack deploy: the nodes pull with this client's registry login",
      "  -h, --help              this text",
      "",
      "Environment: DOCKER_HOST (and DOCKER_TLS_VERIFY, DOCKER_CERT_PATH) for the manager; SECRETS_DIR for",
      "secrets.sh (default: secrets/docker/ beside out/); DEPLOY_POLL, seconds between checks (default 2). A Galera member's status is read with",
      "`docker exec` on its node: through DEPLOY_NODE_DOCKER_HOST when set (a DOCKER_HOST value in which {hostname}",
      `and {ip} stand for the node's, e.g. tcp://{ip}:2376), otherwise over SSH as ${SSH_USER} to its private address`,
      '(SWARM_SSH, as bootstrap.sh: e.g. "ssh -J bastion").',
      "EOF",
      "}",
      "",
      "dry_run=0",
      `timeout=\${DEPLOY_TIMEOUT:-${DEFAULT_CONVERGE_SECONDS}}`,
      "sync_timeout=${DEPLOY_SYNC_TIMEOUT:-}",
      "poll=${DEPLOY_POLL:-2}",
      "# Options of every docker stack deploy.",
      "stack_options=()",
      'while [ "$#" -gt 0 ]; do',
      '  case "$1" in',
      "    --dry-run) dry_run=1 ;;",
      '    --timeout) timeout="${2:-}"; shift ;;',
      '    --timeout=*) timeout="${1#*=}" ;;',
      '    --sync-timeout) sync_timeout="${2:-}"; shift ;;',
      '    --sync-timeout=*) sync_timeout="${1#*=}" ;;',
      '    --resolve-image) stack_options+=(--resolve-image "${2:-}"); shift ;;',
      '    --resolve-image=*) stack_options+=(--resolve-image "${1#*=}") ;;',
      "    --with-registry-auth) stack_options+=(--with-registry-auth) ;;",
      "    -h | --help) usage; exit 0 ;;",
      '    *) echo "error: unknown argument $1" >&2; usage >&2; exit 2 ;;',
      "  esac",
      "  shift",
      "done",
      'for value in "$timeout" "${sync_timeout:-0}" "$poll"; do',
      '  case "$value" in',
      "    '' | *[!0-9]*) echo \"error: '$value' is not a number of seconds\" >&2; exit 2 ;;",
      "  esac",
      "done",
      "",
      "# out/, from where this script sits (out/swarm/): the stack files and the other scripts are read from there.",
      'here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"',
      'out="$(dirname "$here")"',
      "# secrets.sh reads the secrets of the project folder out/ sits in, wherever this script is run from.",
      'export SECRETS_DIR="${SECRETS_DIR:-$(dirname "$out")/secrets/docker}"',
      "",
      "# The stacks in deploy order, each with its stack file (out/-relative): each comes after every stack its",
      "# services call (the request path the model declares, and endpoints services are started with); stacks no call",
      "# relates keep the config's order.",
      "STACKS=(",
      ...stackEntries,
      ")",
      "# Each stack's services, as Docker names them.",
      "declare -A SERVICES=(",
      ...services,
      ")",
      "# One-shots: services Swarm does not restart once they exit cleanly, done when their task completed.",
      "declare -A ONESHOT=(",
      ...oneShots,
      ")",
      "# Why a stack waits for others.",
      "declare -A AFTER=(",
      ...reasons,
      ")",
      "# Galera members, rolled one at a time before the rest of their stack: stack, service, node, its private address,",
      "# seconds it may take to be Synced (its health check's start period), its own stack file (out/-relative).",
      "MEMBERS=(",
      ...members,
      ")",
      "# What prints a member's server status in its container: the health check's tool and account.",
      "declare -A MEMBER_STATUS=(",
      ...statusCommands,
      ")",
      "",
      ...functions(),
      ...main(),
    ],
  );
}

function functions(): string[] {
  return [
    "step_number=0",
    "step() {",
    "  step_number=$((step_number + 1))",
    '  printf \'\\n%d. %s\\n\' "$step_number" "$*"',
    "}",
    "",
    "# Runs a command; in a dry run, prints it instead.",
    "run() {",
    '  if [ "$dry_run" -eq 1 ]; then',
    "    printf '   would run:' && printf ' %q' \"$@\" && printf '\\n'",
    "    return 0",
    "  fi",
    '  "$@"',
    "}",
    "",
    "# `name running/desired` for every service of a stack (`3/3 (max 1 per node)` reads as 3/3).",
    "replicas_of() {",
    "  docker stack services \"$1\" --format '{{.Name}} {{.Replicas}}' 2>/dev/null || true",
    "}",
    "",
    "# `name state started-at` of each service's last update (`none` if never updated), for the services that exist.",
    "update_states() {",
    "  local name",
    '  for name in "$@"; do',
    "    docker service inspect --format '{{.Spec.Name}} {{if .UpdateStatus}}{{.UpdateStatus.State}} {{.UpdateStatus.StartedAt}}{{else}}none{{end}}' \"$name\" 2>/dev/null || true",
    "  done",
    "}",
    "",
    "# Whether a one-shot's newest task completed (`docker service ps` lists each slot's newest task first).",
    "completed() {",
    '  if [ -z "${ONESHOT[$1]:-}" ]; then return 1; fi',
    "  docker service ps \"$1\" --format '{{.CurrentState}}' 2>/dev/null | awk 'NR == 1 && /^Complete/ { done = 1 } END { exit !done }'",
    "}",
    "",
    "# Why a service's tasks do not run, what a person reads first when it does not converge: the distinct errors",
    '# Swarm gave them ("no suitable node", "ip addresses may be exhausted"…), newest first; with none, the states',
    '# of the tasks it wants running, counted ("New": not given an address or a node yet).',
    "task_reasons() {",
    "  local errors line",
    "  errors=\"$(docker service ps --no-trunc --format '{{.Error}}' \"$1\" 2>/dev/null | awk 'NF && !seen[$0]++ && ++n <= 3' || true)\"",
    '  if [ -n "$errors" ]; then',
    '    while IFS= read -r line; do echo "a task of $1 failed: $line"; done <<<"$errors"',
    "    return 0",
    "  fi",
    "  docker service ps --filter desired-state=running --format '{{.CurrentState}}' \"$1\" 2>/dev/null |",
    '    awk \'{ print $1 }\' | sort | uniq -c | awk -v name="$1" \'{ print "tasks of " name ": " $1 " " $2 }\' || true',
    "}",
    "",
    "# Waits until every service given runs all its replicas and none is still being updated by this deploy; an",
    "# update state already there before the deploy ($3) is not this deploy's and is ignored. Fails naming the",
    "# service when Swarm rolled its update back or paused it, or when the time ($2 seconds) runs out.",
    "converge() {",
    '  local stack="$1" limit="$2" before="$3" deadline name replicas line state started last="" message',
    "  shift 3",
    "  deadline=$((SECONDS + limit))",
    "  while :; do",
    "    # Not at once: `docker stack deploy` returns before Swarm starts the updates it asked for.",
    '    sleep "$poll"',
    "    local listing states pending=()",
    '    listing="$(replicas_of "$stack")"',
    '    states="$(update_states "$@")"',
    '    for name in "$@"; do',
    '      replicas="$(awk -v name="$name" \'$1 == name { print $2; exit }\' <<<"$listing")"',
    '      line="$(awk -v name="$name" \'$1 == name { print; exit }\' <<<"$states")"',
    '      read -r _ state started <<<"$line"',
    '      if [ -z "$replicas" ]; then',
    '        pending+=("$name (not created yet)")',
    "        continue",
    "      fi",
    '      if [ -n "$line" ] && ! grep -qxF -- "$line" <<<"$before"; then',
    '        case "$state" in',
    "          rollback_completed | rollback_paused | paused)",
    '            message="$(docker service inspect --format \'{{.UpdateStatus.Message}}\' "$name" 2>/dev/null || true)"',
    '            echo "error: service $name did not converge: Swarm ${state//_/ } its update (started $started): $message" >&2',
    '            echo "       see: docker service ps --no-trunc $name" >&2',
    "            exit 1",
    "            ;;",
    "          updating | rollback_started)",
    '            pending+=("$name (${state//_/ } $replicas)")',
    "            continue",
    "            ;;",
    "        esac",
    "      fi",
    '      if [ "${replicas%/*}" != "${replicas#*/}" ] && ! completed "$name"; then pending+=("$name ($replicas)"); fi',
    "    done",
    '    if [ "${#pending[@]}" -eq 0 ]; then',
    '      echo "   converged: $*"',
    "      return 0",
    "    fi",
    '    if [ "$SECONDS" -ge "$deadline" ]; then',
    '      for name in "${pending[@]}"; do',
    '        echo "error: service ${name%% *} did not converge within ${limit}s: ${name#* }; see: docker service ps --no-trunc ${name%% *}" >&2',
    '        task_reasons "${name%% *}" | while IFS= read -r reason; do echo "       $reason" >&2; done',
    "      done",
    "      exit 1",
    "    fi",
    '    if [ "${pending[*]}" != "$last" ]; then',
    '      echo "   waiting for: ${pending[*]}"',
    '      last="${pending[*]}"',
    "    fi",
    "  done",
    "}",
    "",
    "# Runs docker on a node: through DEPLOY_NODE_DOCKER_HOST when set ({hostname} and {ip} replaced), otherwise",
    "# over SSH to its private address, the command quoted for the node's shell.",
    "on_node() {",
    "  local host=\"$1\" ip=\"$2\" target hostname_key='{hostname}' ip_key='{ip}'",
    "  shift 2",
    '  if [ -n "${DEPLOY_NODE_DOCKER_HOST:-}" ]; then',
    '    target="${DEPLOY_NODE_DOCKER_HOST//"$hostname_key"/$host}"',
    '    DOCKER_HOST="${target//"$ip_key"/$ip}" docker "$@"',
    "  else",
    `    "\${ssh_command[@]}" -o BatchMode=yes "${SSH_USER}@$ip" "$(printf '%q ' docker "$@")" </dev/null`,
    "  fi",
    "}",
    "",
    "# The member's wsrep_local_state_comment (Synced, Donor/Desynced, Joining, Joined…), read in its running task's",
    "# container on its node; nothing while no container runs or its server does not answer yet.",
    "member_state() {",
    '  local service="$1" host="$2" ip="$3" container',
    "  local -a status",
    '  read -r -a status <<<"${MEMBER_STATUS[$service]}"',
    '  container="$(on_node "$host" "$ip" ps --filter "label=com.docker.swarm.service.name=$service" --filter status=running --format \'{{.ID}}\' 2>/dev/null | awk \'NR == 1\')" || true',
    '  if [ -z "$container" ]; then return 0; fi',
    '  on_node "$host" "$ip" exec "$container" "${status[@]}" 2>/dev/null |',
    '    awk -F\'|\' \'{ gsub(/ /, "", $2); gsub(/ /, "", $3) } $2 == "wsrep_local_state_comment" { print $3 }\' || true',
    "}",
    "",
    "# Waits until the member is Synced: only then does the next one go (a member that is still joining, or donating",
    "# to one, must not lose its peer).",
    "wait_synced() {",
    '  local service="$1" host="$2" ip="$3" limit="$4" deadline state last="-"',
    "  deadline=$((SECONDS + limit))",
    "  while :; do",
    '    state="$(member_state "$service" "$host" "$ip")"',
    '    if [ "$state" = Synced ]; then',
    '      echo "   $service on $host: Synced"',
    "      return 0",
    "    fi",
    '    if [ "$SECONDS" -ge "$deadline" ]; then',
    '      echo "error: Galera member $service on $host is not Synced after ${limit}s (wsrep_local_state_comment: ${state:-no answer}); the members after it were not touched" >&2',
    "      exit 1",
    "    fi",
    '    if [ "$state" != "$last" ]; then',
    '      echo "   $service on $host: ${state:-not answering yet}"',
    '      last="$state"',
    "    fi",
    '    sleep "$poll"',
    "  done",
    "}",
    "",
    "# `docker stack deploy` of Docker 26 and later waits for nothing unless told; it warns when not told either way.",
    "detach_option() {",
    "  local help",
    '  help="$(docker stack deploy --help 2>/dev/null || true)"',
    '  if grep -q -- \'--detach\' <<<"$help"; then stack_options=(--detach=true ${stack_options[@]+"${stack_options[@]}"}); fi',
    "}",
    "",
    "roll_member() {",
    '  local stack="$1" service="$2" host="$3" ip="$4" seconds="$5" file="$6" before',
    '  if [ -n "$sync_timeout" ]; then seconds="$sync_timeout"; fi',
    '  step "$stack: roll Galera member $service on $host alone, then wait until it is Synced (up to ${seconds}s)"',
    '  if [ "$dry_run" -eq 1 ]; then',
    '    run docker stack deploy ${stack_options[@]+"${stack_options[@]}"} -c "$out/$file" "$stack"',
    '    echo "   would wait: $service runs its task, then its wsrep_local_state_comment is Synced"',
    "    return 0",
    "  fi",
    '  before="$(update_states "$service")"',
    '  docker stack deploy ${stack_options[@]+"${stack_options[@]}"} -c "$out/$file" "$stack"',
    '  converge "$stack" "$seconds" "$before" "$service"',
    '  wait_synced "$service" "$host" "$ip" "$seconds"',
    "}",
    "",
    "deploy_stack() {",
    '  local stack="$1" file="$2" before',
    "  local -a names",
    '  read -r -a names <<<"${SERVICES[$stack]}"',
    '  step "$stack: deploy ${file}${AFTER[$stack]:+ (${AFTER[$stack]})}, then wait until every service runs (up to ${timeout}s)"',
    '  if [ "$dry_run" -eq 1 ]; then',
    '    run docker stack deploy ${stack_options[@]+"${stack_options[@]}"} -c "$out/$file" "$stack"',
    '    echo "   would wait: ${names[*]}"',
    "    return 0",
    "  fi",
    '  before="$(update_states "${names[@]}")"',
    '  docker stack deploy ${stack_options[@]+"${stack_options[@]}"} -c "$out/$file" "$stack"',
    '  converge "$stack" "$timeout" "$before" "${names[@]}"',
    "}",
    "",
  ];
}

function main(): string[] {
  return [
    'if [ "$dry_run" -eq 1 ]; then',
    '  echo "Deploy plan against ${DOCKER_HOST:-the local Docker daemon} (dry run: nothing is changed)"',
    "else",
    "  if [ \"$(docker info --format '{{.Swarm.ControlAvailable}}' 2>/dev/null || true)\" != true ]; then",
    '    echo "error: ${DOCKER_HOST:-the local Docker daemon} is not a Swarm manager; set DOCKER_HOST to a manager (see --help)" >&2',
    "    exit 1",
    "  fi",
    "  detach_option",
    '  echo "Deploying against ${DOCKER_HOST:-the local Docker daemon}"',
    "fi",
    "",
    'step "overlay networks (networks.sh)"',
    'run bash "$here/networks.sh"',
    'step "node labels (labels.sh)"',
    'run bash "$here/labels.sh"',
    'step "Docker secrets (secrets.sh, from $SECRETS_DIR)"',
    'run bash "$here/secrets.sh"',
    "",
    'for entry in "${STACKS[@]}"; do',
    '  read -r stack file <<<"$entry"',
    '  for member in ${MEMBERS[@]+"${MEMBERS[@]}"}; do',
    '    read -r member_stack service host ip seconds member_file <<<"$member"',
    '    if [ "$member_stack" = "$stack" ]; then roll_member "$stack" "$service" "$host" "$ip" "$seconds" "$member_file"; fi',
    "  done",
    '  deploy_stack "$stack" "$file"',
    "done",
    "",
    'if [ "$dry_run" -eq 1 ]; then',
    '  echo ""',
    '  echo "Dry run: nothing was changed."',
    "else",
    '  echo ""',
    '  echo "Deployed: every stack converged."',
    "fi",
  ];
}
