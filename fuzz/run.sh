#!/usr/bin/env bash
# A fuzzing campaign: builds the targets (fuzz/build.sh) and fuzzes them one after the other,
# sharing MINUTES between them, in libFuzzer's fork mode so that a crash does not end a target's
# share. fuzz/corpus/<target>/ then holds its hand-written seeds and the smallest set of inputs
# (-merge=1) that covers what the old corpus and the campaign reached; one input per
# distinct crash (the smallest, by its property or sanitizer summary) is copied to
# fuzz/regressions/<target>/ (commit it with the fix), and every crash input of the campaign is
# left in build/fuzz/artifacts/<target>/ for triage. Prints executions per target and in total.
# Usage: fuzz/run.sh MINUTES [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
source fuzz/lib.sh

minutes="${1:?usage: fuzz/run.sh MINUTES [TARGET...]}"
shift
mapfile -t built < <(fuzz/build.sh)
targets=("${@:-${built[@]}}")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# What distinguishes the crash of input $2 of target $1: the failed property or the sanitizer's
# summary line.
signature() {
  local line
  line=$({ "$build_dir/fuzz_$1" "$2" 2>&1 || true; } | grep -m 1 -E '==fuzz== property failed|^SUMMARY:')
  echo "${line:-unknown}"
}

share=$((minutes * 60 / ${#targets[@]}))
if ((share < 1)); then
  echo "run.sh: $minutes minutes is too little for ${#targets[@]} targets" >&2
  exit 2
fi
total=0
summary=()
for target in "${targets[@]}"; do
  mkdir -p "$work/$target/new" "$work/$target/artifacts" "fuzz/corpus/$target"
  corpora=("fuzz/corpus/$target")
  if [[ -d "fuzz/regressions/$target" ]]; then
    corpora+=("fuzz/regressions/$target")
  fi
  mapfile -t options < <(fuzz_options "$target")
  log="$work/$target/fuzz.log"
  nice -n 10 "$build_dir/fuzz_$target" "$work/$target/new" "${corpora[@]}" "${options[@]}" \
    -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 -max_total_time="$share" \
    -artifact_prefix="$work/$target/artifacts/" >"$log" 2>&1 || true
  last=$(grep -E '^#[0-9]+: cov:' "$log" | tail -n 1)
  executed=$(sed -E 's/^#([0-9]+):.*/\1/' <<<"${last:-#0:}")
  crashes=$(sed -nE 's#.*oom/timeout/crash: ([0-9]+/[0-9]+/[0-9]+).*#\1#p' <<<"$last")

  declare -A seen=()
  if [[ -d "fuzz/regressions/$target" ]]; then
    for kept in "fuzz/regressions/$target"/*; do
      [[ -f "$kept" ]] && seen["$(signature "$target" "$kept")"]=1
    done
  fi
  kept=0
  while read -r artifact; do
    sig=$(signature "$target" "$artifact")
    [[ -n "${seen[$sig]:-}" ]] && continue
    seen["$sig"]=1
    mkdir -p "fuzz/regressions/$target"
    cp "$artifact" "fuzz/regressions/$target/"
    kept=$((kept + 1))
    echo "$target: new crash, kept fuzz/regressions/$target/$(basename "$artifact"): $sig"
  done < <(find "$work/$target/artifacts" -type f -printf '%s %p\n' | sort -n | cut -d' ' -f2-)
  unset seen
  if [[ -n "$(ls -A "$work/$target/artifacts")" ]]; then
    mkdir -p "build/fuzz/artifacts/$target"
    cp "$work/$target/artifacts"/* "build/fuzz/artifacts/$target/"
  fi

  before=$(find "fuzz/corpus/$target" -type f | wc -l)
  minimize_corpus "$target" "$work/$target/new"
  added=$(($(find "fuzz/corpus/$target" -type f | wc -l) - before))
  total=$((total + executed))
  summary+=("$(printf '%-14s %12d executions %+5d corpus entries  oom/timeout/crash %s  %d new crash kinds' \
    "$target" "$executed" "$added" "${crashes:-0/0/0}" "$kept")")
done

printf '%s\n' "${summary[@]}"
echo "total: $total executions in $((SECONDS / 60)) minutes"
