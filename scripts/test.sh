#!/usr/bin/env bash
# The whole test suite, runnable on a fresh machine: installs what it needs, type-checks, compiles, tests.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-validators.sh
if [[ ! -d node_modules ]] || [[ package-lock.json -nt node_modules/.package-lock.json ]]; then
  npm ci --no-audit --no-fund
fi

npx tsc --noEmit -p tsconfig.json
# Lint and formatting (biome.json): a change that breaks either fails here, before any test runs.
npx biome ci --colors=off .
# No secret in the tracked tree or out/ (secretlint's recommended rules), beside the build's private-key check.
node scripts/secret-scan.mjs
npm run --silent compile

results=$(mktemp)
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json="$results" "$@" || status=$?
# One plain closing line that any CI log reader understands.
node scripts/test-summary.mjs "$results" || true
rm -f "$results"
exit "$status"
