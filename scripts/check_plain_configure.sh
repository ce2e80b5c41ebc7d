#!/usr/bin/env bash
# A standard configure of the project (no preset, no project options) must be quiet and must not
# turn warnings into errors: `cmake -S . -B b -DCMAKE_BUILD_TYPE=Release && cmake --build b` is
# what anyone packaging it runs, with whatever compiler version they have. Warnings are errors
# only in the project's own builds (scripts/build.sh, CMakePresets.json: TICKETS_WERROR=ON).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=Release >"$dir/configure.log" 2>&1
if grep -q "CMake Warning" "$dir/configure.log"; then
  echo "a plain configure warns:"
  cat "$dir/configure.log"
  exit 1
fi
if grep -q -- "-Werror" "$dir/compile_commands.json"; then
  echo "a plain configure builds with -Werror"
  exit 1
fi
echo "plain configure: quiet, warnings not errors"
