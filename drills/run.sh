#!/usr/bin/env bash
# Runs the runbook drills (drills/README.md).
#
# Usage: drills/run.sh all|NAME... [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]
#        drills/run.sh selfcheck [NAME...] [--ticketsd PATH]
#
#   NAME        latency, fast_burn, db_saturation, crash_loop, rollback; all: the five in turn
#   --ticketsd  the ticketsd to drill (default build/test/src/ticketsd; ticketsctl beside it)
#   --short     shorter baseline and bounds, for the test suite: `drills/run.sh --short db_saturation`
#   --no-fix    skip each drill's resolution step: every drill must then FAIL
#   --keep-tmp  keep each drill's temporary directory (logs, configurations)
#   selfcheck   runs the drills (default: db_saturation, the quickest) with --short --no-fix and
#               passes only if each of them fails, i.e. a drill cannot pass without its fix
#
# Exit status: 0 when every drill passed (selfcheck: when every drill failed as it must), 1 else,
# 2 usage.
set -uo pipefail
cd "$(dirname "$0")/.."

all=(latency fast_burn db_saturation crash_loop rollback)
names=()
opts=()
ticketsd=build/test/src/ticketsd
selfcheck=false
while (($# > 0)); do
  case $1 in
    --ticketsd) ticketsd=${2:?--ticketsd needs a path}; shift 2 ;;
    --short|--no-fix|--keep-tmp) opts+=("$1"); shift ;;
    all) names+=("${all[@]}"); shift ;;
    selfcheck) selfcheck=true; shift ;;
    -h|--help) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "drills: unknown option $1 (see --help)" >&2; exit 2 ;;
    *)
      if [[ ! -f drills/$1.py ]]; then
        echo "drills: no drill named $1 (${all[*]})" >&2
        exit 2
      fi
      names+=("$1"); shift ;;
  esac
done
if $selfcheck; then
  ((${#names[@]} > 0)) || names=(db_saturation)
  opts=(--short --no-fix)
fi
if ((${#names[@]} == 0)); then
  echo "drills: name a drill, or all (see --help)" >&2
  exit 2
fi

# Ctrl-C reaches the running drill too, which stops what it started; then stop here.
trap 'echo "drills: interrupted"; exit 130' INT TERM

summary=()
failed=0
for name in "${names[@]}"; do
  echo "=== drill $name ${opts[*]}"
  start=$SECONDS
  /usr/bin/python3 "drills/$name.py" --ticketsd "$ticketsd" "${opts[@]}"
  rc=$?
  took=$((SECONDS - start))
  if $selfcheck; then
    if ((rc == 1)); then
      summary+=("ok    $name --no-fix failed as it must (${took} s)")
    else
      summary+=("FAIL  $name --no-fix exited $rc: the drill passes without its fix (${took} s)")
      failed=1
    fi
  elif ((rc == 0)); then
    summary+=("ok    $name (${took} s)")
  else
    summary+=("FAIL  $name exited $rc (${took} s)")
    failed=1
  fi
done
echo "=== drills:"
printf '  %s\n' "${summary[@]}"
exit $failed
