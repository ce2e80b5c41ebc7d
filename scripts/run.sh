#!/usr/bin/env bash
# Installs what is missing, builds ticketsd and the web app, and runs it on port 8000 (the shop
# at http://localhost:8000/, the API under /api/) with the embedded SQLite
# database in ./data (demo events are loaded when the database is new). Any environment
# variable of `ticketsd --help` can be set, e.g. PORT=9000 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
# The web app, served by ticketsd at / from web/dist (WEB_ROOT's default).
(cd web && npm ci --no-audit --no-fund --loglevel=error && npm run --silent build)
export SEED_DEMO_DATA="${SEED_DEMO_DATA:-true}"
exec build/release/src/ticketsd "$@"
