#!/usr/bin/env bash
# Checks the Terraform under infra/ without Terraform or AWS: every .tf file parses with
# HashiCorp's HCL parser, module calls and references are consistent, providers are pinned,
# the layout matches terraform fmt, and the names and safety properties the runbook relies on
# hold (tests/lib/check.mjs). Then the negative tests prove each check can fail.
# Needs Node.js >= 18 and npm; the only network access is `npm ci`.
set -euo pipefail
cd "$(dirname "$0")/tests"

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "infra/test.sh: Node.js and npm are required (Debian: apt-get install nodejs npm)" >&2
  exit 1
fi
if (($(node -p 'process.versions.node.split(".")[0]') < 18)); then
  echo "infra/test.sh: Node.js >= 18 is required, found $(node --version)" >&2
  exit 1
fi

# Exactly the locked parser, installed afresh each run (a second or two).
timeout 300 npm ci --no-audit --no-fund --ignore-scripts --loglevel=error

timeout 120 node check.mjs
timeout 300 node --test check.test.mjs
