#!/usr/bin/env bash
# Installs the real tools the tests validate generated artifacts with, when any is missing.
# The tests never skip on a missing tool: they fail, so this must run first (scripts/test.sh does).
set -euo pipefail

# tool → Debian package that provides it
declare -A PACKAGE_OF=(
  [ignition-validate]=ignition
  [nginx]=nginx
  [promtool]=prometheus
  [amtool]=prometheus-alertmanager
  [etcd]=etcd-server
  [etcdctl]=etcd-client
  [shellcheck]=shellcheck
  [systemd-analyze]=systemd
  [openssl]=openssl
  [ip]=iproute2
  [docker]=docker.io
  # The host firewall tests load the generated nftables rulesets into network namespaces they create, run
  # TCP listeners and probes there with python3, and turn the namespaces' reverse-path filter off with sysctl.
  [nft]=nftables
  [python3]=python3
  [sysctl]=procps
  # The ProxySQL tests compile a small libconfig reader (ProxySQL parses proxysql.cnf with libconfig).
  # The colour test runs the CLI on a pseudo-terminal with util-linux's script.
  [script]=bsdutils
  [cc]=gcc
  [pkg-config]=pkg-config
)
# Files that only a package provides (the ModSecurity module for nginx, the OWASP CRS rules, libconfig's header).
declare -A PACKAGE_OF_FILE=(
  [/usr/share/nginx/modules-available/mod-http-modsecurity.conf]=libnginx-mod-http-modsecurity
  [/usr/share/modsecurity-crs/rules]=modsecurity-crs
  [/usr/include/libconfig.h]=libconfig-dev
)

missing=()
for tool in "${!PACKAGE_OF[@]}"; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("${PACKAGE_OF[$tool]}")
done
for file in "${!PACKAGE_OF_FILE[@]}"; do
  [[ -e "$file" ]] || missing+=("${PACKAGE_OF_FILE[$file]}")
done
((${#missing[@]} == 0)) && exit 0

sudo=()
[[ $(id -u) -eq 0 ]] || sudo=(sudo)
echo "installing validators: ${missing[*]}"
"${sudo[@]}" apt-get update -qq
# Package scripts must not try to start nginx, prometheus or etcd as services on the test machine.
printf '#!/bin/sh\nexit 101\n' | "${sudo[@]}" tee /usr/sbin/policy-rc.d >/dev/null
"${sudo[@]}" chmod +x /usr/sbin/policy-rc.d
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
"${sudo[@]}" rm -f /usr/sbin/policy-rc.d
