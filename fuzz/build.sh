#!/usr/bin/env bash
# Configures (idempotent) and builds the fuzz targets in build/fuzz with clang, libFuzzer,
# AddressSanitizer and UndefinedBehaviorSanitizer; prints the target names, one a line.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build/fuzz
# -fno-sanitize=function: clang 14 cannot compile coroutines with it (llvm/llvm-project#49689).
flags="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=function"
flags+=" -fno-sanitize-recover=undefined"
CC=clang CXX=clang++ cmake -S . -B "$build" -DTICKETS_FUZZ=ON -DTICKETS_TESTS=OFF \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS="$flags" >/dev/null
nice -n 10 cmake --build "$build" --target fuzz_all -j"${FUZZ_BUILD_JOBS:-2}" >&2
cat "$build/fuzz/targets.txt"
