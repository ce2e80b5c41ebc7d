#!/usr/bin/env bash
# A throwaway PostgreSQL 15 cluster for tests, on loopback and a free port.
#   pg_cluster.sh start DIR   initdb (if needed) and start; prints the connection URL, also
#                             written to DIR/url
#   pg_cluster.sh stop DIR    stop it (fast) and remove DIR
#   pg_cluster.sh pause DIR   stop it but keep its data (an outage)
#   pg_cluster.sh resume DIR  start it again on the same port
# initdb refuses to run as root, so as root the server runs as the postgres user.
set -euo pipefail

cmd="${1:?usage: pg_cluster.sh start|stop|pause|resume DIR}"
dir="${2:?usage: pg_cluster.sh start|stop|pause|resume DIR}"
bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
[[ -x "$bin/initdb" ]] || { echo "PostgreSQL server binaries not found (apt-get install postgresql-15)" >&2; exit 1; }

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start_server() {
  local port options
  port="$(cat "$dir/port")"
  options="-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories=$dir -c max_connections=300"
  # Tests need no durability; benchmarks (PG_DURABLE=1) measure the real thing.
  if [[ "${PG_DURABLE:-0}" != 1 ]]; then
    options+=" -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
  else
    options+=" -c shared_buffers=256MB"
  fi
  as_owner "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 30 -o "$options" start >/dev/null
}

case "$cmd" in
  start)
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir"; chmod 700 "$dir"; fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_owner "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
    fi
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' >"$dir/port.tmp"
    mv "$dir/port.tmp" "$dir/port"
    if [[ $(id -u) -eq 0 ]]; then chown postgres: "$dir/port"; fi
    start_server
    url="postgresql://postgres@127.0.0.1:$(cat "$dir/port")/postgres"
    echo "$url" >"$dir/url"
    echo "$url"
    ;;
  pause)
    as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null
    ;;
  resume)
    start_server
    ;;
  stop)
    if [[ -f "$dir/data/postmaster.pid" ]]; then
      as_owner "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
  *)
    echo "unknown command: $cmd" >&2
    exit 2
    ;;
esac
