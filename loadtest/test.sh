#!/usr/bin/env bash
# The k6 scenarios without k6 (no k6 binary exists where this project is tested): typechecks
# every scenario against @types/k6 and the adapter against @types/node, starts a real ticketsd
# on a free loopback port with a throwaway SQLite database and the demo events, with online
# payment through the Stripe test double (tests/doubles/stripe_double.py) and one event of free
# ticket types, runs each scenario's user journey once (one VU, one iteration of each of its
# scenarios, setup() and teardown() too) through the adapter over Node's fetch (adapter/), both
# checkout outcomes (pending_payment on the priced demo events, paid on the free event), and
# proves that the harness fails when it should: a type error, a failed check, a thrown error, an
# invalid threshold, a shop without online payment (a second ticketsd, 503
# payments-not-configured, even when not strict). Load figures come from bench/, not from here.
#
#   bash loadtest/test.sh TICKETSD_BINARY       (e.g. build/test/src/ticketsd)
#
# Installs the npm packages (pinned by package-lock.json) only when node_modules is not the
# locked tree. Ends with `loadtest: N passed, M failed`; exit 1 on any failure. KEEP_TMP=1 keeps
# the temporary directory (the servers' logs, each run's output) and prints its path.
set -uo pipefail

if [[ $# -ne 1 || ! -x $1 ]]; then
  echo "usage: $0 TICKETSD_BINARY (an executable ticketsd)" >&2
  exit 2
fi
binary=$(realpath "$1")
cd "$(dirname "$0")"
tmp=$(mktemp -d)
children=() # the servers and the Stripe double, stopped at the end in any case
cleanup() {
  local pid
  for pid in "${children[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then
      kill -TERM "$pid" 2>/dev/null
      wait "$pid" 2>/dev/null
    fi
  done
  [[ -n ${KEEP_TMP:-} ]] && echo "kept $tmp" || rm -rf "$tmp"
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

# ---- the servers ----
token=$(head -c 64 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
# Both servers run this copy: a rebuild of the given binary meanwhile cannot swap it.
cp "$binary" "$tmp/ticketsd"
python=/usr/bin/python3
[[ -x $python ]] || python=python3

# The Stripe test double on a free loopback port. Nobody pays here, so no webhook is configured:
# every Checkout Session the journeys make stays open (checked at the end).
"$python" ../tests/doubles/stripe_double.py --port 0 --port-file "$tmp/double.port" >"$tmp/double.log" 2>&1 &
children+=($!)
for _ in $(seq 100); do [[ -s $tmp/double.port ]] && break; sleep 0.1; done
if [[ ! -s $tmp/double.port ]]; then
  sed 's/^/  /' "$tmp/double.log" | tail -20; fail "the Stripe test double started"; finish
fi
double="http://127.0.0.1:$(cat "$tmp/double.port")"

# start_server NAME [NAME=VALUE...]: a ticketsd with its own SQLite database and the demo events;
# sets $port and $pid. From $tmp, so that no web/dist is found: the API only. No drain, so
# SIGTERM ends it at once.
start_server() {
  local name=$1; shift
  mkdir "$tmp/$name"
  (cd "$tmp" && exec env -u DATABASE_URL -u WEB_ROOT -u STRIPE_SECRET_KEY -u STRIPE_WEBHOOK_SECRET \
    -u STRIPE_API_BASE PORT=0 HOST=127.0.0.1 DATA_DIR="$tmp/$name" SEED_DEMO_DATA=true \
    HOLD_LIMIT_PER_CLIENT=0 ADMIN_TOKEN="$token" SHUTDOWN_DRAIN_SECONDS=0 "$@" \
    "$tmp/ticketsd" >"$tmp/$name.log" 2>&1) &
  pid=$!
  children+=("$pid")
  port=""
  for _ in $(seq 200); do
    port=$(sed -n 's/.*"msg":"listening".*"port":\([0-9]*\).*/\1/p' "$tmp/$name.log" | head -1)
    [[ -n $port ]] && break
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $port ]]; then
    sed 's/^/  /' "$tmp/$name.log" | tail -20; fail "ticketsd ($name) started (no listening line)"; finish
  fi
}
# The shop: online payment through the double. The demo events are priced: a checkout by the
# public is pending_payment there.
start_server shop STRIPE_SECRET_KEY=sk_test_double STRIPE_WEBHOOK_SECRET=whsec_test_double STRIPE_API_BASE="$double"
server=$pid
base="http://127.0.0.1:$port"
# And one event of free ticket types: its checkouts are paid at once.
free=$(curl -fsS -X POST "$base/api/admin/events" -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d '{"name":"Free Entry Open Day","venue":"Roundhouse, London","starts_at":"2030-01-01T19:00:00Z",
       "ends_at":"2030-01-01T23:00:00Z","timezone":"Europe/London","status":"on_sale","ticket_types":[
       {"name":"Free","price":0,"currency":"GBP","capacity":500},
       {"name":"Free, balcony","price":0,"currency":"GBP","capacity":100}]}' |
  node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>console.log(JSON.parse(s).id))')
if [[ -z $free ]]; then
  sed 's/^/  /' "$tmp/shop.log" | tail -5; fail "an event of free ticket types created"; finish
fi
pass "ticketsd listening on 127.0.0.1:$port (SQLite, demo events: priced, paid online through the Stripe test double on $double; event $free: free ticket types)"
# A shop without online payment: a priced public checkout there is 503 payments-not-configured.
start_server nopay
nopay=$pid
nopay_base="http://127.0.0.1:$port"
pass "ticketsd without online payment listening on 127.0.0.1:$port (SQLite, demo events)"

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
# The adapter's summary of a counter: "purchases 1" in "  metrics: a 1; purchases 1; b 2".
counter() { # NAME FILE
  sed -n 's/^  metrics: //p' "$2" | tr ';' '\n' | sed -n "s/^ *$1 \([0-9]*\)\$/\1/p"
}
pending_total=0
buys() { # paid|pending_payment SCRIPT [NAME=VALUE...]: must pass, and its purchase end so
  local outcome=$1 script=$2 out="$tmp/$(basename "$2").$1.out"
  shift
  if ! adapter "$@" >"$out" 2>&1; then
    sed 's/^/  /' "$out"; fail "$script: its journey through the adapter ($outcome)"
    return
  fi
  local bought pending
  bought=$(counter purchases "$out") pending=$(counter pending_payments "$out")
  pending_total=$((pending_total + ${pending:-0}))
  if [[ $outcome == pending_payment && $bought == 1 && $pending == 1 ]] ||
    [[ $outcome == paid && $bought == 1 && -z $pending ]]; then
    pass "$(tail -1 "$out" | sed 's/^ *PASS //'); checkout $outcome"
  else
    sed 's/^/  /' "$out"; fail "$script: checkout $outcome (purchases '${bought}', pending_payments '${pending}')"
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
# A shop without online payment: a configuration problem, said so and failing the run even when
# not strict (sold out and shed answers would then be outcomes, this is not one).
out="$tmp/nopay.out"
adapter purchase.js BASE_URL="$nopay_base" STRICT=false >"$out" 2>&1
status=$?
what="a shop without online payment (purchase.js, not strict: 503 payments-not-configured)"
if ((status == 1)) && grep -q "CONFIGURATION: POST /api/checkout answered 503 payments-not-configured" "$out" &&
  grep -q "FAIL .*checkout: online payment configured" "$out" && grep -q "CROSSED   payments_not_configured" "$out"; then
  pass "the adapter fails on $what: $(grep -o 'CONFIGURATION: .\{0,100\}' "$out" | head -1)"
else
  sed 's/^/  /' "$out"; fail "the adapter fails on $what (exit $status, wanted 1, the CONFIGURATION line, the failed check and the crossed threshold)"
fi
journey adapter/selftest/fidelity.js

# ---- every scenario's journey, once ----
# On the priced demo events a checkout is pending_payment (handed over to the double, not paid);
# on the free event it is paid at once, read back and cancelled.
buys pending_payment smoke.js
buys paid smoke.js EVENT_ID="$free"
journey browse.js
buys pending_payment purchase.js
buys paid purchase.js EVENT_ID="$free"
buys pending_payment stress.js
buys pending_payment soak.js
# The waiting room with a proof of work, turned on by setup() and put back by teardown().
buys pending_payment onsale.js ADMIN_TOKEN="$token" EVENT_ID=1 ADMIT_PER_MINUTE=600 POW_DIFFICULTY=8
buys paid onsale.js ADMIN_TOKEN="$token" EVENT_ID="$free" ADMIT_PER_MINUTE=600

# The journeys handed each pending order over to the payment provider, never paid, and
# cancelled it: one Checkout Session per pending_payment purchase at the double, none paid, each
# closed (expired) by ticketsd's outbox within seconds of its order's cancellation.
sessions=""
for _ in $(seq 1 30); do
  sessions=$(curl -fsS "$double/_double/sessions" | node -e 'let s="";process.stdin.on("data",(d)=>(s+=d)).on("end",()=>{
    const all=JSON.parse(s).data; console.log(all.length, all.filter((x)=>x.payment_status==="unpaid").length, all.filter((x)=>x.status==="expired").length)})')
  [[ $sessions == "$pending_total $pending_total $pending_total" ]] && break
  sleep 0.5
done
if [[ $sessions == "$pending_total $pending_total $pending_total" ]] && ((pending_total > 0)); then
  pass "the Stripe test double holds $pending_total Checkout Sessions, one per pending purchase, none paid, each closed when its order was cancelled"
else
  fail "Checkout Sessions at the double (all, unpaid, closed): '$sessions', wanted $pending_total of each"
fi

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

# ---- stop the servers ----
for name in shop nopay; do
  [[ $name == shop ]] && pid=$server || pid=$nopay
  kill -TERM "$pid"
  for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2>/dev/null; then
    fail "ticketsd ($name) stops on SIGTERM"; kill -KILL "$pid"
  else
    wait "$pid"; status=$?
    ((status == 0)) && pass "ticketsd ($name) stopped on SIGTERM (exit 0)" || fail "ticketsd ($name) exit $status after SIGTERM"
  fi
  if grep -q '"level":"\(error\|critical\)"' "$tmp/$name.log"; then
    grep '"level":"\(error\|critical\)"' "$tmp/$name.log" | head -5 | sed 's/^/  /'; fail "ticketsd ($name) logged no error"
  else
    pass "ticketsd ($name) logged no error"
  fi
done
echo "($((SECONDS - started)) s)"
finish
