#!/usr/bin/env bash
# The web app's checks: install (npm ci), typecheck, build, the buyer bundle budget, then the
# journeys in Debian's Chromium against real ticketsd processes on loopback ports.
# Usage: bash web/test.sh <path to ticketsd>   (or env TICKETSD)
set -euo pipefail

# The path is taken relative to where the script was called from.
ticketsd="${1:-${TICKETSD:-}}"
if [[ -z "$ticketsd" || ! -x "$ticketsd" ]]; then
  echo "usage: bash web/test.sh <path to a built ticketsd> (or env TICKETSD)" >&2
  exit 2
fi
ticketsd="$(realpath "$ticketsd")"
cd "$(dirname "$0")"

started=$SECONDS
step() { printf '\n== web: %s (%ds)\n' "$1" $((SECONDS - started)); }

step "browser"
if [[ ! -x /usr/bin/chromium ]]; then
  # Debian's Chromium; Playwright never downloads a browser of its own here.
  if [[ $(id -u) -eq 0 ]]; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "Debian's chromium is missing: apt-get install chromium" >&2
    exit 1
  fi
fi
/usr/bin/chromium --version

step "install (npm ci)"
npm ci --no-audit --no-fund --loglevel=error

step "typecheck"
npx tsc --noEmit

step "build (vite, then gzip beside each text file)"
npm run --silent build

step "bundle size"
node scripts/bundle-size.mjs

step "journeys in Chromium"
runner=""
trap '[[ -n "$runner" ]] && kill "$runner" 2>/dev/null; wait 2>/dev/null || true' EXIT
# The runner stops its ticketsd processes and browsers itself; timeout bounds the whole run.
timeout --signal=TERM --kill-after=10 180 node tests/run.mjs "$ticketsd" &
runner=$!
status=0
wait "$runner" || status=$?
runner=""
step "done"
exit "$status"
