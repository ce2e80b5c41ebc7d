#!/usr/bin/env bash
# Purchase throughput: basket + checkout of one ticket through ticketsd (durable: fsync on,
# synchronous_commit on, SQLite synchronous=FULL), side by side in the same run with the
# reference, pgbench running the naive purchase (bench/naive_purchase.sql: one transaction per
# buyer, the hot row locked through its commit) on the same PostgreSQL cluster.
#
# Cases: one hot ticket type and 1,000 ticket types on PostgreSQL at 16 clients, the hot type at
# 64 clients, two ticketsd replicas on one database, SQLite at 16 and 64 clients, and the peak
# memory of ticketsd with 256 connections. After each database's runs it checks that nothing
# was oversold: sold + held <= capacity, sold equals the tickets issued, held equals the live
# baskets, every order has its tickets.
#
# The ticket types are free (price 0, bench/lib.sh create_event), so each checkout is paid at once
# with its ticket, the selling path; a priced one would be handed over to Stripe (or refused, 503
# payments-not-configured, as no payment provider is configured here). Only checkouts answered
# "paid" count as purchases (bench/purchase.lua).
#
# A benchmark, not a test. Usage: bench/purchase_bench.sh [SECONDS (10)]
# TICKETSD=path uses that binary instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
token="bench-admin-token-0123456789"

source bench/lib.sh
bash scripts/setup.sh
need wrk postgresql-15 curl
use_release_binary

work="$(mktemp -d)"
chmod 755 "$work"
pg_dir="/tmp/tickets-bench-pg-$$"
cleanup() {
  stop_all
  bash tests/support/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# pgbench_purchases URL FIRST TYPES -> "tps p50_ms p99_ms errors"
pgbench_purchases() {
  rm -f "$work"/pgbench_log.*
  (cd "$work" && /usr/lib/postgresql/15/bin/pgbench -n -M prepared -c 16 -j 2 -T "$duration" \
    -f "$OLDPWD/bench/naive_purchase.sql" -D first_type="$2" -D types="$3" --log --log-prefix=pgbench_log \
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

# The invariants, as SQL that counts violations (0 when all hold).
integrity_sql="SELECT
  (SELECT count(*) FROM ticket_types WHERE sold + held > capacity) AS oversold,
  (SELECT count(*) FROM ticket_types t WHERE sold <> (SELECT count(*) FROM tickets k
     WHERE k.ticket_type_id = t.id AND NOT k.voided)) AS sold_not_issued,
  (SELECT count(*) FROM ticket_types t WHERE held <> (SELECT COALESCE(sum(i.quantity), 0)
     FROM hold_items i JOIN holds h ON h.id = i.hold_id
     WHERE h.status = 'active' AND i.ticket_type_id = t.id)) AS held_not_live,
  (SELECT count(*) FROM orders o WHERE NOT EXISTS
     (SELECT 1 FROM tickets k WHERE k.order_code = o.code)) AS orders_without_tickets"

rows=()
row() { rows+=("$(printf '%-44s %12s %9s %9s %7s' "$@")"); }

echo "starting a durable PostgreSQL (fsync on, synchronous_commit on) ..."
url="$(PG_DURABLE=1 bash tests/support/pg_cluster.sh start "$pg_dir")"
psql -q "$url" -c "CREATE DATABASE bench" >/dev/null
bench_url="${url%/*}/bench"

start_ticketsd "$bench_url"
port_a=$port pid_a=$tpid
seed
echo "PostgreSQL: reference (pgbench), then ticketsd ..."
read -r ref_hot ref_hot_p50 ref_hot_p99 ref_hot_err <<<"$(pgbench_purchases "$bench_url" "$hot" 1)"
read -r ref_spread ref_spread_p50 ref_spread_p99 ref_spread_err <<<"$(pgbench_purchases "$bench_url" "$spread" 1000)"
read -r t_hot t_hot_p50 t_hot_p99 t_hot_err _ <<<"$(wrk_purchases "$port_a" 16 "$hot" 1)"
read -r t_spread t_spread_p50 t_spread_p99 t_spread_err _ <<<"$(wrk_purchases "$port_a" 16 "$spread" 1000)"
read -r t_hot64 t_hot64_p50 t_hot64_p99 t_hot64_err _ <<<"$(wrk_purchases "$port_a" 64 "$hot" 1)"
start_ticketsd "$bench_url"
port_b=$port
read -r r_hot r_hot_p50 r_hot_p99 r_hot_err _ <<<"$(wrk_two "$port_a" "$port_b" 16 "$hot" 1)"
read -r r_spread r_spread_p50 r_spread_p99 r_spread_err _ <<<"$(wrk_two "$port_a" "$port_b" 16 "$spread" 1000)"
# The reference again, after ticketsd's runs: the disk and the neighbours of these machines
# move it by 2x within minutes, so ratios are taken against the mean of both.
read -r ref2_hot ref2_hot_p50 ref2_hot_p99 ref2_hot_err <<<"$(pgbench_purchases "$bench_url" "$hot" 1)"
read -r ref2_spread ref2_spread_p50 ref2_spread_p99 ref2_spread_err <<<"$(pgbench_purchases "$bench_url" "$spread" 1000)"
read -r t_256 t_256_p50 t_256_p99 t_256_err _ <<<"$(wrk_purchases "$port_a" 256 "$hot" 1)"
rss_pg=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$pid_a/status")
stop_all
pg_check=$(psql -tA -F' ' "$bench_url" -c "$integrity_sql")

echo "SQLite: ticketsd ..."
start_ticketsd "sqlite:$work/bench.db"
seed
read -r s_hot s_hot_p50 s_hot_p99 s_hot_err _ <<<"$(wrk_purchases "$port" 16 "$hot" 1)"
read -r s_hot64 s_hot64_p50 s_hot64_p99 s_hot64_err _ <<<"$(wrk_purchases "$port" 64 "$hot" 1)"
read -r s_spread s_spread_p50 s_spread_p99 s_spread_err _ <<<"$(wrk_purchases "$port" 16 "$spread" 1000)"
read -r s_spread64 s_spread64_p50 s_spread64_p99 s_spread64_err _ <<<"$(wrk_purchases "$port" 64 "$spread" 1000)"
stop_all
sqlite_check=$(/usr/bin/python3 -c 'import sqlite3, sys
print(" ".join(str(v) for v in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]).fetchone()))' \
  "$work/bench.db" "$integrity_sql")

row "PostgreSQL hot type, 16 clients: reference" "$ref_hot" "$ref_hot_p50" "$ref_hot_p99" "$ref_hot_err"
row "  the same reference, after ticketsd's runs" "$ref2_hot" "$ref2_hot_p50" "$ref2_hot_p99" "$ref2_hot_err"
row "PostgreSQL hot type, 16 clients: ticketsd" "$t_hot" "$t_hot_p50" "$t_hot_p99" "$t_hot_err"
row "PostgreSQL hot type, 64 clients: ticketsd" "$t_hot64" "$t_hot64_p50" "$t_hot64_p99" "$t_hot64_err"
row "PostgreSQL hot type, 2 replicas, 16 clients" "$r_hot" "$r_hot_p50" "$r_hot_p99" "$r_hot_err"
row "PostgreSQL 1000 types, 16 clients: reference" "$ref_spread" "$ref_spread_p50" "$ref_spread_p99" "$ref_spread_err"
row "  the same reference, after ticketsd's runs" "$ref2_spread" "$ref2_spread_p50" "$ref2_spread_p99" "$ref2_spread_err"
row "PostgreSQL 1000 types, 16 clients: ticketsd" "$t_spread" "$t_spread_p50" "$t_spread_p99" "$t_spread_err"
row "PostgreSQL 1000 types, 2 replicas, 16 clients" "$r_spread" "$r_spread_p50" "$r_spread_p99" "$r_spread_err"
row "PostgreSQL hot type, 256 connections" "$t_256" "$t_256_p50" "$t_256_p99" "$t_256_err"
row "SQLite hot type, 16 clients" "$s_hot" "$s_hot_p50" "$s_hot_p99" "$s_hot_err"
row "SQLite hot type, 64 clients" "$s_hot64" "$s_hot64_p50" "$s_hot64_p99" "$s_hot64_err"
row "SQLite 1000 types, 16 clients" "$s_spread" "$s_spread_p50" "$s_spread_p99" "$s_spread_err"
row "SQLite 1000 types, 64 clients" "$s_spread64" "$s_spread64_p50" "$s_spread64_p99" "$s_spread64_err"

echo
echo "Purchases (basket + checkout of 1 ticket), ${duration}s each, durable, 127.0.0.1"
echo "ticketsd: p50/p99 per HTTP request (two per purchase); reference: per purchase (one transaction)"
echo "err/429: errors, and requests shed with 429 (load shedding, not errors; reference: failed)"
printf '%-44s %12s %9s %9s %7s\n' case "purchases/s" "p50 ms" "p99 ms" "err/429"
printf '%s\n' "${rows[@]}"
echo
ref_hot_mean=$(( (ref_hot + ref2_hot) / 2 ))
ref_spread_mean=$(( (ref_spread + ref2_spread) / 2 ))
echo "ticketsd / reference (mean of its two runs: hot $ref_hot_mean, 1000 types $ref_spread_mean):"
echo "  hot type $(ratio "$t_hot" "$ref_hot_mean")x, 64 clients $(ratio "$t_hot64" "$ref_hot_mean")x," \
  "2 replicas $(ratio "$r_hot" "$ref_hot_mean")x; 1000 types $(ratio "$t_spread" "$ref_spread_mean")x" \
  "(2 replicas $(ratio "$r_spread" "$ref_spread_mean")x)"
echo "ticketsd peak RSS after 256 connections (PostgreSQL): ${rss_pg} MB"
echo "violations (oversold, sold != tickets, held != live baskets, orders without tickets):"
echo "  PostgreSQL: $pg_check"
echo "  SQLite:     $sqlite_check"
