#!/usr/bin/env bash
# Configures (idempotent) and builds the fuzz targets in build/fuzz with the `fuzz` preset of
# CMakePresets.json (clang, libFuzzer, AddressSanitizer, UndefinedBehaviorSanitizer, warnings as
# errors); prints the target names, one a line.
set -euo pipefail
cd "$(dirname "$0")/.."

cmake --preset fuzz >/dev/null
nice -n 10 cmake --build build/fuzz --target fuzz_all -j"${FUZZ_BUILD_JOBS:-2}" >&2
cat build/fuzz/fuzz/targets.txt
