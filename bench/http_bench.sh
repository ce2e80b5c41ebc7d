#!/usr/bin/env bash
# GET /api/events (20 events) from ticketsd next to nginx serving the same bytes as a static
# file, in one run, with wrk on 127.0.0.1. Prints req/s, p50, p99, the ratio, ticketsd's RSS
# idle and under load, and its start-to-ready time. A benchmark, not a test: it asserts nothing.
# Usage: bench/http_bench.sh [DURATION_SECONDS (10)] [CONNECTIONS (64)]
# ROUNDS=n (3) rounds of each, alternating; the medians are printed.
# TICKETSD=path uses that binary instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/.."

duration="${1:-10}"
connections="${2:-64}"
rounds="${ROUNDS:-3}"

bash scripts/setup.sh
for p in wrk nginx curl; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$p" >/dev/null
  fi
done
if [[ -z "${TICKETSD:-}" ]]; then
  bash scripts/build.sh release >/dev/null
  TICKETSD=build/release/src/ticketsd
fi

work="$(mktemp -d)"
chmod 755 "$work"  # nginx workers run as an unprivileged user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
rss_kib() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }

# ticketsd: time from exec to the first 200 of /readiness.
tport="$(free_port)"
start_ns=$(date +%s%N)
HOST=127.0.0.1 PORT="$tport" DATA_DIR="$work/data" SEED_DEMO_DATA=true LOG_LEVEL=info \
  "$TICKETSD" >"$work/ticketsd.log" 2>&1 &
tpid=$!
pids+=("$tpid")
for _ in $(seq 5000); do
  curl -fsS -o /dev/null "http://127.0.0.1:$tport/readiness" 2>/dev/null && break
  sleep 0.002
done
ready_ms=$(( ($(date +%s%N) - start_ns) / 1000000 ))
internal_ms=$(grep -o '"startup_ms":[0-9.]*' "$work/ticketsd.log" | cut -d: -f2)

url_path="/api/events"
curl -fsS "http://127.0.0.1:$tport$url_path" >"$work/events.json"
bytes=$(stat -c %s "$work/events.json")
events=$(grep -o '"count":[0-9]*' "$work/events.json" | cut -d: -f2)

# nginx: the same bytes as a static file, two workers, keep-alive.
nport="$(free_port)"
mkdir -p "$work/www/api" "$work/nginx"
cp "$work/events.json" "$work/www/api/events"
cat >"$work/nginx/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx/nginx.pid;
error_log $work/nginx/error.log;
daemon off;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  keepalive_requests 1000000;
  client_body_temp_path $work/nginx; proxy_temp_path $work/nginx; fastcgi_temp_path $work/nginx;
  uwsgi_temp_path $work/nginx; scgi_temp_path $work/nginx;
  server { listen 127.0.0.1:$nport; root $work/www; }
}
CONF
nginx -c "$work/nginx/nginx.conf" &
pids+=($!)
for _ in $(seq 500); do curl -fsS -o /dev/null "http://127.0.0.1:$nport$url_path" 2>/dev/null && break; sleep 0.01; done
cmp -s "$work/events.json" <(curl -fsS "http://127.0.0.1:$nport$url_path") || { echo "nginx serves other bytes" >&2; exit 1; }

idle_rss=$(rss_kib "$tpid")

# wrk_run NAME PORT -> "req_per_s p50_ms p99_ms"
wrk_run() {
  local out
  out="$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$2$url_path")"
  echo "$out" >"$work/wrk-$1.txt"
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  echo "$rps $(to_ms "$p50") $(to_ms "$p99")"
}
to_ms() {
  /usr/bin/python3 -c '
import re,sys
v=sys.argv[1]; m=re.match(r"([0-9.]+)(us|ms|s)$",v)
n=float(m.group(1)); print(round(n/1000 if m.group(2)=="us" else n*1000 if m.group(2)=="s" else n,3))' "$1"
}

peak_file="$work/peak_rss"
echo 0 >"$peak_file"
( while kill -0 "$tpid" 2>/dev/null; do
    r=$(rss_kib "$tpid" 2>/dev/null || echo 0)
    [[ "$r" -gt "$(cat "$peak_file")" ]] && echo "$r" >"$peak_file"
    sleep 0.2
  done ) &
sampler=$!
pids+=("$sampler")

# Rounds alternate ticketsd and nginx, so that the machine's drift hits both alike; the medians
# are compared.
median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'; }
t_all=() t_p50s=() t_p99s=() n_all=() n_p50s=() n_p99s=()
for ((round = 0; round < rounds; round++)); do
  read -r rps p50 p99 <<<"$(wrk_run ticketsd "$tport")"
  t_all+=("$rps") t_p50s+=("$p50") t_p99s+=("$p99")
  read -r rps p50 p99 <<<"$(wrk_run nginx "$nport")"
  n_all+=("$rps") n_p50s+=("$p50") n_p99s+=("$p99")
done
kill "$sampler" 2>/dev/null || true
load_rss=$(cat "$peak_file")
t_rps=$(median "${t_all[@]}") t_p50=$(median "${t_p50s[@]}") t_p99=$(median "${t_p99s[@]}")
n_rps=$(median "${n_all[@]}") n_p50=$(median "${n_p50s[@]}") n_p99=$(median "${n_p99s[@]}")

errors=$(grep -c -E 'Non-2xx|Socket errors' "$work/wrk-ticketsd.txt" || true)
ratio=$(/usr/bin/python3 -c "print(f'{$t_rps/$n_rps:.2f}')")

echo
echo "GET $url_path ($events events, $bytes bytes), wrk -t2 -c$connections -d${duration}s, 127.0.0.1, access log on"
echo "median of $rounds alternating rounds; ticketsd req/s: ${t_all[*]}; nginx: ${n_all[*]}"
printf '%-10s %12s %10s %10s\n' server "req/s" "p50 ms" "p99 ms"
printf '%-10s %12s %10s %10s\n' ticketsd "$t_rps" "$t_p50" "$t_p99"
printf '%-10s %12s %10s %10s\n' nginx "$n_rps" "$n_p50" "$n_p99"
echo "ratio ticketsd/nginx: $ratio"
echo "ticketsd RSS: idle $((idle_rss / 1024)) MiB, peak under load $((load_rss / 1024)) MiB"
echo "ticketsd start-to-ready: ${ready_ms} ms measured from outside (${internal_ms} ms inside the process)"
if [[ "$errors" -gt 0 ]]; then
  echo "wrk reported errors for ticketsd:"; grep -E 'Non-2xx|Socket errors' "$work/wrk-ticketsd.txt"
fi
