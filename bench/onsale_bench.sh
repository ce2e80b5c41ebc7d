#!/usr/bin/env bash
# A hot on-sale through the waiting room: what the shop sustains is measured first (purchases/s
# through HTTP, 16 clients, SQLite durable, as bench/purchase_bench.sh does); then one event
# opens its queue at that rate and buyers arrive at four times it, each on a connection of its
# own (bench/onsale_load.cc): join, poll every second, make a basket with the admission, check
# out. Printed: the latency of admitted buyers' requests (p50/p95/p99; the SLO is p95 <= 800 ms),
# responses 5xx (must be 0) and 429 (shed), how many bought, found it sold out or gave up, the
# fairness figure (of every pair of admitted buyers, the share admitted in the order they
# joined), and the invariants after the run (nothing oversold, sold = tickets issued).
#
# Every buyer holds a connection while it waits, so buyers arrive for as many seconds (at most
# ARRIVAL_SECONDS) as four times the rate fits in the open-file limit, 2 s on this machine.
# ONSALE_MAX_RATE caps the admission rate, for a smaller run. DATABASE_LATENCY_MS=N makes the
# database slow (every connection checkout N ms longer, by fault injection) once what the shop
# sustains has been measured: the queue keeps admitting at the healthy rate, as it would when the
# database degrades in the middle of a sale, and load shedding must keep the admitted buyers'
# p95 within the SLO. A benchmark, not a test.
# Usage: bench/onsale_bench.sh [ARRIVAL_SECONDS (4)]    TICKETSD=<tree>/src/ticketsd uses that
# binary (and the load client of that build tree).
set -euo pipefail
cd "$(dirname "$0")/.."

arrivals="${1:-4}"
max_rate="${ONSALE_MAX_RATE:-1000000}"
db_latency="${DATABASE_LATENCY_MS:-0}"
token="bench-admin-token-0123456789"

source bench/lib.sh
bash scripts/setup.sh
need wrk curl
use_release_binary
# The load client from the same build tree as the binary.
tree="${TICKETSD%/src/ticketsd}"
cmake --build "$tree" --target onsale_load >/dev/null
load="$tree/bench/onsale_load"

work="$(mktemp -d)"
tpid=""
cleanup() {
  if [[ -n "$tpid" ]]; then kill "$tpid" 2>/dev/null || true; wait "$tpid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
ulimit -n "$(ulimit -Hn)"  # a connection per waiting buyer

port="$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
# Buyers come through "one proxy" (X-Forwarded-For), each with an address of its own.
HOST=127.0.0.1 PORT="$port" DATABASE_URL="sqlite:$work/onsale.db" ADMIN_TOKEN="$token" \
  TRUSTED_PROXIES=1 HOLD_LIMIT_PER_CLIENT=0 MAX_CONNECTIONS=60000 LOG_LEVEL=warn FAULT_INJECTION="$((db_latency > 0))" \
  "$TICKETSD" >"$work/ticketsd.log" 2>&1 &
tpid=$!
for _ in $(seq 500); do
  curl -fsS -o /dev/null "http://127.0.0.1:$port/readiness" 2>/dev/null && break
  sleep 0.02
done

# create_event CAPACITY -> "EVENT_ID TICKET_TYPE_ID". The ticket type is free (price 0): a buyer's
# checkout is paid at once with its ticket, the selling path measured here (bench/lib.sh
# create_event says why); bench/purchase.lua and onsale_load count only orders answered "paid".
create_event() {
  curl -fsS -X POST "http://127.0.0.1:$port/api/admin/events" -H "Authorization: Bearer $token" \
    -H 'Content-Type: application/json' \
    -d "{\"name\":\"On-sale\",\"venue\":\"Arena\",\"starts_at\":\"2030-01-01T19:00:00Z\",\"ends_at\":\"2030-01-01T23:00:00Z\",\"timezone\":\"Europe/London\",\"status\":\"on_sale\",\"ticket_types\":[{\"name\":\"GA\",\"price\":0,\"currency\":\"GBP\",\"capacity\":$1}]}" |
    /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["id"], e["ticket_types"][0]["id"])'
}

echo "what the shop sustains: purchases through HTTP, 16 clients, 5 s ..."
read -r _ warm_type <<<"$(create_event 1000000)"
wrk -t2 -c16 -d5s -s bench/purchase.lua "http://127.0.0.1:$port" -- "$warm_type" 1 >"$work/wrk.out"
sustained=$(/usr/bin/python3 -c 'import re,sys
m = re.search(r"RESULT purchases=(\d+)", open(sys.argv[1]).read()); print(int(m.group(1)) // 5)' \
  "$work/wrk.out")
rate=$((sustained < max_rate ? sustained : max_rate))
offered=$((rate * 4))
capacity=$((rate * 10))
# Buyers at once: all who arrive, a connection each, within 80 % of the open-file limit.
fits=$(($(ulimit -n) * 8 / 10 / offered))
arrivals=$((arrivals < fits ? arrivals : fits))
arrivals=$((arrivals > 0 ? arrivals : 1))
read -r event type <<<"$(create_event "$capacity")"
curl -fsS -X PUT "http://127.0.0.1:$port/api/admin/events/$event/queue" \
  -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
  -d "{\"enabled\":true,\"admit_per_minute\":$((rate * 60))}" >/dev/null
if ((db_latency > 0)); then
  curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$port/api/admin/faults" \
    -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d "{\"database_latency_ms\":$db_latency}"
  echo "the database is now slow: every connection checkout takes $db_latency ms longer"
fi
echo "on-sale: $capacity tickets, queue admitting $rate/s, buyers arriving at $offered/s for ${arrivals}s ..."
result="$("$load" "$port" "$event" "$type" "$offered" "$arrivals" 1000 180)"
queue="$(curl -fsS "http://127.0.0.1:$port/api/admin/events/$event/queue" -H "Authorization: Bearer $token")"
rss=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$tpid/status")
kill "$tpid"
wait "$tpid" 2>/dev/null || true
tpid=""
check=$(/usr/bin/python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(*db.execute("""SELECT
  (SELECT count(*) FROM ticket_types WHERE sold + held > capacity),
  (SELECT count(*) FROM ticket_types t WHERE sold <> (SELECT count(*) FROM tickets k
     WHERE k.ticket_type_id = t.id AND k.voided = 0)),
  (SELECT count(*) FROM orders o WHERE NOT EXISTS
     (SELECT 1 FROM tickets k WHERE k.order_code = o.code))""").fetchone())' "$work/onsale.db")

/usr/bin/python3 - "$result" "$sustained" "$rate" "$offered" "$capacity" "$check" "$queue" "$rss" "$db_latency" <<'PY'
import json, sys
result, sustained, rate, offered, capacity, check, queue, rss, db_latency = sys.argv[1:]
r = dict(kv.split("=") for kv in result.split()[1:])
oversold, unissued, orphans = check.split()
q = json.loads(queue)
print()
print(f"shop sustains {sustained} purchases/s (16 clients); queue admits {rate}/s; "
      f"buyers offered {offered}/s (4x); {capacity} tickets")
if db_latency != "0":
    print(f"during the sale the database was {db_latency} ms slower per connection checkout")
print(f"buyers {r['buyers']}: admitted {r['admitted']}, bought {r['bought']}, "
      f"found it sold out {r['sold_out']}, gave up {r['gave_up']}, failed {r['failed']}")
print(f"admitted buyers' requests (basket, checkout): p50 {r['selling_p50_ms']} ms, "
      f"p95 {r['selling_p95_ms']} ms, p99 {r['selling_p99_ms']} ms (SLO: p95 <= 800 ms)")
print(f"queue requests (join, poll): p95 {r['queue_p95_ms']} ms; {r['answers']} answers, "
      f"5xx {r['http_5xx']}, 429 {r['http_429']}")
print(f"fairness (admitted pairs who joined in different seconds, in join order): {float(r['fairness']):.4f}")
print(f"queue at the end: waiting {q['waiting']}, admitted {q['admitted']}; ticketsd peak RSS {rss} MB")
print(f"violations: oversold {oversold}, sold != tickets {unissued}, orders without tickets {orphans}")
ok = (float(r["selling_p95_ms"]) <= 800 and r["http_5xx"] == "0" and oversold == "0"
      and unissued == "0" and orphans == "0")
print("targets:", "met" if ok else "NOT met")
PY
