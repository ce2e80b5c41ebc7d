# Shared by fuzz/smoke.sh and fuzz/run.sh (sourced, from the repository root).

build_dir="${FUZZ_BUILD_DIR:-build/fuzz}/fuzz"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:strict_string_checks=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"

# The libFuzzer options every run of target $1 gets.
fuzz_options() {
  local opts=(-print_final_stats=1 -timeout=10 -rss_limit_mb=2048)
  if [[ -f "fuzz/dict/$1.dict" ]]; then
    opts+=("-dict=fuzz/dict/$1.dict")
  fi
  printf '%s\n' "${opts[@]}"
}

# Executions reported in libFuzzer log $1 (0 if none).
executions() {
  local n
  n=$(sed -n 's/^stat::number_of_executed_units: *//p' "$1" | tail -n 1)
  echo "${n:-0}"
}

# Runs every input of fuzz/regressions/$1/ once; log in $2. Fails if any crashes.
run_regressions() {
  local target=$1 log=$2 inputs=()
  if [[ -d "fuzz/regressions/$target" ]]; then
    mapfile -t inputs < <(find "fuzz/regressions/$target" -type f ! -name '.*' | sort)
  fi
  if ((${#inputs[@]} == 0)); then
    : >"$log"
    return 0
  fi
  nice -n 10 "$build_dir/fuzz_$target" "${inputs[@]}" >"$log" 2>&1
}

# Makes fuzz/corpus/$1/ its hand-written seeds (named) plus the smallest set of inputs (named by
# their SHA-1) that keeps the coverage of the corpus and of the inputs in directory $2 (optional);
# -use_counters=0: edges, not hit counts, decide what is kept, so that the set stays small.
minimize_corpus() {
  local target=$1 corpus="fuzz/corpus/$1" min seeds input
  min=$(mktemp -d)
  if ! nice -n 10 "$build_dir/fuzz_$target" -merge=1 -use_counters=0 "$min" "$corpus" ${2:+"$2"} \
    >"$min.log" 2>&1; then
    echo "$target: warning: merge failed, corpus unchanged (log: $min.log)"
    rm -rf "$min"
    return 0
  fi
  seeds=$(find "$corpus" -type f -regextype posix-extended ! -regex '.*/[0-9a-f]{40}' \
    -exec sha1sum {} + | cut -d' ' -f1)
  find "$corpus" -type f -regextype posix-extended -regex '.*/[0-9a-f]{40}' -delete
  for input in "$min"/*; do
    [[ -e "$input" ]] || continue
    grep -qx "$(basename "$input")" <<<"$seeds" || cp "$input" "$corpus/"
  done
  rm -rf "$min" "$min.log"
}

