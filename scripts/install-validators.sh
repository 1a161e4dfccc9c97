#!/usr/bin/env bash
# Installs the real tools the system tests validate generated artifacts with, when any is missing.
# Each test folder lists what its tests run in validators.txt (test/validators.txt for the core tests,
# test/<family>/validators.txt for a family's): a program, or a file only a package provides, and the
# Debian package that brings it. The tests never skip on a missing tool: they fail, so this runs first
# (scripts/test.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
while read -r need package; do
  if [[ "$need" == /* ]]; then
    [[ -e "$need" ]] || missing+=("$package")
  else
    command -v "$need" >/dev/null 2>&1 || missing+=("$package")
  fi
done < <(cat test/validators.txt test/*/validators.txt | grep -v '^[[:space:]]*\(#\|$\)')
((${#missing[@]} == 0)) && exit 0
mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "installing validators: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
# Package scripts must not try to start nginx, prometheus or etcd as services on the test machine.
printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
"${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
"${sudo[@]}" rm -f /usr/sbin/policy-rc.d
