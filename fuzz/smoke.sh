#!/usr/bin/env bash
# The fuzz targets as a test: builds them (fuzz/build.sh), runs every input of
# fuzz/regressions/<target>/ once (each must pass), then fuzzes each target for about SECONDS
# (default 20) from its seed corpus and regressions. Fails on any crash, leak, UBSan report or
# failed property.
# New inputs go to a temporary directory, never to the committed corpus.
# Usage: fuzz/smoke.sh [SECONDS_PER_TARGET]
set -euo pipefail
cd "$(dirname "$0")/.."
source fuzz/lib.sh

seconds="${1:-20}"
mapfile -t targets < <(fuzz/build.sh)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

failed=()
total=0
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/new"
  if [[ ! -d "fuzz/corpus/$target" ]]; then
    echo "$target: no seed corpus in fuzz/corpus/$target"
    failed+=("$target (no seed corpus)")
    continue
  fi
  if ! run_regressions "$target" "$work/$target/regressions.log"; then
    echo "$target: a regression input fails:"
    grep -E '^Running:|==fuzz==|ERROR:|runtime error|SUMMARY' "$work/$target/regressions.log" | tail -n 20
    failed+=("$target (regression)")
    continue
  fi
  corpora=("fuzz/corpus/$target")
  if [[ -d "fuzz/regressions/$target" ]]; then
    corpora+=("fuzz/regressions/$target")
  fi
  mapfile -t options < <(fuzz_options "$target")
  log="$work/$target/fuzz.log"
  status=0
  nice -n 10 "$build_dir/fuzz_$target" "$work/$target/new" "${corpora[@]}" "${options[@]}" \
    -max_total_time="$seconds" -artifact_prefix="$work/$target/" >"$log" 2>&1 || status=$?
  n=$(executions "$log")
  total=$((total + n))
  if ((status != 0)) || grep -q 'runtime error:' "$log"; then
    echo "$target: FAILED after $n executions (exit $status):"
    grep -E '==fuzz==|ERROR:|runtime error|SUMMARY|Test unit written' "$log" | tail -n 20
    failed+=("$target")
  else
    echo "$target: $n executions, no crash"
  fi
done

echo "total: $total executions"
if ((${#failed[@]} > 0)); then
  echo "fuzz smoke FAILED: ${failed[*]}"
  echo "(to reproduce: $build_dir/fuzz_<target> <input>; keep each crash input in fuzz/regressions/<target>/)"
  exit 1
fi
echo "fuzz smoke passed"
