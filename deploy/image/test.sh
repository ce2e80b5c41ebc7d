#!/usr/bin/env bash
# Scripts in single quotes (bash -c, sh -c in the image) get their values as arguments, on purpose.
# shellcheck disable=SC2016
# Tests the production image built by scripts/image.sh:
#   deploy/image/test.sh [IMAGE]          test IMAGE (e.g. localhost/tickets-backend:sha-1234abc)
#   deploy/image/test.sh --binary PATH    build the image around PATH first, then test it
#   deploy/image/test.sh                  build it (release build) first, then test it
# The image's own ticketsd runs inside the image as its non-root user, against SQLite on a
# bind-mounted data dir and against a throwaway PostgreSQL 15 on loopback, probed with the image's
# own curl; then with its root filesystem mounted read-only. Also checks the image's config,
# labels, tag, contents and size, and that SIGTERM drains and exits 0. Loopback and free ports
# only; bounded in time; everything it starts or creates is removed at exit. Needs root, buildah,
# python3, iproute2 (ss), util-linux (unshare), binutils (readelf) and postgresql-15.
set -euo pipefail
self="$(realpath "$0")"

# Building the image (a release build without arguments) is not part of the test's time bound.
if [[ -z "${IMAGE_TEST_BOUNDED:-}" ]]; then
  case "${1:-}" in
    --binary)
      binary="$(realpath -e "${2:?--binary needs a path}")"
      cd "$(dirname "$self")/../.."
      # The web app already built (the suite builds it before) is packed as it is.
      web=()
      [[ ! -f web/dist/index.html ]] || web=(--web web/dist)
      bash scripts/image.sh --binary "$binary" "${web[@]}"
      set -- "$(cat build/image/image-ref)"
      ;;
    "")
      cd "$(dirname "$self")/../.."
      bash scripts/image.sh
      set -- "$(cat build/image/image-ref)"
      ;;
  esac
  # The test itself is bounded; each step in it is bounded too, so the clean-up trap gets to run.
  IMAGE_TEST_BOUNDED=1 exec timeout --kill-after=15 300 bash "$self" "$1"
fi
cd "$(dirname "$self")/../.."
ref="${1:?usage: deploy/image/test.sh [IMAGE | --binary PATH]}"

readonly max_bytes=60000000 # the size bound: 60 MB unpacked
readonly image_uid=10001 image_gid=10001

for tool in buildah:buildah ss:iproute2 unshare:util-linux readelf:binutils git:git; do
  command -v "${tool%%:*}" >/dev/null ||
    { echo "${tool%%:*} not found (apt-get install ${tool#*:})" >&2; exit 1; }
done
[[ -x /usr/bin/python3 ]] || { echo "python3 not found (apt-get install python3)" >&2; exit 1; }
[[ $(id -u) -eq 0 ]] || { echo "must run as root (buildah's system storage, mounts)" >&2; exit 1; }

work="$(mktemp -d)"
chmod 0755 "$work" # the PostgreSQL server runs as postgres and lives below it
containers=()
runners=()
cleanup() {
  local pid container
  for pid in "${runners[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  for pid in "${runners[@]}"; do wait "$pid" 2>/dev/null || true; done
  [[ ! -d "$work/pg" ]] || bash tests/support/pg_cluster.sh stop "$work/pg" || true
  for container in "${containers[@]}"; do
    buildah umount "$container" >/dev/null 2>&1 || true
    buildah rm "$container" >/dev/null 2>&1 || true
  done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

failures=0
pass() { echo "ok    $*"; }
failed() { echo "FAIL  $*" >&2; failures=$((failures + 1)); }
# check DESCRIPTION COMMAND...: one check; the run goes on and fails at the end.
check() {
  local what="$1"
  shift
  if "$@"; then pass "$what"; else failed "$what"; fi
}
fatal() { echo "FAIL  $*" >&2; exit 1; }

free_port() {
  /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# new_container: a working container of the image in $container, removed at exit (set here, not
# echoed, so that the list of what to remove lives in this shell, not in a subshell).
new_container() {
  container="$(buildah from --quiet --pull-never "$ref")" || fatal "no image $ref (build it with scripts/image.sh)"
  containers+=("$container")
}

# --- The image's configuration, labels and tag ---------------------------------------------------

buildah inspect --type image "$ref" >"$work/inspect.json" || fatal "cannot inspect $ref"
# Reads a value out of the image's OCI config with a Python expression over `config`.
config() {
  /usr/bin/python3 -c 'import json,sys; config=json.load(open(sys.argv[1]))["OCIv1"]["config"]; print(eval(sys.argv[2]))' \
    "$work/inspect.json" "$1"
}
label() { config "(config.get('Labels') or {}).get('org.opencontainers.image.$1', '')"; }

revision="$(git rev-parse HEAD)"
tag="${ref##*:}"
check "tag $tag is sha-<short sha>[-dirty]" \
  bash -c '[[ "$0" =~ ^sha-[0-9a-f]{7,40}(-dirty)?$ ]]' "$tag"
tag_sha="${tag#sha-}"
tag_sha="${tag_sha%-dirty}"
check "tag names this tree's commit ($(git rev-parse --short HEAD))" \
  test "$(git rev-parse --short="${#tag_sha}" HEAD 2>/dev/null)" = "$tag_sha"
archive="build/image/tickets-backend-$tag.tar"
check "OCI archive $archive names the image" bash -c \
  'tar -xOf "$0" index.json | grep -q "\"org.opencontainers.image.ref.name\":\"tickets-backend:$1\""' \
  "$archive" "$tag"
check "label revision is the full sha of this tree's commit" test "$(label revision)" = "$revision"
check "label version is the project version" test "$(label version)" = \
  "$(sed -n 's/^project(tickets VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)"
check "label title is tickets-backend" test "$(label title)" = tickets-backend
check "label created is an RFC 3339 time, not in the future" /usr/bin/python3 -c '
import datetime, sys
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
sys.exit(0 if t <= datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(minutes=1) else 1)' \
  "$(label created)"
# The source label is written when the build knows a network address of the repository.
source_url="${IMAGE_SOURCE:-$(git remote get-url origin 2>/dev/null || true)}"
if [[ "$source_url" != file:* && ("$source_url" == *://* || "$source_url" == *@*:*) ]]; then
  check "label source is $source_url" test "$(label source)" = "$source_url"
else
  check "label source absent (no network address of the repository known)" test -z "$(label source)"
fi
check "entrypoint is [\"/usr/bin/ticketsd\"]" test "$(config 'config.get("Entrypoint")')" = "['/usr/bin/ticketsd']"
check "user is $image_uid:$image_gid (numeric, non-root)" test "$(config 'config.get("User")')" = "$image_uid:$image_gid"
check "port 8000/tcp exposed" test "$(config '"8000/tcp" in (config.get("ExposedPorts") or {})')" = True
check "stop signal SIGTERM" test "$(config 'config.get("StopSignal")')" = SIGTERM
check "working dir /data" test "$(config 'config.get("WorkingDir")')" = /data
check "env DATA_DIR=/data" test "$(config '"DATA_DIR=/data" in (config.get("Env") or [])')" = True
mapfile -t entrypoint < <(config '"\n".join(config["Entrypoint"])')
mapfile -t image_env < <(config '"\n".join(config.get("Env") or [])')

# --- Contents -----------------------------------------------------------------------------------

new_container
inspector="$container"
rootfs="$(buildah mount "$inspector")"
size="$(du -sxb "$rootfs" | cut -f1)"
check "size $((size / 1000)) kB is below $((max_bytes / 1000000)) MB" test "$size" -lt "$max_bytes"
forbidden="$(find "$rootfs" \( -type f -o -type l \) \( -name 'gcc*' -o -name 'g++*' -o -name cc \
  -o -name c++ -o -name 'cc1*' -o -name 'clang*' -o -name ld -o -name 'ld.bfd' -o -name as \
  -o -name make -o -name apt -o -name 'apt-*' -o -name dpkg -o -name 'dpkg-*' -o -name perl \) \
  -printf '%P\n')"
check "no compiler, apt, dpkg or perl${forbidden:+ (found: ${forbidden//$'\n'/ })}" test -z "$forbidden"
no_docs() {
  local dir
  for dir in man info locale; do
    ! compgen -G "$rootfs/usr/share/$dir/*" >/dev/null || return 1
  done
}
check "no man pages, info or locales" no_docs
check "ticketsd is stripped of debug info" \
  bash -c '! readelf -S "$0" | grep -q "\.debug_info"' "$rootfs/usr/bin/ticketsd"
check "ticketsd names its debug file (.gnu_debuglink)" \
  bash -c 'readelf -p .gnu_debuglink "$0" | grep -q ticketsd.debug' "$rootfs/usr/bin/ticketsd"
check "IANA zone data present" test -s "$rootfs/usr/share/zoneinfo/Europe/London"
check "CA bundle present" grep -q 'BEGIN CERTIFICATE' "$rootfs/etc/ssl/certs/ca-certificates.crt"
check "passwd and group name the service user" bash -c \
  'grep -q "^tickets:x:$1:$2:" "$0/etc/passwd" && grep -q "^tickets:x:$2:" "$0/etc/group"' \
  "$rootfs" "$image_uid" "$image_gid"
buildah umount "$inspector" >/dev/null

# The image's own shell and curl run in a container of their own, as the image's user.
new_container
client="$container"
in_image() { timeout 30 buildah run --isolation chroot --network host "$client" -- "$@"; }

check "/bin/sh works" test "$(in_image /bin/sh -c 'echo "sh $((6 * 7))"')" = "sh 42"
# dash has no id builtin and the image no id program: the kernel's view of the shell.
shell_uid="$(in_image /bin/sh -c 'while read -r key real rest; do
  if [ "$key" = Uid: ]; then echo "$real"; fi; done </proc/self/status' || true)"
check "a shell in the image runs as uid $image_uid (was $shell_uid)" test "$shell_uid" = "$image_uid"
check "the image's ticketsd starts (--version)" in_image "${entrypoint[@]}" --version >/dev/null

# --- ticketsd in the image ----------------------------------------------------------------------

server_pid=""
server_runner=""
server_port=""
server_log=""

# Waits until ticketsd listens on $server_port; sets server_pid (its pid on this machine).
wait_listening() {
  local deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    server_pid="$(ss -Hltnp "sport = :$server_port" | sed -n 's/.*pid=\([0-9]*\).*/\1/p' | head -n 1)"
    [[ -z "$server_pid" ]] || return 0
    kill -0 "$server_runner" 2>/dev/null || break
    sleep 0.2
  done
  tail -n 20 "$server_log" >&2
  fatal "ticketsd did not listen on 127.0.0.1:$server_port"
}

# start_in_buildah NAME DATA_DIR ENV...: the image's entrypoint under buildah run, in the
# background, with DATA_DIR bind-mounted on /data.
start_in_buildah() {
  local name="$1" data="$2"
  shift 2
  new_container
  server_port="$(free_port)"
  server_log="$work/$name.log"
  local env_args=()
  for setting in HOST=127.0.0.1 "PORT=$server_port" SHUTDOWN_DRAIN_SECONDS=2 "$@"; do
    env_args+=(-e "$setting")
  done
  buildah run --isolation chroot --network host -v "$data:/data" "${env_args[@]}" \
    "$container" -- "${entrypoint[@]}" >"$server_log" 2>&1 &
  server_runner=$!
  runners+=("$server_runner")
  wait_listening
}

# http_code PATH: the status code the image's own curl gets for GET PATH (through localhost, as
# in the runbook's kubectl exec ... curl).
http_code() {
  in_image curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "http://localhost:$server_port$1" || true
}

# Checks of a running ticketsd: probes, the catalogue, the user it runs as.
probe_server() {
  local what="$1" body
  check "$what: /readiness 200 through the image's curl" test "$(http_code /readiness)" = 200
  check "$what: /healthz 200 through the image's curl" test "$(http_code /healthz)" = 200
  body="$(in_image curl -sS --max-time 5 -w '\n%{content_type}' "http://localhost:$server_port/api/events" || true)"
  check "$what: GET /api/events answers JSON with events" /usr/bin/python3 -c '
import json, sys
body, _, content_type = sys.argv[1].rpartition("\n")
assert content_type.startswith("application/json"), content_type
events = json.loads(body)["events"]
assert isinstance(events, list) and events, "no events"' "$body"
  body="$(in_image curl -sS --max-time 5 -H 'Accept-Encoding: gzip' -D - -o /dev/null "http://localhost:$server_port/events/1" || true)"
  check "$what: the web app at / (its routes get index.html, with the CSP)" /usr/bin/python3 -c '
import sys
head = sys.argv[1].lower()
assert head.startswith("http/1.1 200"), head[:40]
assert "content-type: text/html" in head, head
assert "content-security-policy: default-src '"'"'self'"'"'" in head, head' "$body"
  check "$what: the process runs as uid $image_uid" \
    grep -Eq "^Uid:\s+$image_uid\s+$image_uid\s+$image_uid\s+$image_uid$" "/proc/$server_pid/status"
  check "$what: its socket belongs to uid $image_uid" \
    bash -c 'ss -Hltne "sport = :$0" | grep -q "uid:$1 "' "$server_port" "$image_uid"
}

# SIGTERM, as the kubelet sends it to the container's process: readiness turns 503 during the
# drain, then the process exits 0.
stop_server() {
  local what="$1" deadline status=0
  kill -TERM "$server_pid"
  check "$what: /readiness 503 while draining after SIGTERM" test "$(http_code /readiness)" = 503
  deadline=$((SECONDS + 30))
  while kill -0 "$server_runner" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.2; done
  if kill -0 "$server_runner" 2>/dev/null; then
    failed "$what: ticketsd still running 30 s after SIGTERM"
    return
  fi
  wait "$server_runner" || status=$?
  check "$what: exit status 0 after SIGTERM (was $status)" test "$status" -eq 0
  check "$what: logged its clean stop" grep -q '"msg":"stopped"' "$server_log"
}

# A data dir as the deployment gives it: owned by the service user.
data_dir() {
  mkdir -p "$work/$1"
  chown "$image_uid:$image_gid" "$work/$1"
  chmod 0700 "$work/$1"
  echo "$work/$1"
}

# SQLite on the data volume.
sqlite_data="$(data_dir sqlite-data)"
start_in_buildah sqlite "$sqlite_data" SEED_DEMO_DATA=true
probe_server sqlite
check "sqlite: the database is on the data volume" test -s "$sqlite_data/tickets.db"
stop_server sqlite

# PostgreSQL 15, the production database, started the way the suite starts it.
pg_url="$(bash tests/support/pg_cluster.sh start "$work/pg")"
start_in_buildah postgres "$(data_dir pg-data)" "DATABASE_URL=$pg_url" SEED_DEMO_DATA=true
probe_server postgres
stop_server postgres

# --- Read-only root filesystem -------------------------------------------------------------------
# buildah run cannot mount a container's root read-only (and fails when it is), so this part does
# what a runtime does for readOnlyRootFilesystem: in a mount namespace of its own, the image's root
# is bind-mounted read-only, the data dir and a tmpfs /tmp (the chart's emptyDirs) mounted on it,
# and the image's entrypoint is run in it (chroot) with the image's user, group and env.
new_container
ro_container="$container"
ro_root="$(buildah mount "$ro_container")"
mkdir -p "$work/jail"
# in_read_only_root DATA_DIR UID:GID ENV... -- COMMAND...: runs the image's COMMAND in the
# read-only root as UID:GID with the image's env plus ENV. env and chroot are this machine's; they
# exec, so the caller's child ends up being COMMAND itself.
in_read_only_root() {
  local data="$1" user="$2"
  shift 2
  local env_args=()
  while [[ "$1" != -- ]]; do env_args+=("$1"); shift; done
  shift
  unshare --mount --propagation private -- /bin/bash -euc '
    root="$1" jail="$2" data="$3"
    shift 3
    mount --bind "$root" "$jail"
    mount -o remount,bind,ro "$jail"
    mount -t proc proc "$jail/proc"
    mount --rbind /dev "$jail/dev"
    mount --bind "$data" "$jail/data"
    mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$jail/tmp"
    exec "$@"' \
    _ "$ro_root" "$work/jail" "$data" \
    /usr/bin/env -i "${image_env[@]}" "${env_args[@]}" \
    /usr/sbin/chroot --userspec="$user" --groups="${user#*:}" "$work/jail" "$@"
}
readonly_data="$(data_dir readonly-data)"
# As root, so that a refusal can only come from the mount, not from file permissions.
ro_probe="$(in_read_only_root "$readonly_data" 0:0 -- /bin/sh -c '
  for path in /probe /etc/probe /usr/bin/probe; do { echo x >"$path"; } 2>&1; done' || true)"
check "read-only root: / /etc /usr refuse writes even to root (Read-only file system)" \
  test "$(grep -c 'Read-only file system' <<<"$ro_probe")" -eq 3
volume_probe="$(in_read_only_root "$readonly_data" "$image_uid:$image_gid" -- /bin/sh -c '
  echo x >/data/probe && echo x >/tmp/probe && echo writable' 2>&1 || true)"
check "read-only root: /data and /tmp are writable by uid $image_uid ($volume_probe)" \
  test "$volume_probe" = writable
rm -f "$readonly_data/probe"

server_port="$(free_port)"
server_log="$work/readonly.log"
in_read_only_root "$readonly_data" "$image_uid:$image_gid" HOST=127.0.0.1 "PORT=$server_port" SHUTDOWN_DRAIN_SECONDS=2 \
  SEED_DEMO_DATA=true -- "${entrypoint[@]}" >"$server_log" 2>&1 &
server_runner=$!
runners+=("$server_runner")
wait_listening
probe_server read-only-root
basket_code="$(in_image curl -sS -o /dev/null -w '%{http_code}' --max-time 5 \
  -H 'Content-Type: application/json' -d '{"items":[{"ticket_type_id":1,"quantity":1}]}' \
  "http://localhost:$server_port/api/basket" || true)"
check "read-only root: a basket is written (POST /api/basket 201, was $basket_code)" \
  test "$basket_code" = 201
check "read-only root: the database is on the data volume" test -s "$readonly_data/tickets.db"
check "read-only root: no error logged" bash -c '! grep -q "\"level\":\"error\"" "$0"' "$server_log"
stop_server read-only-root

if ((failures > 0)); then
  echo "$failures check(s) failed" >&2
  exit 1
fi
echo "all checks passed: $ref"
