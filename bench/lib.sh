# Shared by the purchase benchmarks (sourced from the repository root, after `set -euo pipefail`).
# Expects: $work (a temporary directory), $token (the admin token), $duration (seconds a run),
# $TICKETSD (the binary).

# need PACKAGE...: installs the Debian packages that are missing.
need() {
  local p
  for p in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
    fi
  done
}

# use_release_binary: TICKETSD, or else the release build (built now).
use_release_binary() {
  if [[ -z "${TICKETSD:-}" ]]; then
    bash scripts/build.sh release >/dev/null
    TICKETSD=build/release/src/ticketsd
  fi
}

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

pids=()
# start_ticketsd DATABASE_URL [POOL_SIZE (16)]: starts one more ticketsd; sets $port (its port)
# and $tpid.
start_ticketsd() {
  port="$(free_port)"
  # Every client of a benchmark is 127.0.0.1: no limit of live baskets per client.
  HOST=127.0.0.1 PORT="$port" DATABASE_URL="$1" ADMIN_TOKEN="$token" DB_POOL_SIZE="${2:-16}" \
    HOLD_LIMIT_PER_CLIENT=0 LOG_LEVEL=warn "$TICKETSD" >"$work/ticketsd-$port.log" 2>&1 &
  tpid=$!
  pids+=("$tpid")
  for _ in $(seq 500); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/readiness" 2>/dev/null && return 0
    sleep 0.02
  done
  echo "ticketsd did not start:" >&2
  cat "$work/ticketsd-$port.log" >&2
  exit 1
}
stop_all() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  pids=()
}

# create_event N_TYPES CAPACITY: prints the first ticket type id of a new on-sale event.
# Its ticket types are free (price 0): a free basket checked out by the public is paid at once,
# with its tickets, in the checkout's one transaction, the path a priced checkout took before
# online payment. A priced one would now be handed over to Stripe (pending_payment, no tickets;
# or 503 payments-not-configured here, where none is configured), which is not what these
# benchmarks measure. bench/purchase.lua counts only checkouts answered "paid".
create_event() {
  local types="" i
  for ((i = 0; i < $1; i++)); do
    types+="${types:+,}{\"name\":\"T$i\",\"price\":0,\"currency\":\"GBP\",\"capacity\":$2}"
  done
  curl -fsS -X POST "http://127.0.0.1:$port/api/admin/events" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"Bench\",\"venue\":\"Arena\",\"starts_at\":\"2030-01-01T19:00:00Z\",\"ends_at\":\"2030-01-01T23:00:00Z\",\"timezone\":\"Europe/London\",\"status\":\"on_sale\",\"ticket_types\":[$types]}" |
    /usr/bin/python3 -c 'import json,sys; print(min(t["id"] for t in json.load(sys.stdin)["ticket_types"]))'
}

# seed: sets $hot (one ticket type) and $spread (first of 1,000 consecutive ticket types)
seed() {
  hot="$(create_event 1 1000000)"
  spread=""
  for _ in $(seq 20); do
    local first
    first="$(create_event 50 100000)"
    spread="${spread:-$first}"
  done
}

# wrk_run OUT PORT CLIENTS FIRST TYPES: one wrk run of purchases (bench/purchase.lua) into OUT
wrk_run() {
  wrk -t2 -c"$3" -d"${duration}s" -s bench/purchase.lua "http://127.0.0.1:$2" -- "$4" "$5" >"$1"
}
# summarise OUT... -> "purchases_per_s p50_ms p99_ms err/429 p95_ms" (percentiles: the worst of
# the runs)
summarise() {
  /usr/bin/python3 - "$duration" "$@" <<'PY'
import re, sys
seconds = float(sys.argv[1])
purchases = errors = shed = 0
p50 = p95 = p99 = 0.0
for path in sys.argv[2:]:
    m = re.search(r"RESULT purchases=(\d+) sold_out=(\d+) errors=(\d+) shed=(\d+) "
                  r"p50_ms=([\d.]+) p95_ms=([\d.]+) p99_ms=([\d.]+)", open(path).read())
    purchases += int(m.group(1))
    errors += int(m.group(3))
    shed += int(m.group(4))
    p50 = max(p50, float(m.group(5)))
    p95 = max(p95, float(m.group(6)))
    p99 = max(p99, float(m.group(7)))
print(f"{purchases / seconds:.0f} {p50:.2f} {p99:.2f} {errors}/{shed} {p95:.2f}")
PY
}
# wrk_purchases PORT CLIENTS FIRST TYPES -> as summarise
wrk_purchases() {
  wrk_run "$work/wrk.out" "$@"
  summarise "$work/wrk.out"
}
# wrk_two PORT_A PORT_B CLIENTS FIRST TYPES: half the clients on each replica, at once
wrk_two() {
  wrk_run "$work/wrk-a.out" "$1" $(($3 / 2)) "$4" "$5" &
  local a=$!
  wrk_run "$work/wrk-b.out" "$2" $(($3 / 2)) "$4" "$5"
  wait "$a"
  summarise "$work/wrk-a.out" "$work/wrk-b.out"
}
