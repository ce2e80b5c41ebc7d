#!/usr/bin/env bash
# The k6 scenarios without k6 (no k6 binary exists where this project is tested): typechecks
# every scenario against @types/k6 and the adapter against @types/node, starts a real ticketsd
# on a free loopback port with a throwaway SQLite database and the demo events, runs each
# scenario's user journey once (one VU, one iteration of each of its scenarios, setup() and
# teardown() too) through the adapter over Node's fetch (adapter/), and proves that the harness
# fails when it should: a type error, a failed check, a thrown error, an invalid threshold.
# Load figures come from bench/, not from here.
#
#   bash loadtest/test.sh TICKETSD_BINARY       (e.g. build/test/src/ticketsd)
#
# Installs the npm packages (pinned by package-lock.json) only when node_modules is not the
# locked tree. Ends with `loadtest: N passed, M failed`; exit 1 on any failure.
set -uo pipefail

if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 TICKETSD_BINARY (an executable ticketsd)" >&2
  exit 2
fi
binary=$(realpath "$1")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
server=""
cleanup() {
  if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null
    wait "$server" 2>/dev/null
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() { echo "loadtest: $passed passed, $failed failed"; exit $((failed > 0)); }
started=$SECONDS

bash ../scripts/npm_ci.sh . || { fail "npm ci in loadtest"; finish; }
tsc=node_modules/.bin/tsc
k6types=$(node -p 'require("./node_modules/@types/k6/package.json").version')

# ---- typechecks ----
if "$tsc" -p tsconfig.json >"$tmp/tsc.out" 2>&1; then
  pass "typecheck: scenarios, lib/ and the adapter's self-test scripts against @types/k6 $k6types"
else
  sed 's/^/  /' "$tmp/tsc.out"; fail "typecheck of the scenarios"
fi
if "$tsc" -p adapter/tsconfig.json >"$tmp/tsc-adapter.out" 2>&1; then
  pass "typecheck: the adapter against @types/node"
else
  sed 's/^/  /' "$tmp/tsc-adapter.out"; fail "typecheck of the adapter"
fi
# The typecheck fails on misuse of k6's API: exactly the lines marked "type error".
"$tsc" -p adapter/selftest/tsconfig.bad-types.json >"$tmp/bad-types.out" 2>&1
want=$(grep -n '// type error' adapter/selftest/bad-types.js | cut -d: -f1 | paste -sd' ')
got=$(sed -n 's/^adapter\/selftest\/bad-types\.js(\([0-9]*\),.*/\1/p' "$tmp/bad-types.out" | sort -nu | paste -sd' ')
if [[ -n $want && $want == "$got" ]]; then
  pass "typecheck refuses each misuse in adapter/selftest/bad-types.js (lines $want)"
else
  sed 's/^/  /' "$tmp/bad-types.out"; fail "typecheck of bad-types.js: errors on lines '$got', expected '$want'"
fi

# ---- the server ----
token=$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
mkdir "$tmp/data"
# From $tmp, so that no web/dist is found: the API only. No drain, so SIGTERM ends it at once.
(cd "$tmp" && exec env -u DATABASE_URL -u WEB_ROOT PORT=0 HOST=127.0.0.1 DATA_DIR="$tmp/data" \
  SEED_DEMO_DATA=true HOLD_LIMIT_PER_CLIENT=0 ADMIN_TOKEN="$token" SHUTDOWN_DRAIN_SECONDS=0 \
  "$binary" >"$tmp/server.log" 2>&1) &
server=$!
port=""
for _ in $(seq 200); do
  port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/server.log" | head -1)
  [[ -n $port ]] && break
  kill -0 "$server" 2>/dev/null || break
  sleep 0.1
done
if [[ -z $port ]]; then
  sed 's/^/  /' "$tmp/server.log" | tail -20; fail "ticketsd started (no listening line)"; finish
fi
pass "ticketsd listening on 127.0.0.1:$port (SQLite, demo events)"
base="http://127.0.0.1:$port"

# One run of a script through the adapter, with the environment given after it. Every journey
# strict, no think time, every branch of the catalogue visit taken, the waiting room polled
# every second.
adapter() { # SCRIPT [NAME=VALUE...]
  local script=$1; shift
  env BASE_URL="$base" THINK_TIME=0 STRICT=true NEXT_PAGE_RATIO=1 FILTER_RATIO=1 SEARCH_RATIO=1 \
    POLL_SECONDS=1 MAX_WAIT_SECONDS=30 "$@" \
    timeout 90 node --import ./adapter/register.mjs adapter/run.mjs "$script"
}
journey() { # SCRIPT [NAME=VALUE...]: must pass
  local script=$1 out="$tmp/$(basename "$1").out"
  if adapter "$@" >"$out" 2>&1; then
    pass "$(tail -1 "$out" | sed 's/^ *PASS //')"
  else
    sed 's/^/  /' "$out"; fail "$script: its journey through the adapter"
  fi
}
must_fail() { # WHAT PATTERN SCRIPT [NAME=VALUE...]: must fail, saying PATTERN
  local what=$1 pattern=$2 out="$tmp/fail.out"; shift 2
  adapter "$@" >"$out" 2>&1
  local status=$?
  if ((status == 1)) && grep -qF -- "$pattern" "$out"; then
    pass "the adapter fails on $what: $(grep -F -- "$pattern" "$out" | head -1 | sed 's/^ *//' | cut -c1-120)"
  else
    sed 's/^/  /' "$out"; fail "the adapter fails on $what (exit $status, wanted 1 and '$pattern')"
  fi
}

# ---- the harness can fail ----
must_fail "a failed check (smoke.js against a wrong path)" "FAIL [smoke ::probes] healthz: 200" \
  smoke.js BASE_URL="$base/no-such-prefix"
must_fail "an error thrown in an iteration" "ERROR in scenario default" adapter/selftest/throws.js
must_fail "thresholds k6 would refuse" "INVALID threshold on no_such_metric" adapter/selftest/bad-threshold.js
must_fail "an on-sale without a waiting room and no ADMIN_TOKEN (setup's fail())" \
  "sells without a waiting room" onsale.js EVENT_ID=1
journey adapter/selftest/fidelity.js

# ---- every scenario's journey, once ----
for script in smoke.js browse.js purchase.js stress.js soak.js; do
  journey "$script"
done
# The waiting room with a proof of work, turned on by setup() and put back by teardown().
journey onsale.js ADMIN_TOKEN="$token" EVENT_ID=1 ADMIT_PER_MINUTE=600 POW_DIFFICULTY=8

# The Helm chart's Job mounts ConfigMap keys flat (kubectl create configmap --from-file=loadtest/
# --from-file=loadtest/lib/) at /scripts/lib and the scenario beside it; the imports resolve.
mkdir -p "$tmp/scripts/lib"
cp ./*.js lib/*.js "$tmp/scripts/lib/"
dupes=$( (find . lib -maxdepth 1 -type f -printf '%f\n') | sort | uniq -d)
cp smoke.js "$tmp/scripts/smoke.js"
if [[ -z $dupes ]] && adapter "$tmp/scripts/smoke.js" >"$tmp/layout.out" 2>&1; then
  pass "smoke.js runs in the Job's layout (/scripts/smoke.js, every ConfigMap key in /scripts/lib)"
else
  sed 's/^/  /' "$tmp/layout.out"; fail "the Job's layout (file names in both loadtest/ and lib/: ${dupes:-none})"
fi

# ---- stop the server ----
kill -TERM "$server"
for _ in $(seq 100); do kill -0 "$server" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$server" 2>/dev/null; then
  fail "ticketsd stops on SIGTERM"; kill -KILL "$server"
else
  wait "$server"; status=$?
  ((status == 0)) && pass "ticketsd stopped on SIGTERM (exit 0)" || fail "ticketsd exit $status after SIGTERM"
fi
server=""
if grep -q '"level":"\(error\|critical\)"' "$tmp/server.log"; then
  grep '"level":"\(error\|critical\)"' "$tmp/server.log" | head -5 | sed 's/^/  /'; fail "the server logged no error"
else
  pass "the server logged no error"
fi
echo "($((SECONDS - started)) s)"
finish
