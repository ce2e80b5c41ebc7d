#!/usr/bin/env bash
# Capacity on this machine: purchases/s and p95 for DB_POOL_SIZE 5, 10, 20 and 40, with one and
# with two ticketsd replicas on one durable PostgreSQL, and how full the pools are at each point:
# sum(db_active_connections) / sum(db_max_connections), the ratio the DatabaseConnectionSaturation
# alert watches (> 0.8 for 5 minutes), sampled from every replica's /metrics twice a second during
# the run (mean and peak). Load: purchases (basket + checkout, bench/purchase.lua) over 1,000
# ticket types from CLIENTS connections in all (64; split evenly between the replicas), for SECONDS
# a point. The ticket types are free (bench/lib.sh create_event): each checkout is paid at once, and
# only those answered "paid" count (docs/capacity.md, "Free ticket types"). Prints the table and a
# recommendation; docs/capacity.md explains how to read it and how to redo it against a cluster.
#
# A benchmark, not a test. Usage: bench/capacity.sh [SECONDS (10)]
# CLIENTS=N sets the connections; DATABASE_LATENCY_MS=N makes every connection checkout N ms
# slower (fault injection), to model a database further away than loopback;
# TICKETSD=path uses that binary instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
clients="${CLIENTS:-64}"
db_latency="${DATABASE_LATENCY_MS:-0}"
token="bench-admin-token-0123456789"
pools=(5 10 20 40)

source bench/lib.sh
bash scripts/setup.sh
need wrk postgresql-15 curl
use_release_binary
export FAULT_INJECTION=true  # read by start_ticketsd's ticketsd, for DATABASE_LATENCY_MS

work="$(mktemp -d)"
chmod 755 "$work"
pg_dir="/tmp/tickets-capacity-pg-$$"
sampler=""
cleanup() {
  [[ -n "$sampler" ]] && kill "$sampler" 2>/dev/null
  stop_all
  bash tests/support/pg_cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

# sample PORT...: every 0.5 s, appends "active max" summed over the replicas to $work/pool.txt
sample() {
  while :; do
    local active=0 max=0 p metrics
    for p in "$@"; do
      metrics="$(curl -fsS "http://127.0.0.1:$p/metrics" 2>/dev/null)" || continue
      active=$((active + $(awk '/^db_active_connections / {printf "%d", $2}' <<<"$metrics")))
      max=$((max + $(awk '/^db_max_connections / {printf "%d", $2}' <<<"$metrics")))
    done
    echo "$active $max" >>"$work/pool.txt"
    sleep 0.5
  done
}
# saturation -> "mean peak" of active/max over the samples
saturation() {
  awk '$2 > 0 { r = $1 / $2; s += r; n++; if (r > m) m = r } END { printf "%.2f %.2f", (n ? s / n : 0), m }' \
    "$work/pool.txt"
}
slow_database() {
  local p
  for p in "$@"; do
    curl -fsS -o /dev/null -X PUT "http://127.0.0.1:$p/api/admin/faults" \
      -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
      -d "{\"database_latency_ms\":$db_latency}"
  done
}

echo "starting a durable PostgreSQL (fsync on, synchronous_commit on) ..."
url="$(PG_DURABLE=1 bash tests/support/pg_cluster.sh start "$pg_dir")"
psql -q "$url" -c "CREATE DATABASE capacity" >/dev/null
db_url="${url%/*}/capacity"
max_connections="$(psql -tA "$db_url" -c 'SHOW max_connections')"

rows=()
results=()  # "replicas pool purchases p95 mean peak err"
for replicas in 1 2; do
  for pool in "${pools[@]}"; do
    ports=()
    for ((r = 0; r < replicas; r++)); do
      start_ticketsd "$db_url" "$pool"
      ports+=("$port")
    done
    if [[ -z "${spread:-}" ]]; then
      seed
    fi
    slow_database "${ports[@]}"
    : >"$work/pool.txt"
    sample "${ports[@]}" &
    sampler=$!
    if ((replicas == 1)); then
      read -r rate p50 p99 err p95 <<<"$(wrk_purchases "${ports[0]}" "$clients" "$spread" 1000)"
    else
      read -r rate p50 p99 err p95 <<<"$(wrk_two "${ports[0]}" "${ports[1]}" "$clients" "$spread" 1000)"
    fi
    kill "$sampler" 2>/dev/null
    wait "$sampler" 2>/dev/null || true
    sampler=""
    read -r mean peak <<<"$(saturation)"
    stop_all
    rows+=("$(printf '%8s %6s %12s %9s %9s %9s %9s %9s' "$replicas" "$pool" "$rate" "$p95" "$p99" \
      "$mean" "$peak" "$err")")
    results+=("$replicas $pool $rate $p95 $mean $peak")
    echo "  $replicas replica(s), DB_POOL_SIZE=$pool: $rate purchases/s, p95 $p95 ms, pools $mean (peak $peak)"
  done
done

echo
echo "Capacity: purchases (basket + checkout of 1 ticket) over 1,000 ticket types, durable PostgreSQL"
echo "(max_connections $max_connections), $clients connections in all, ${duration}s a point," \
  "database latency added per checkout: ${db_latency} ms"
echo "p95/p99 per HTTP request (two per purchase); pools: sum(db_active_connections) /" \
  "sum(db_max_connections), mean and peak of the samples; err/429: errors / shed"
printf '%8s %6s %12s %9s %9s %9s %9s %9s\n' replicas pool purchases/s "p95 ms" "p99 ms" \
  "pools" "peak" "err/429"
printf '%s\n' "${rows[@]}"
echo
/usr/bin/python3 - "$max_connections" "${results[@]}" <<'PY'
import sys
max_connections = int(sys.argv[1])
points = [line.split() for line in sys.argv[2:]]
for replicas in ("1", "2"):
    mine = [p for p in points if p[0] == replicas]
    best = max(float(p[2]) for p in mine)
    # The smallest pool within 10 % of the best throughput, with p95 inside the SLO.
    good = [p for p in mine if float(p[2]) >= 0.9 * best and float(p[3]) <= 800]
    if not good:
        print(f"{replicas} replica(s): no pool size keeps p95 within 800 ms at this load")
        continue
    choice = min(good, key=lambda p: int(p[1]))
    pool = int(choice[1])
    print(f"{replicas} replica(s): DB_POOL_SIZE={pool} gives {float(choice[2]):.0f} purchases/s "
          f"({float(choice[2]) / best:.0%} of the best, {best:.0f}); pools {choice[4]} in use on "
          f"average, {choice[5]} at peak (the alert fires above 0.80 for 5 minutes)")
pool = min(int(p[1]) for p in points
           if float(p[2]) >= 0.9 * max(float(q[2]) for q in points if q[0] == p[0]))
print(f"Recommendation: DB_POOL_SIZE={pool} per replica; replicas x {pool} must stay within "
      f"max_connections ({max_connections}) less what migrations, probes and operators need: "
      f"at most {max(1, (max_connections - 10) // pool)} replicas on this database.")
PY
