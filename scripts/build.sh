#!/usr/bin/env bash
# Configures and builds one flavour of the tree. Usage: scripts/build.sh release|test|asan|tsan
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:?usage: scripts/build.sh release|test|asan|tsan}"
jobs="$(nproc)"
case "$flavour" in
  # The shipped flags, the same as the test build's, so that the suite tests what ships; debug
  # information is split off when the image is made (scripts/image.sh).
  release) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo -DTICKETS_TESTS=OFF) ;;
  # Debug information of line tables only (-g1) compiles a fifth faster and makes the same code
  # (GCC's -g never changes code generation): stacks and profiles keep functions and lines.
  test) args=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O2 -g1 -DNDEBUG") ;;
  # clang, and instrumented for libFuzzer's coverage too, so that the same tree builds the fuzz
  # targets (fuzz/CMakeLists.txt says why -fno-sanitize=function).
  asan)
    # Line tables are all a sanitizer report needs.
    args=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -DTICKETS_SANITIZE=ON
      -DTICKETS_FUZZ=ON -DCMAKE_CXX_COMPILER=clang++
      "-DCMAKE_CXX_FLAGS=-fsanitize=fuzzer-no-link -fno-sanitize=function")
    ;;
  # -O1 keeps ThreadSanitizer's slowdown (and the suite's wall time) down; line tables give its
  # stacks.
  # clang: it builds this tree faster than GCC, and its instrumented tests run faster too.
  tsan)
    args=(-DCMAKE_BUILD_TYPE=Debug "-DCMAKE_CXX_FLAGS_DEBUG=-gline-tables-only -O1" -DTICKETS_TSAN=ON
      -DCMAKE_CXX_COMPILER=clang++)
    ;;
  *) echo "unknown flavour: $flavour" >&2; exit 2 ;;
esac

cmake -S . -B "build/$flavour" -DTICKETS_WERROR=ON "${args[@]}" >/dev/null
cmake --build "build/$flavour" -j"$jobs"
