#!/usr/bin/env bash
# Configures (idempotent) and builds the fuzz targets in build/fuzz with the `fuzz` preset of
# CMakePresets.json (clang, libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer, warnings as
# errors); prints the target names, one a line.
# With FUZZ_BUILD_DIR set, builds them in that tree instead, which must be configured with
# TICKETS_FUZZ=ON already: the suite uses its ASan + UBSan build (scripts/build.sh asan), which
# is compiled with clang and the fuzzer's coverage flags for this, so that it is not built twice.
set -euo pipefail
cd "$(dirname "$0")/.."

dir="${FUZZ_BUILD_DIR:-build/fuzz}"
if [[ -z "${FUZZ_BUILD_DIR:-}" ]]; then
  cmake --preset fuzz >/dev/null
elif [[ ! -f "$dir/fuzz/targets.txt" ]]; then
  echo "$dir is not configured with TICKETS_FUZZ=ON" >&2
  exit 2
fi
nice -n 10 cmake --build "$dir" --target fuzz_all -j"${FUZZ_BUILD_JOBS:-2}" >&2
cat "$dir/fuzz/targets.txt"
