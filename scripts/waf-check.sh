#!/usr/bin/env bash
# waf-check.sh <out-dir> <requests.tsv>
#
# Runs the built front-tier nginx configuration (nginx.conf, the ModSecurity settings and every site of
# <out-dir>, the build's out/ folder or the folder holding nginx.conf) with this machine's Debian nginx,
# ModSecurity module and OWASP CRS, in front of a real php-fpm, everything on 127.0.0.1 only. Each request
# of <requests.tsv> is sent over HTTPS to the first site; the script prints a table with the status each one
# got and the rule that refused it, then the totals, and exits 1 when any request did not get what it expects.
#
# <requests.tsv>: one request a line, tab-separated: expect (pass|block), method, path, user agent, body
# (empty for none; a body starting with `{` is sent as JSON, any other as a form). Empty lines and lines
# starting with # are skipped.
#
# The document root is a WordPress-like tree the script writes (PHP files that answer through php-fpm and
# static assets), so every path reaches real content: a pass is a 2xx whose body is that content (PHP's
# output or the file), a block is 403, 400, 406, 413 or a dropped connection (nginx's 444); anything else
# (a 404, a redirect, a 5xx, a 200 from elsewhere) is "miss", a mismatch either way: it proves nothing.
#
# Needs (Debian): nginx, libnginx-mod-http-modsecurity, modsecurity-crs, php8.2-fpm (or any php-fpm), curl,
# openssl. Run it as root, or as a user that can start nginx on high ports (the workers then keep that user).
set -euo pipefail

usage() {
  echo "usage: $0 <out-dir> <requests.tsv>" >&2
  exit 2
}
[[ $# -eq 2 ]] || usage
out_dir=$1
corpus=$2
[[ -r $corpus ]] || {
  echo "waf-check: cannot read $corpus" >&2
  exit 2
}

# The folder holding the generated nginx files: <out-dir> itself, or the one stack of out/ that has them.
if [[ -f $out_dir/nginx.conf ]]; then
  conf_dir=$out_dir
else
  shopt -s nullglob
  found=("$out_dir"/stacks/*/nginx.conf)
  shopt -u nullglob
  [[ ${#found[@]} -eq 1 ]] || {
    echo "waf-check: no single stacks/*/nginx.conf under $out_dir" >&2
    exit 2
  }
  conf_dir=$(dirname "${found[0]}")
fi

MODULE_CONF=/usr/share/nginx/modules-available/mod-http-modsecurity.conf
CRS_SETUP=/etc/modsecurity/crs/crs-setup.conf
CRS_RULES=/usr/share/modsecurity-crs/rules
UNICODE_MAPPING=/etc/nginx/unicode.mapping
for need in nginx curl openssl "$MODULE_CONF" "$CRS_SETUP" "$CRS_RULES" "$UNICODE_MAPPING"; do
  if [[ $need == /* ]]; then
    [[ -e $need ]] || {
      echo "waf-check: $need is missing (install nginx, libnginx-mod-http-modsecurity, modsecurity-crs)" >&2
      exit 2
    }
  else
    command -v "$need" >/dev/null || {
      echo "waf-check: $need is not installed" >&2
      exit 2
    }
  fi
done
fpm=$(command -v php-fpm8.2 || compgen -c php-fpm | sort -V | tail -n 1 || true)
[[ -n $fpm ]] || {
  echo "waf-check: no php-fpm installed (php8.2-fpm)" >&2
  exit 2
}
fpm=$(command -v "$fpm")

# Everything the script starts or writes, removed on any exit, Ctrl-C included.
work=$(mktemp -d "${TMPDIR:-/tmp}/waf-check.XXXXXX")
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  if [[ -n ${WAF_CHECK_KEEP:-} ]]; then
    echo "waf-check: kept $work" >&2
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
chmod 755 "$work"

# A loopback TCP port nobody answers on (bash's /dev/tcp tries to connect).
taken=" "
free_port() {
  local port
  while :; do
    port=$((20000 + RANDOM % 40000))
    [[ $taken == *" $port "* ]] && continue
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      taken+="$port "
      echo "$port"
      return
    fi
  done
}
http_port=$(free_port)
https_port=$(free_port)
fpm_port=$(free_port)

module=$(sed -n 's/^[[:space:]]*load_module[[:space:]]\{1,\}\([^;]*\);.*/\1/p' "$MODULE_CONF" | head -n 1)
[[ $module == /* ]] || module=/usr/share/nginx/$module

# The image's paths, ports and upstream, moved to this machine: only the places change, never the rules.
# shellcheck disable=SC2016 # $php_upstream and $admin_upstream are nginx variables
relocate=(
  -e "s#^load_module[[:space:]].*ngx_http_modsecurity_module\\.so;#load_module $module;#"
  -e 's#^user[[:space:]].*;#user www-data;#'
  -e "s#^error_log[[:space:]].*;#error_log $work/error.log info;#"
  -e "s#access_log /dev/stdout#access_log $work/access.log#"
  -e "s#/etc/nginx/modsecurity/main\\.conf#$work/modsecurity/main.conf#"
  -e "s#include /etc/nginx/sites/\\*\\.conf;#include $work/sites/*.conf;#"
  -e "s#listen unix:/run/nginx-status/#listen unix:$work/#"
  -e "s#listen 80\\([ ;]\\)#listen 127.0.0.1:$http_port\\1#"
  -e "s#listen 443 \\(ssl\\)#listen 127.0.0.1:$https_port \\1#"
  -e 's#resolver [^;]*;#resolver 127.0.0.1 valid=10s ipv6=off;#'
  -e "s#set \$php_upstream [^;]*;#set \$php_upstream 127.0.0.1:$fpm_port;#"
  -e "s#/etc/letsencrypt/#$work/letsencrypt/#g"
  -e "s#/run/secrets/#$work/secrets/#g"
  -e "s#^\\([[:space:]]*root[[:space:]]\\{1,\\}\\)/#\\1$work/docroot/#"
  # Debian's nginx 1.22 predates `http2 on;` (1.25.1); the requests below are HTTP/1.1 anyway.
  -e '/^[[:space:]]*http2 on;/d'
  -e "s#alias /etc/nginx/pages/;#alias $work/pages/;#"
  -e "s#auth_basic_user_file [^;]*;#auth_basic_user_file $work/htpasswd;#"
)
mkdir -p "$work/sites" "$work/modsecurity" "$work/docroot"
sed "${relocate[@]}" "$conf_dir/nginx.conf" >"$work/nginx.conf"
shopt -s nullglob
for site in "$conf_dir"/nginx-site-*.conf "$conf_dir"/nginx-admin.conf; do
  name=$(basename "$site" .conf)
  sed "${relocate[@]}" "$site" >"$work/sites/${name#nginx-}.conf"
done
mkdir -p "$work/pages"
for page in "$conf_dir"/nginx-page-*.html; do
  name=$(basename "$page")
  cp "$page" "$work/pages/${name#nginx-page-}"
done
chmod -R a+rX "$work/pages"
shopt -u nullglob
sed -e "s#^Include /etc/nginx/modsecurity/crs/crs-setup\\.conf#Include $CRS_SETUP#" \
  -e "s#^Include /etc/nginx/modsecurity/crs/rules/\\*\\.conf#Include $CRS_RULES/*.conf#" \
  -e "s#^SecUnicodeMapFile [^ ]*#SecUnicodeMapFile $UNICODE_MAPPING#" \
  -e "s#^SecAuditLog /dev/stdout#SecAuditLog $work/audit.log#" \
  -e "s#^SecTmpDir .*#SecTmpDir $work/modsecurity/#" \
  -e "s#^SecDataDir .*#SecDataDir $work/modsecurity/#" \
  "$conf_dir/nginx-modsecurity.conf" >"$work/modsecurity/main.conf"
chmod 777 "$work/modsecurity"
: >"$work/htpasswd"

# A self-signed certificate wherever a site expects Let's Encrypt's layout: `live/<name>/` (certbot's own), or
# `serve/<name>/` (the shared volume LetsEncrypt's deploy hook writes).
sed -n "s#^[[:space:]]*ssl_certificate[[:space:]]\\{1,\\}$work/letsencrypt/\\([^/]*/[^/]*\\)/fullchain\\.pem;#\\1#p" "$work"/sites/*.conf |
  sort -u | while read -r folder; do
  domain=${folder#*/}
  mkdir -p "$work/letsencrypt/$folder"
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$domain" -addext "subjectAltName=DNS:$domain" \
    -keyout "$work/letsencrypt/$folder/privkey.pem" -out "$work/letsencrypt/$folder/fullchain.pem" 2>/dev/null
done

# And wherever a server reads one PEM file holding its key and chain from a Docker secret.
mkdir -p "$work/secrets"
sed -n "s#^[[:space:]]*ssl_certificate[[:space:]]\\{1,\\}$work/secrets/\\([^;/]*\\);#\\1#p" "$work"/sites/*.conf |
  sort -u | while read -r secret; do
  openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj "/CN=$secret" \
    -keyout "$work/secrets/$secret.key" -out "$work/secrets/$secret.crt" 2>/dev/null
  cat "$work/secrets/$secret.key" "$work/secrets/$secret.crt" >"$work/secrets/$secret"
done

# The requests go to the first site's canonical name: the server block that has a document root.
host=$(awk '/^[[:space:]]*server_name/ { name = $2 } /^[[:space:]]*root[[:space:]]/ { sub(/;$/, "", name); print name; exit }' \
  "$work"/sites/site-*.conf)
[[ -n $host ]] || {
  echo "waf-check: no site with a document root in $conf_dir" >&2
  exit 2
}
root=$(sed -n 's/^[[:space:]]*root[[:space:]]\{1,\}\([^;]*\);.*/\1/p' "$work"/sites/site-*.conf | head -n 1)

# A WordPress-like document root: every PHP file answers through php-fpm, assets are real files, and the
# files a careless deploy leaves behind exist, so only a refusal keeps them from being served.
# shellcheck disable=SC2016 # PHP, not shell
php_page='<?php header("Content-Type: text/plain"); echo "served by php-fpm: ", $_SERVER["SCRIPT_NAME"], "\n";'
for file in index.php wp-login.php wp-cron.php wp-comments-post.php xmlrpc.php wp-admin/index.php \
  wp-admin/admin-ajax.php wp-admin/admin-post.php wp-content/uploads/2024/05/shell.php; do
  mkdir -p "$root/$(dirname "$file")"
  echo "$php_page" >"$root/$file"
done
for file in wp-content/themes/twentytwentyfour/style.css wp-includes/js/jquery/jquery.min.js \
  wp-content/uploads/2024/05/photo.jpg robots.txt .well-known/security.txt; do
  mkdir -p "$root/$(dirname "$file")"
  echo "static file $file" >"$root/$file"
done
for file in .env .git/config wp-config.php.bak backup.sql debug.log; do
  mkdir -p "$root/$(dirname "$file")"
  echo "SECRET=do-not-serve" >"$root/$file"
done
chmod -R a+rX "$work/docroot"

# php-fpm on loopback: one static pool, only .php scripts.
cat >"$work/php-fpm.conf" <<EOF
[global]
error_log = $work/php-fpm.log
pid = $work/php-fpm.pid
daemonize = no

[www]
listen = 127.0.0.1:$fpm_port
pm = static
pm.max_children = 2
security.limit_extensions = .php
EOF
if [[ $(id -u) -eq 0 ]]; then
  printf 'user = www-data\ngroup = www-data\n' >>"$work/php-fpm.conf"
fi
"$fpm" -F -n -y "$work/php-fpm.conf" >"$work/php-fpm.out" 2>&1 &
pids+=("$!")

# nginx in the foreground, its prefix and pid file in the work folder.
nginx -p "$work" -c "$work/nginx.conf" -g "daemon off; pid $work/nginx.pid;" >"$work/nginx.out" 2>&1 &
pids+=("$!")

ready() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}
for _ in $(seq 150); do
  if ready "$https_port" && ready "$fpm_port"; then
    break
  fi
  for pid in "${pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "waf-check: nginx or php-fpm exited:" >&2
      nginx -t -p "$work" -c "$work/nginx.conf" >&2 || true
      cat "$work/nginx.out" "$work/php-fpm.out" "$work/error.log" "$work/php-fpm.log" 2>/dev/null >&2
      exit 2
    fi
  done
  sleep 0.1
done
if ! ready "$https_port" || ! ready "$fpm_port"; then
  echo "waf-check: nginx or php-fpm did not start within 15 s" >&2
  exit 2
fi

# Why a request was refused, from what nginx logged while it ran: the ModSecurity rule that denied it and
# the rules whose matches made up its anomaly score, or nginx's own refusal.
refusal() {
  local log=$1 status=$2 denied matched
  denied=$(grep -o 'Access denied with code [0-9]*.*\[id "[0-9]*"\]' <<<"$log" | grep -o '\[id "[0-9]*"\]' | tail -n 1 | tr -dc '0-9')
  matched=$(grep 'ModSecurity: Warning' <<<"$log" | grep -o '\[id "[0-9]*"\]' | tr -dc '0-9\n' |
    grep -v -E '^(949110|959100|980130|980140)$' | sort -u | paste -sd, - || true)
  if [[ -n $denied ]]; then
    echo "modsecurity ${denied}${matched:+ (${matched})}"
  elif grep -q 'access forbidden by rule' <<<"$log"; then
    echo "nginx deny"
  elif [[ $status == 444 ]]; then
    echo "nginx 444"
  elif [[ -n $matched ]]; then
    echo "matched ${matched}"
  else
    echo "-"
  fi
}

printf '%-3s %-6s %-6s %-6s %-48s %s\n' "#" expect got status request rule
total=0 passed=0 blocked=0 mismatches=0
while IFS=$'\t' read -r expect method path agent body || [[ -n $expect ]]; do
  [[ -z $expect || $expect == \#* ]] && continue
  if [[ $expect != pass && $expect != block ]]; then
    echo "waf-check: $corpus: expect must be pass or block, not '$expect'" >&2
    exit 2
  fi
  total=$((total + 1))
  mark=$(wc -c <"$work/error.log")
  args=(--silent --insecure --http1.1 --globoff --path-as-is --max-time 10
    --resolve "$host:$https_port:127.0.0.1" -o "$work/body" -w '%{http_code}' -X "$method" -A "$agent")
  if [[ -n $body ]]; then
    [[ $body == \{* ]] && args+=(-H 'Content-Type: application/json')
    args+=(--data-binary "$body")
  fi
  status=$(curl "${args[@]}" "https://$host:$https_port$path" || true)
  # curl reports 000 when nginx closed the connection without answering (444).
  [[ $status == 000 ]] && status=444
  sleep 0.05
  log=$(tail -c +"$((mark + 1))" "$work/error.log")
  # A pass is an answer from the content itself: php-fpm's output or the static file, never a bare 2xx.
  case $status in
    2??) if grep -q -e '^served by php-fpm: ' -e '^static file ' "$work/body" 2>/dev/null; then got=pass; else got=miss; fi ;;
    400 | 403 | 406 | 413 | 444) got=block ;;
    *) got=miss ;;
  esac
  rm -f "$work/body"
  [[ $got == pass ]] && passed=$((passed + 1))
  [[ $got == block ]] && blocked=$((blocked + 1))
  verdict=ok
  if [[ $got != "$expect" ]]; then
    verdict=MISMATCH
    mismatches=$((mismatches + 1))
  fi
  request="$method $path"
  [[ ${#request} -gt 48 ]] && request="${request:0:45}..."
  printf '%-3s %-6s %-6s %-6s %-48s %s%s\n' "$total" "$expect" "$got" "$status" "$request" "$(refusal "$log" "$status")" \
    "$([[ $verdict == ok ]] || echo "  <- MISMATCH")"
done <"$corpus"

echo
echo "requests: $total  passed: $passed  blocked: $blocked  mismatches: $mismatches"
if [[ $mismatches -gt 0 ]]; then
  exit 1
fi
