#!/usr/bin/env bash
# The whole test suite: formatting, the unit and integration tests (against the real ticketsd
# binary) in an optimised build, again under AddressSanitizer + UndefinedBehaviorSanitizer and
# again under ThreadSanitizer, a short run of every libFuzzer target, then the monitoring package (promtool rule tests, dashboards,
# and an end-to-end run of ticketsd with a real Prometheus and Alertmanager). Installs what is
# missing; idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$SECONDS
step() { printf '\n== %s (%ds)\n' "$1" $((SECONDS - started)); }

step "install"
bash scripts/setup.sh --test

step "format"
bash scripts/check_format.sh

step "plain configure (quiet, warnings not errors)"
bash scripts/check_plain_configure.sh

step "build (RelWithDebInfo)"
bash scripts/build.sh test

step "tests"
# Every response the integration tests receive is logged, for the API document's check below.
responses="$PWD/build/test/api-responses.jsonl"
rm -f "$responses"
(cd build/test && TICKETS_RESPONSE_LOG="$responses" ctest --output-on-failure --timeout 300 -j2)

step "API document (OpenAPI 3.1: valid, every response above matches it, web types current)"
bash tests/openapi/test.sh --log "$responses"

step "web app (typecheck, build, bundle budget, journeys in Chromium against ticketsd)"
bash web/test.sh build/test/src/ticketsd

step "k6 scenarios (typechecked against @types/k6; each journey once against ticketsd, without k6)"
bash loadtest/test.sh build/test/src/ticketsd

step "container image (built from Debian packages, run with buildah on SQLite and PostgreSQL)"
# The test build is compiled with the release flags (RelWithDebInfo); the image strips it.
bash deploy/image/test.sh --binary build/test/src/ticketsd

step "build (ASan + UBSan, clang; the libFuzzer targets too)"
bash scripts/build.sh asan

step "tests under ASan + UBSan"
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
(cd build/asan && ctest --output-on-failure --timeout 300 -j2)

step "build (TSan)"
bash scripts/build.sh tsan

step "tests under TSan"
# ticketsd, started by the integration tests, writes its reports to files (tests/tsan_options.cc).
tsan_reports=build/tsan/tsan-reports
rm -rf "$tsan_reports" && mkdir -p "$tsan_reports"
tsan_status=0
(cd build/tsan && TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1" \
  ctest --output-on-failure --timeout 300 -j2) || tsan_status=$?
if compgen -G "$tsan_reports/*" >/dev/null; then
  echo "ThreadSanitizer reports from ticketsd:"
  cat "$tsan_reports"/*
  tsan_status=1
fi
((tsan_status == 0))

step "fuzz (libFuzzer, ASan + UBSan, about 8 s a target; fuzz/run.sh MINUTES for a campaign)"
# The targets were built with the ASan + UBSan tree above.
FUZZ_BUILD_DIR=build/asan bash fuzz/smoke.sh 8

step "monitoring"
bash monitoring/test.sh --ticketsd build/test/src/ticketsd

step "runbook drill (database saturation, short: two replicas behind nginx, PostgreSQL, Prometheus, Alertmanager)"
# drills/run.sh all runs the five; drills/run.sh selfcheck shows that a drill fails without its fix.
bash drills/run.sh --short db_saturation

step "Helm chart (rendered with Helm's template semantics, validated against Kubernetes v1.32)"
bash deploy/helm/test.sh

step "Terraform (parsed with HashiCorp's HCL parser, references and runbook names checked)"
bash infra/test.sh

step "migrations (expand, then contract)"
python3 scripts/check_migrations_test.py
python3 scripts/check_migrations.py

step "done"
