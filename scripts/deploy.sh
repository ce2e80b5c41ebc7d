#!/usr/bin/env bash
# Deploys ticketsd to a cluster the way the runbook does (`helm upgrade backend ...
# --set image.tag=sha-<sha>`), after asking the error-budget gate (`ticketsctl budget`).
#
# Usage: scripts/deploy.sh [--env dev|prod] [--sha SHA] [--emergency "REASON"] [--dry-run]
#                          [--budget-namespace NS] [-- EXTRA HELM ARGS...]
#
#   --env               dev (default) or prod: namespace tickets-<env>, values-<env>.yaml
#   --sha               the image's git sha (default: HEAD's short sha); tag sha-<sha>
#   --emergency REASON  deploy even when the gate blocks: a fix for the cause of the burn or a
#                       rollback (policy: docs/error-budgets.md#policy). The reason is printed.
#   --budget-namespace  whose budget gates the deploy (default: the target namespace)
#   --dry-run           ask the gate and print the helm command, run nothing
#
# Environment: PROMETHEUS_URL (default http://localhost:9090, e.g. after `kubectl -n monitoring
# port-forward svc/kube-prometheus-stack-prometheus 9090:9090`); TICKETSCTL (default
# build/release/src/ticketsctl, else ticketsctl on PATH); AWS_ACCOUNT_ID (optional: overrides
# aws.accountId of the values file).
#
# Exit status: 0 deployed (or dry run), 3 refused by the gate, 2 usage, else helm's.
set -euo pipefail
cd "$(dirname "$0")/.."

env_name=dev
sha=""
emergency=""
dry_run=false
budget_namespace=""
extra=()
while (($# > 0)); do
  case $1 in
    --env) env_name=${2:?--env needs dev or prod}; shift 2 ;;
    --sha) sha=${2:?--sha needs a git sha}; shift 2 ;;
    --emergency) emergency=${2:-}; shift 2 || { echo "deploy: --emergency needs a reason" >&2; exit 2; } ;;
    --budget-namespace) budget_namespace=${2:?--budget-namespace needs a namespace}; shift 2 ;;
    --dry-run) dry_run=true; shift ;;
    --) shift; extra=("$@"); break ;;
    -h|--help) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "deploy: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done

case $env_name in
  dev|prod) ;;
  *) echo "deploy: --env must be dev or prod" >&2; exit 2 ;;
esac
if [[ -z $sha ]]; then
  sha=$(git rev-parse --short HEAD)
fi
if ! [[ $sha =~ ^[0-9a-f]{7,40}$ ]]; then
  echo "deploy: --sha must be a git sha (7 to 40 hex digits), not '$sha'" >&2
  exit 2
fi
if [[ -n $emergency && ${#emergency} -lt 10 ]]; then
  echo "deploy: --emergency needs a reason people can read later (10 characters at least)" >&2
  exit 2
fi
namespace="tickets-$env_name"
budget_namespace=${budget_namespace:-$namespace}

ticketsctl=${TICKETSCTL:-}
if [[ -z $ticketsctl ]]; then
  if [[ -x build/release/src/ticketsctl ]]; then
    ticketsctl=build/release/src/ticketsctl
  elif command -v ticketsctl >/dev/null; then
    ticketsctl=ticketsctl
  else
    echo "deploy: ticketsctl not found: run 'bash scripts/build.sh release' or set TICKETSCTL" >&2
    exit 2
  fi
fi

echo "deploy: asking the error-budget gate about $budget_namespace"
gate=0
"$ticketsctl" budget --namespace "$budget_namespace" \
  --prometheus "${PROMETHEUS_URL:-http://localhost:9090}" || gate=$?
case $gate in
  0) echo "deploy: the gate allows the deploy" ;;
  3|4)
    if [[ -z $emergency ]]; then
      if ((gate == 3)); then
        echo "deploy: REFUSED: the error-budget policy blocks deploys now (see above)." >&2
      else
        echo "deploy: REFUSED: the remaining budget could not be read, so it cannot be shown to allow a deploy." >&2
      fi
      echo "deploy: a fix for the cause of the burn or a rollback may go with --emergency \"REASON\"." >&2
      exit 3
    fi
    echo "deploy: EMERGENCY deploy past the gate: $emergency" >&2
    ;;
  *) echo "deploy: ticketsctl failed (exit $gate)" >&2; exit "$gate" ;;
esac

helm_args=(upgrade backend deploy/helm/backend
  -n "$namespace"
  -f "deploy/helm/backend/values-$env_name.yaml"
  --set "image.tag=sha-$sha")
if [[ -n ${AWS_ACCOUNT_ID:-} ]]; then
  helm_args+=(--set-string "aws.accountId=$AWS_ACCOUNT_ID")
fi
helm_args+=("${extra[@]}")

echo "deploy: helm ${helm_args[*]}"
if $dry_run; then
  exit 0
fi
helm "${helm_args[@]}"
echo "deploy: watch it with: kubectl -n $namespace rollout status deployment/backend"
