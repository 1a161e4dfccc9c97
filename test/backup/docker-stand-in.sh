#!/usr/bin/env bash
# Stand-in for the docker CLI of a node, for the backup test: the node's "containers" are this machine's programs.
# It plays exactly the calls the generated backup and restore scripts make, and nothing else:
# - `ps --quiet --filter label=com.docker.swarm.service.name=S` prints "member" when S is $STANDIN_MEMBER_SERVICE;
#   `ps --quiet --filter volume=V` prints the containers listed in $STANDIN_STATE/users-of-V (if any);
# - `volume inspect --format … V` prints $STANDIN_STATE/volumes/V (fails when absent); `volume create V` makes it;
# - `pause`/`unpause` append to $STANDIN_STATE/events;
# - `exec [-i] member PROGRAM --defaults-extra-file=F ARGS` runs PROGRAM here, /run/secrets/ mapped to
#   $STANDIN_STATE/secrets/, and the test server's socket given where the container's default socket would be used
#   (right after the option file, which must come first);
# - `run [--rm] [--interactive] [--network N] [--volume SRC:DST[:ro]]… [--env K=V]… [--entrypoint E] IMAGE ARGS`
#   runs the image's program here with each DST replaced by its SRC in the arguments and environment: the AWS
#   CLI image ($STANDIN_AWS_IMAGE) runs Debian's AWS CLI v2 (/usr/bin/aws, the image's entrypoint `aws`);
#   another image, with --entrypoint "", runs its first argument (the member image's tools, Debian's here).
set -euo pipefail
state=${STANDIN_STATE:?}
echo "docker $*" >>"$state/calls"
command=$1
shift
case $command in
  ps)
    filter=${3:-}
    case $filter in
      label=com.docker.swarm.service.name=*) if [[ ${filter#*=*=} == "${STANDIN_MEMBER_SERVICE:-}" ]]; then echo member; fi ;;
      volume=*) if [[ -f $state/users-of-${filter#volume=} ]]; then cat "$state/users-of-${filter#volume=}"; fi ;;
      *) exit 1 ;;
    esac
    ;;
  volume)
    case $1 in
      inspect) [[ -d $state/volumes/$4 ]] && echo "$state/volumes/$4" ;;
      create) mkdir -p "$state/volumes/$2" && echo "$2" ;;
      *) exit 1 ;;
    esac
    ;;
  pause | unpause) echo "$command $*" >>"$state/events" ;;
  exec)
    if [[ $1 == -i || $1 == --interactive ]]; then shift; fi
    shift # the container
    args=()
    for arg in "$@"; do args+=("${arg//\/run\/secrets\//$state/secrets/}"); done
    if [[ ${args[1]:-} == --defaults-extra-file=* ]]; then args=("${args[@]:0:2}" "--socket=${STANDIN_SOCKET:?}" "${args[@]:2}"); fi
    exec "${args[@]}"
    ;;
  run)
    sources=() targets=() env=() entrypoint=default
    while [[ $1 == --* ]]; do
      case $1 in
        --rm | --interactive) shift ;;
        --network) shift 2 ;;
        --volume)
          spec=${2%:ro}
          sources+=("${spec%%:*}") targets+=("${spec#*:}")
          shift 2
          ;;
        --env) env+=("$2") && shift 2 ;;
        --entrypoint) entrypoint=$2 && shift 2 ;;
        *) exit 1 ;;
      esac
    done
    image=$1
    shift
    map() {
      local value=$1 i
      for i in "${!targets[@]}"; do value=${value//${targets[$i]}/${sources[$i]}}; done
      printf '%s' "$value"
    }
    args=()
    for arg in "$@"; do args+=("$(map "$arg")"); done
    for entry in "${env[@]}"; do export "$(map "$entry")"; done
    if [[ $image == "${STANDIN_AWS_IMAGE:?}" && $entrypoint == default ]]; then exec /usr/bin/aws "${args[@]}"; fi
    if [[ -z $entrypoint ]]; then exec "${args[@]}"; fi
    exit 1
    ;;
  *) exit 1 ;;
esac
