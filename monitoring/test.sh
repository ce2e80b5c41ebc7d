#!/usr/bin/env bash
# Tests the monitoring package of ticketsd in one command:
#   promtool check rules and the promtool unit tests of every alert and recording rule,
#   amtool check-config of the Alertmanager example, the package lint (annotations, runbook
#   anchors, test coverage, routing, dashboards, deploy manifests), the PromQL checker and its
#   own tests, the generated kube-prometheus-stack files, and the dashboards' JSON.
#
# Usage: bash monitoring/test.sh [METRICS]
#   METRICS  a /metrics dump of ticketsd, or the URL of a running one
#            (default: the sample exposition monitoring/testdata/metrics.txt)
#
# Installs the Debian packages it needs if they are missing (prometheus for promtool,
# prometheus-alertmanager for amtool, python3-yaml). It starts no server.
set -uo pipefail

cd "$(dirname "$0")/.."
PY=/usr/bin/python3
METRICS=${1:-monitoring/testdata/metrics.txt}

ensure_packages() {
  local missing=() p
  for p in prometheus prometheus-alertmanager python3-yaml; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  ((${#missing[@]} == 0)) && return 0
  local sudo=""
  [[ $(id -u) -ne 0 ]] && sudo="sudo"
  echo "monitoring: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $sudo apt-get update -qq || return 1
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null || return 1
  # On a systemd host the packages start their daemons; these tests need none of them.
  if [[ -d /run/systemd/system ]]; then
    for p in prometheus prometheus-alertmanager; do
      if [[ " ${missing[*]} " == *" $p "* ]] && systemctl is-active --quiet "$p"; then
        $sudo systemctl disable --now "$p" >/dev/null 2>&1 || true
      fi
    done
  fi
}

if ! ensure_packages; then
  echo "monitoring: could not install the packages the tests need"
  echo "monitoring: 0 passed, 1 failed"
  exit 1
fi

passed=0
failed=0
step() {
  local name=$1 out
  shift
  if out=$("$@" 2>&1); then
    passed=$((passed + 1))
    echo "ok   $name"
  else
    failed=$((failed + 1))
    echo "FAIL $name"
    printf '%s\n' "$out" | sed 's/^/       /'
  fi
}

if [[ $METRICS =~ ^https?:// ]]; then
  metrics_arg=(--metrics-url "$METRICS")
else
  metrics_arg=(--metrics-file "$METRICS")
fi

step "promtool check rules monitoring/rules/*.yml" promtool check rules monitoring/rules/*.yml
for t in monitoring/tests/*.yml; do
  step "promtool test rules $t" nice -n 10 promtool test rules "$t"
done
step "amtool check-config monitoring/alertmanager/alertmanager.yml" \
  amtool check-config monitoring/alertmanager/alertmanager.yml
step "lint: alerts, test coverage, routing, dashboards, deploy" $PY monitoring/lint.py
step "check_promql.py unit tests" $PY monitoring/check_promql_test.py
step "check_promql.py against $METRICS" $PY monitoring/check_promql.py "${metrics_arg[@]}"
step "generated deploy/monitoring files are up to date" $PY monitoring/generate.py --check
for d in monitoring/dashboards/*.json; do
  step "valid JSON: $d" $PY -m json.tool "$d"
done

echo "monitoring: $passed passed, $failed failed"
((failed == 0))
