#!/usr/bin/env bash
# The API document against the server: the document is valid OpenAPI 3.1, the validator fails on
# crafted mismatches, the web app's generated types are current, and every response the
# integration suite receives matches the document.
#
#   bash tests/openapi/test.sh BUILD_DIR     (BUILD_DIR holds tests/integration_tests, e.g. build/test)
#   bash tests/openapi/test.sh --log FILE    (the responses of a run that already happened with
#                                             TICKETS_RESPONSE_LOG=FILE, as scripts/test.sh does)
set -euo pipefail

usage() { echo "usage: $0 TICKETSD_BUILD_DIR | --log RESPONSE_LOG" >&2; exit 2; }
build="" given_log=""
case "${1:-}" in
  --log) [[ $# -eq 2 ]] || usage; given_log=$(realpath "$2") ;;
  "") usage ;;
  *) [[ $# -eq 1 ]] || usage; build=$(cd "$1" && pwd) ;;
esac
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"

if [[ -n $build && ! -x "$build/tests/integration_tests" ]]; then
  echo "no $build/tests/integration_tests: build the target integration_tests first" >&2
  exit 2
fi
if [[ -n $given_log && ! -s $given_log ]]; then
  echo "no responses in $given_log" >&2
  exit 1
fi

bash "$here/../../scripts/npm_ci.sh" "$here"

status=0
echo "== validator self-test"
node --test selftest.test.mjs || status=1

echo "== generated web types"
node check-gen.mjs || status=1

if [[ -n $given_log ]]; then
  log=$given_log
else
  echo "== integration suite with every response logged"
  log=$(mktemp "${TMPDIR:-/tmp}/tickets-responses.XXXXXX")
  trap 'rm -f "$log"' EXIT
  # Bounded: the suite takes a few minutes on two cores.
  if ! TICKETS_RESPONSE_LOG=$log timeout --kill-after=30 1200 "$build/tests/integration_tests" --gtest_brief=1; then
    echo "integration tests failed (their responses are still checked below)"
    status=1
  fi
fi

echo "== responses against the document"
node validate.mjs "$log" || status=1

if [[ $status -eq 0 ]]; then
  echo "openapi: all checks passed"
else
  echo "openapi: FAILED"
fi
exit $status
