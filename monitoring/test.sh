#!/usr/bin/env bash
# Tests the monitoring package of ticketsd in one command:
#   promtool check rules and the promtool unit tests of every alert and recording rule,
#   amtool check-config of the Alertmanager example, the package lint (annotations, runbook
#   anchors, test coverage, routing, dashboards, deploy manifests), the PromQL checker and its
#   own tests, the generated kube-prometheus-stack files, and the dashboards' JSON.
#   With --ticketsd also the end-to-end test (monitoring/e2e/e2e_test.py): that binary, a real
#   Prometheus and a real Alertmanager on 127.0.0.1, faults injected, rules and alerts checked
#   through their APIs, and check_promql.py against the binary's live /metrics.
#
# Usage: bash monitoring/test.sh [--ticketsd TICKETSD] [METRICS]
#   METRICS    a /metrics dump of ticketsd, or the URL of a running one
#              (default: the sample exposition monitoring/testdata/metrics.txt)
#   TICKETSD   a built ticketsd binary (e.g. build/src/ticketsd): also run the end-to-end test
#              (about a minute)
#
# Installs the Debian packages it needs if they are missing (prometheus for promtool,
# prometheus-alertmanager for amtool, python3-yaml). Without --ticketsd it starts no server;
# the end-to-end test stops everything it starts.
set -uo pipefail

TICKETSD=""
METRICS=""
while (($# > 0)); do
  case $1 in
    --ticketsd)
      if (($# < 2)); then
        echo "monitoring: --ticketsd needs the path of a ticketsd binary"
        exit 2
      fi
      TICKETSD=$2
      shift 2
      ;;
    --ticketsd=*)
      TICKETSD=${1#--ticketsd=}
      shift
      ;;
    *)
      METRICS=$1
      shift
      ;;
  esac
done
# The binary's path is taken relative to where the script was called from.
if [[ -n $TICKETSD && $TICKETSD != /* ]]; then
  TICKETSD=$PWD/$TICKETSD
fi

cd "$(dirname "$0")/.."
PY=/usr/bin/python3
METRICS=${METRICS:-monitoring/testdata/metrics.txt}

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

# The end-to-end test prints its progress as it goes (indented) and counts as one step.
if [[ -n $TICKETSD ]]; then
  echo "---- end-to-end test with $TICKETSD (about a minute)"
  if $PY monitoring/e2e/e2e_test.py "$TICKETSD" 2>&1 | sed -u 's/^/       /'; then
    passed=$((passed + 1))
    echo "ok   e2e: ticketsd, Prometheus, Alertmanager: recording rules, alerts, webhook"
  else
    failed=$((failed + 1))
    echo "FAIL e2e: ticketsd, Prometheus, Alertmanager: recording rules, alerts, webhook"
  fi
fi

echo "monitoring: $passed passed, $failed failed"
((failed == 0))
