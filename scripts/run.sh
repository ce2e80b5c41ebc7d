#!/usr/bin/env bash
# Installs what is missing, builds ticketsd and runs it on port 8000 with the embedded SQLite
# database in ./data (demo events are loaded when the database is new). Any environment
# variable of `ticketsd --help` can be set, e.g. PORT=9000 scripts/run.sh
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/setup.sh
bash scripts/build.sh release
export SEED_DEMO_DATA="${SEED_DEMO_DATA:-true}"
exec build/release/src/ticketsd "$@"
