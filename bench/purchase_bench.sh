#!/usr/bin/env bash
# Purchase throughput: basket + checkout of one ticket through ticketsd, for one hot ticket type
# and for 1,000 ticket types, against PostgreSQL side by side with pgbench running the same SQL
# on the same cluster, and against SQLite. Prints purchases/s, p50, p99 and the ratios.
# A benchmark, not a test. Usage: bench/purchase_bench.sh [SECONDS (10)] [CLIENTS (16)]
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
clients="${2:-16}"
token="bench-admin-token-0123456789"

bash scripts/setup.sh
for p in wrk postgresql-15 curl; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
  fi
done
bash scripts/build.sh release >/dev/null

work="$(mktemp -d)"
chmod 755 "$work"
pg_dir="/tmp/tickets-bench-pg-$$"
tpid=""
cleanup() {
  [[ -n "$tpid" ]] && kill "$tpid" 2>/dev/null && wait "$tpid" 2>/dev/null
  bash tests/support/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start_ticketsd DATABASE_URL: starts ticketsd, sets $port and $tpid
start_ticketsd() {
  port="$(free_port)"
  HOST=127.0.0.1 PORT="$port" DATABASE_URL="$1" ADMIN_TOKEN="$token" DB_POOL_SIZE=16 \
    LOG_LEVEL=warn build/release/src/ticketsd >"$work/ticketsd.log" 2>&1 &
  tpid=$!
  for _ in $(seq 500); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/readiness" 2>/dev/null && return 0
    sleep 0.02
  done
  echo "ticketsd did not start:" >&2; cat "$work/ticketsd.log" >&2; exit 1
}
stop_ticketsd() { kill "$tpid"; wait "$tpid" 2>/dev/null || true; tpid=""; }

# create_event N_TYPES CAPACITY: prints the first ticket type id of a new on-sale event
create_event() {
  local types="" i
  for ((i = 0; i < $1; i++)); do
    types+="${types:+,}{\"name\":\"T$i\",\"price\":2500,\"currency\":\"GBP\",\"capacity\":$2}"
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

# wrk_purchases FIRST TYPES -> "purchases_per_s p50_ms p99_ms errors"
wrk_purchases() {
  local out
  wrk -t2 -c"$clients" -d"${duration}s" -s bench/purchase.lua "http://127.0.0.1:$port" -- "$1" "$2" \
    >"$work/wrk.out"
  /usr/bin/python3 - "$duration" "$work/wrk.out" <<'PY'
import re, sys
text = open(sys.argv[2]).read()
m = re.search(r"RESULT purchases=(\d+) sold_out=(\d+) errors=(\d+) p50_ms=([\d.]+) p99_ms=([\d.]+)", text)
seconds = float(sys.argv[1])
print(f"{int(m.group(1)) / seconds:.0f} {m.group(4)} {m.group(5)} {m.group(3)}")
PY
}

# pgbench_purchases URL FIRST TYPES -> "tps p50_ms p99_ms errors"
pgbench_purchases() {
  rm -f "$work"/pgbench_log.*
  (cd "$work" && /usr/lib/postgresql/15/bin/pgbench -n -M prepared -c "$clients" -j 2 -T "$duration" \
    -f "$OLDPWD/bench/purchase.sql" -D first_type="$2" -D types="$3" --log --log-prefix=pgbench_log \
    "$1" >"$work/pgbench.out" 2>&1) || { cat "$work/pgbench.out" >&2; exit 1; }
  /usr/bin/python3 - "$work" <<'PY'
import glob, re, sys
work = sys.argv[1]
out = open(f"{work}/pgbench.out").read()
tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
failed = re.search(r"number of failed transactions: (\d+)", out)
lat = []
for path in glob.glob(f"{work}/pgbench_log.*"):
    for line in open(path):
        parts = line.split()
        if len(parts) > 2:
            lat.append(int(parts[2]) / 1000.0)
lat.sort()
pct = lambda p: lat[min(len(lat) - 1, int(p / 100 * len(lat)))]
print(f"{tps:.0f} {pct(50):.3f} {pct(99):.3f} {failed.group(1) if failed else 0}")
PY
}

ratio() { /usr/bin/python3 -c "print(f'{$1 / $2:.2f}')"; }

echo "starting a durable PostgreSQL (fsync on, synchronous_commit on) ..."
url="$(PG_DURABLE=1 bash tests/support/pg_cluster.sh start "$pg_dir")"
psql -q "$url" -c "CREATE DATABASE bench" >/dev/null
bench_url="${url%/*}/bench"

start_ticketsd "$bench_url"
seed
read -r t_hot_rps t_hot_p50 t_hot_p99 t_hot_err <<<"$(wrk_purchases "$hot" 1)"
read -r t_spread_rps t_spread_p50 t_spread_p99 t_spread_err <<<"$(wrk_purchases "$spread" 1000)"
stop_ticketsd
read -r p_hot_rps p_hot_p50 p_hot_p99 p_hot_err <<<"$(pgbench_purchases "$bench_url" "$hot" 1)"
read -r p_spread_rps p_spread_p50 p_spread_p99 p_spread_err <<<"$(pgbench_purchases "$bench_url" "$spread" 1000)"
oversold=$(psql -tA "$bench_url" -c "SELECT count(*) FROM ticket_types WHERE sold + held > capacity")

start_ticketsd "sqlite:$work/bench.db"
seed
read -r s_hot_rps s_hot_p50 s_hot_p99 s_hot_err <<<"$(wrk_purchases "$hot" 1)"
read -r s_spread_rps s_spread_p50 s_spread_p99 s_spread_err <<<"$(wrk_purchases "$spread" 1000)"
stop_ticketsd

echo
echo "Purchases (basket + checkout of 1 ticket), $clients clients, ${duration}s each, 127.0.0.1"
echo "ticketsd p50/p99 are per HTTP request (two per purchase); pgbench's per purchase (two transactions)"
printf '%-34s %12s %9s %9s %7s\n' case "purchases/s" "p50 ms" "p99 ms" errors
printf '%-34s %12s %9s %9s %7s\n' "PostgreSQL hot type: ticketsd" "$t_hot_rps" "$t_hot_p50" "$t_hot_p99" "$t_hot_err"
printf '%-34s %12s %9s %9s %7s\n' "PostgreSQL hot type: pgbench SQL" "$p_hot_rps" "$p_hot_p50" "$p_hot_p99" "$p_hot_err"
printf '%-34s %12s %9s %9s %7s\n' "PostgreSQL 1000 types: ticketsd" "$t_spread_rps" "$t_spread_p50" "$t_spread_p99" "$t_spread_err"
printf '%-34s %12s %9s %9s %7s\n' "PostgreSQL 1000 types: pgbench SQL" "$p_spread_rps" "$p_spread_p50" "$p_spread_p99" "$p_spread_err"
printf '%-34s %12s %9s %9s %7s\n' "SQLite hot type: ticketsd" "$s_hot_rps" "$s_hot_p50" "$s_hot_p99" "$s_hot_err"
printf '%-34s %12s %9s %9s %7s\n' "SQLite 1000 types: ticketsd" "$s_spread_rps" "$s_spread_p50" "$s_spread_p99" "$s_spread_err"
echo "ratio ticketsd/pgbench: hot $(ratio "$t_hot_rps" "$p_hot_rps"), 1000 types $(ratio "$t_spread_rps" "$p_spread_rps")"
echo "ticket types with sold + held > capacity after all runs: $oversold"
