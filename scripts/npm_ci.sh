#!/usr/bin/env bash
# npm ci in DIR, only when its installed tree is not the locked one (npm keeps a copy of what it
# installed in node_modules/.package-lock.json): idempotent and quick when nothing changed.
# Usage: scripts/npm_ci.sh DIR [TIMEOUT_SECONDS (300)]
set -euo pipefail
cd "${1:?usage: scripts/npm_ci.sh DIR [TIMEOUT_SECONDS]}"

installed_is_locked() {
  node -e '
    const names = (file) => {
      const p = require(file).packages;
      return JSON.stringify(Object.keys(p).filter((k) => k !== "").sort().map((k) => [k, p[k].version]));
    };
    process.exit(names("./package-lock.json") === names("./node_modules/.package-lock.json") ? 0 : 1);
  ' 2>/dev/null
}
if ! installed_is_locked; then
  timeout "${2:-300}" npm ci --no-audit --no-fund --loglevel=error
fi
