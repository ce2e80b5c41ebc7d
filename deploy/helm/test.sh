#!/usr/bin/env bash
# Tests of the backend chart: renders it (deploy/helm/render, Helm's template semantics) with
# the dev, prod and default values, once with the load-test Job on and with online payment and
# mail on (together and each alone), validates every object
# against the Kubernetes v1.32 API schemas (tests/validate.mjs), checks what the runbook and the
# monitoring package rely on (tests/checks.mjs) and what the Job needs, and proves that bad
# values and invalid objects are refused.
# Needs golang-go, golang-github-masterminds-sprig-dev, golang-github-xeipuuv-gojsonschema-dev,
# golang-github-ghodss-yaml-dev, nodejs/npm and python3-yaml; installs the npm packages of
# tests/ with `npm ci` when they are missing. Ends with `helm: N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")"
root=$(cd ../.. && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "ok   $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() { echo "helm: $passed passed, $failed failed"; exit $((failed > 0)); }

if [[ ! -d tests/node_modules/@kubernetes/client-node ]] || [[ tests/package-lock.json -nt tests/node_modules/.package-lock.json ]]; then
  (cd tests && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || { fail "npm ci in deploy/helm/tests"; finish; }
fi
export GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS= GOCACHE="${GOCACHE:-$tmp/gocache}"
if timeout 300 nice go build -o "$tmp/render" ./render; then pass "renderer builds"; else fail "renderer builds"; finish; fi
render() { timeout 60 "$tmp/render" backend backend "$@"; }

sha=$(git -C "$root" rev-parse --short=7 HEAD 2>/dev/null || echo 0123abc)
tag="sha-$sha"
# The deploy command of the runbook (Option C), nothing else.
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" >"$tmp/dev.yaml" &&
  pass "dev renders with -f values-dev.yaml --set image.tag=$tag" || fail "dev renders"
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" --is-upgrade --revision 4 >"$tmp/dev-upgrade.yaml" &&
  cmp -s "$tmp/dev.yaml" "$tmp/dev-upgrade.yaml" && pass "an upgrade renders the same objects" || fail "upgrade render"
render -n tickets-prod -f backend/values-prod.yaml --set image.tag="$tag" >"$tmp/prod.yaml" &&
  pass "prod renders" || fail "prod renders"
render -n tickets-dev --set image.tag="$tag" --set-string aws.accountId=123456789012 >"$tmp/defaults.yaml" &&
  pass "defaults render with a tag and an account" || fail "defaults render"

# The load-test Job (loadtest/README.md), rendered once: onsale with an admin token's Secret.
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" --set loadtest.enabled=true \
  --set loadtest.scenario=onsale --set loadtest.adminTokenSecret.name=tickets-admin \
  --set-string loadtest.env.ARRIVAL_RATE=50 >"$tmp/loadtest.yaml" &&
  pass "loadtest.enabled=true renders (scenario onsale)" || fail "loadtest.enabled=true renders"

# Online payment and mail (values.yaml: publicBaseUrl, payments, mail): both on with mail's
# defaults, payments alone, and mail alone with its own key, port and CIDR.
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" \
  --set publicBaseUrl=https://tickets.example.com --set payments.stripe.secretName=backend-stripe \
  --set mail.smtpSecretName=backend-smtp --set mail.from=tickets@example.com >"$tmp/payments-mail.yaml" &&
  pass "payments and mail on render" || fail "payments and mail on render"
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" \
  --set publicBaseUrl=https://tickets.example.com --set payments.stripe.secretName=backend-stripe >"$tmp/payments.yaml" &&
  pass "payments alone renders" || fail "payments alone renders"
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" --set publicBaseUrl=https://tickets.example.org/ \
  --set mail.smtpSecretName=tickets-mail,mail.smtpSecretKey=url,mail.from=shop@tickets.example.org \
  --set mail.smtpPort=465,mail.smtpCidr=203.0.113.0/24 >"$tmp/mail.yaml" &&
  pass "mail alone renders (key url, port 465, a CIDR)" || fail "mail alone renders"

if node tests/validate.mjs "$tmp/dev.yaml" "$tmp/prod.yaml" "$tmp/defaults.yaml" "$tmp/loadtest.yaml" \
  "$tmp/payments-mail.yaml" "$tmp/payments.yaml" "$tmp/mail.yaml"; then pass "every object valid (Kubernetes v1.32)"; else fail "schema validation"; fi

# Off by default; on, a Job that runs the scenario with the pinned k6 against the Service, the
# scripts from the ConfigMap in the layout their imports need, and nothing else changed but the
# NetworkPolicy's rule that admits it.
node --input-type=module - "$tmp" >"$tmp/loadtest.out" 2>&1 <<'EOF'
import fs from "node:fs";
import yaml from "./tests/node_modules/js-yaml/dist/js-yaml.mjs";
const dir = process.argv[2];
const load = (f) => yaml.loadAll(fs.readFileSync(`${dir}/${f}.yaml`, "utf8")).filter(Boolean);
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);
const image = yaml.load(fs.readFileSync("backend/values.yaml", "utf8")).loadtest.image;
const objects = load("loadtest");
const job = objects.find((o) => o.kind === "Job") ?? { metadata: {}, spec: { template: { metadata: {}, spec: { containers: [{}] } } } };
const pod = job.spec.template.spec;
const c = pod.containers[0];
const args = c.args ?? [];
const mounts = c.volumeMounts ?? [];
const scripts = (pod.volumes ?? []).find((v) => v.configMap);
const np = objects.find((o) => o.kind === "NetworkPolicy");
const others = (list) => list.filter((o) => o.kind !== "Job" && o.kind !== "NetworkPolicy");
const checks = [
  ["no Job unless loadtest.enabled", ["dev", "prod", "defaults"].every((f) => !load(f).some((o) => o.kind === "Job"))],
  ["Job backend-loadtest-onsale in tickets-dev", job.metadata.name === "backend-loadtest-onsale" && job.metadata.namespace === "tickets-dev"],
  [`image ${image} (values.yaml)`, c.image === image],
  ["k6 run -e BASE_URL=<the Service> ... /scripts/onsale.js",
    eq(args.slice(0, 3), ["run", "-e", "BASE_URL=http://backend.tickets-dev.svc:8000"]) && args.at(-1) === "/scripts/onsale.js"],
  ["loadtest.env as -e NAME=value", args.includes("ARRIVAL_RATE=50") && args.includes("SPREAD_CLIENTS=true")],
  ["ADMIN_TOKEN from Secret tickets-admin, expanded into -e",
    args.includes("ADMIN_TOKEN=$(ADMIN_TOKEN)") && eq(c.env?.[0]?.valueFrom, { secretKeyRef: { name: "tickets-admin", key: "ADMIN_TOKEN" } })],
  ["ConfigMap tickets-loadtest: every key at /scripts/lib, the scenario at /scripts/onsale.js",
    scripts?.configMap.name === "tickets-loadtest" &&
    mounts.some((m) => m.name === scripts.name && m.mountPath === "/scripts/lib" && !m.subPath) &&
    mounts.some((m) => m.name === scripts.name && m.mountPath === "/scripts/onsale.js" && m.subPath === "onsale.js")],
  ["runs once: restartPolicy Never, backoffLimit 0, a deadline",
    pod.restartPolicy === "Never" && job.spec.backoffLimit === 0 && job.spec.activeDeadlineSeconds > 0],
  ["pods are app=backend-loadtest, not app=backend", job.spec.template.metadata.labels?.app === "backend-loadtest"],
  ["non-root, read-only root, no escalation", pod.securityContext?.runAsNonRoot === true &&
    c.securityContext?.readOnlyRootFilesystem === true && c.securityContext?.allowPrivilegeEscalation === false],
  ["NetworkPolicy admits app=backend-loadtest on 8000",
    (np?.spec.ingress ?? []).some((r) => r.from?.[0]?.podSelector?.matchLabels?.app === "backend-loadtest" && r.ports[0].port === 8000)],
  ["every other object as in the dev render", eq(others(objects), others(load("dev")))],
];
for (const [what, ok] of checks) console.log(`${ok ? "ok  " : "FAIL"} loadtest: ${what}`);
process.exitCode = checks.every(([, ok]) => ok) ? 0 : 1;
EOF
status=$?
sed 's/^/  /' "$tmp/loadtest.out"
((status == 0)) && pass "loadtest Job: scenario, image, Service URL, scripts, labels, NetworkPolicy" || fail "loadtest Job checks"
node tests/checks.mjs "$tmp/dev.yaml" tickets-dev "$tag" 30 && pass "dev: runbook and monitoring checks" || fail "dev checks"
node tests/payments-mail.mjs "$tmp" >"$tmp/payments-mail.out" 2>&1
status=$?
sed 's/^/  /' "$tmp/payments-mail.out"
((status == 0)) && pass "payments and mail: Secret references, MAIL_FROM, PUBLIC_BASE_URL, SMTP egress only with mail" ||
  fail "payments and mail checks"
node tests/checks.mjs "$tmp/prod.yaml" tickets-prod "$tag" && pass "prod: runbook and monitoring checks" || fail "prod checks"

# The NetworkPolicy admits the VPC that Terraform builds for the environment (the ALB's targets
# and RDS live in it): the chart's vpcCidr must be infra/envs/<env>'s cidr_block.
for env in dev prod; do
  want=$(sed -n 's/^ *cidr_block *= *"\([0-9./]*\)".*/\1/p' "$root/infra/envs/$env/main.tf" | head -1)
  got=$(python3 -c 'import sys, yaml
for o in yaml.safe_load_all(open(sys.argv[1])):
    if o and o["kind"] == "NetworkPolicy":
        print(sorted({b["ipBlock"]["cidr"] for r in o["spec"]["ingress"] for b in r.get("from", []) if "ipBlock" in b})[0])' "$tmp/$env.yaml")
  [[ -n $want && $got == "$want" ]] && pass "$env: NetworkPolicy admits the Terraform VPC $want" ||
    fail "$env: NetworkPolicy admits $got, Terraform's VPC is ${want:-unknown}"
done
node tests/checks.mjs "$tmp/defaults.yaml" tickets-dev "$tag" && pass "defaults: runbook and monitoring checks" || fail "defaults checks"

grep -q 'image: ".*/tickets-backend:'"$tag"'"' "$tmp/dev.yaml" &&
  grep -q '123456789012.dkr.ecr.eu-west-1.amazonaws.com/tickets-backend' "$tmp/dev.yaml" &&
  grep -q 'arn:aws:iam::123456789012:role/tickets-dev-backend' "$tmp/dev.yaml" &&
  grep -q 'arn:aws:iam::123456789012:role/tickets-prod-backend' "$tmp/prod.yaml" &&
  pass "ECR repository and IRSA role derived from aws.accountId" || fail "derived ECR repository / role ARN"
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" --notes >"$tmp/notes.txt" &&
  grep -q 'kubectl -n tickets-dev get hpa backend' "$tmp/notes.txt" &&
  grep -q 'exec -it deployment/backend -- curl http://localhost:8000/readiness' "$tmp/notes.txt" &&
  grep -q "get ingress tickets-ingress -o jsonpath='{.status.loadBalancer.ingress\[0\].hostname}'" "$tmp/notes.txt" &&
  ! grep -q 'NOTES' "$tmp/dev.yaml" && pass "NOTES.txt has the runbook's first commands, not in the manifests" || fail "NOTES.txt"
# The runbook's Database Saturation step: raise DB_POOL_SIZE in values-dev's env list.
render -n tickets-dev -f backend/values-dev.yaml --set image.tag="$tag" --set-string 'env[0].value=25' >"$tmp/pool.yaml" &&
  node tests/checks.mjs "$tmp/pool.yaml" tickets-dev "$tag" 25 >/dev/null && pass "--set-string env[0].value replaces DB_POOL_SIZE" || fail "env override"

# Bad values are refused, each with a message that names the problem.
refuse() { # description, expected message, render arguments...
  local what=$1 want=$2 out; shift 2
  if out=$(render -n tickets-dev -f backend/values-dev.yaml "$@" 2>&1); then
    fail "refuses $what (it rendered)"
  elif grep -qF -- "$want" <<<"$out"; then
    pass "refuses $what: $(grep -F -- "$want" <<<"$out" | head -1 | sed 's/^[- ]*//')"
  else
    fail "refuses $what with '$want', got: $out"
  fi
}
refuse "image.tag=latest" "image.tag: Does not match pattern" --set image.tag=latest
refuse "no image.tag" "image.tag: Does not match pattern"
refuse "autoscaling.maxReplicas=-1" "autoscaling.maxReplicas: Must be greater than or equal to 1" --set image.tag="$tag" --set autoscaling.maxReplicas=-1
refuse "minReplicas > maxReplicas" "autoscaling.minReplicas (2) is greater than autoscaling.maxReplicas (1)" --set image.tag="$tag" --set autoscaling.minReplicas=2,autoscaling.maxReplicas=1
refuse "an unknown key" "Additional property imageTag is not allowed" --set image.tag="$tag" --set imageTag=x
refuse "a bad account id" "aws.accountId: Does not match pattern" --set image.tag="$tag" --set-string aws.accountId=12345
refuse "DATABASE_URL in env" "env: DATABASE_URL is set by the chart" --set image.tag="$tag" --set 'env[1].name=DATABASE_URL,env[1].value=postgres://x'
refuse "an env value that is not a string (--set types it; use --set-string)" "env.0.value: Invalid type" --set image.tag="$tag" --set 'env[0].value=30'
refuse "more pool than the dev database has" "more than database.connectionBudget 77" --set image.tag="$tag" --set autoscaling.maxReplicas=3
refuse "a missing account" "accountId is required" --set image.tag="$tag" --set aws.accountId=null
refuse "a k6 image that is not pinned" "loadtest.image: Does not match pattern" --set image.tag="$tag" --set loadtest.image=grafana/k6:latest
refuse "an unknown load-test scenario" "loadtest.scenario must be one of the following" --set image.tag="$tag" --set loadtest.scenario=spike
refuse "a load-test parameter that is not a string (use --set-string)" "loadtest.env.RATE: Invalid type" --set image.tag="$tag" --set loadtest.env.RATE=20
# Online payment and mail: one way to set each variable, and nothing half-configured.
for name in PUBLIC_BASE_URL STRIPE_SECRET_KEY STRIPE_WEBHOOK_SECRET SMTP_URL MAIL_FROM; do
  refuse "$name in env" "env: $name is set by the chart" --set image.tag="$tag" --set "env[1].name=$name,env[1].value=x"
done
refuse "STRIPE_API_BASE in env" "env: STRIPE_API_BASE points ticketsd at a stand-in of Stripe" --set image.tag="$tag" \
  --set 'env[1].name=STRIPE_API_BASE,env[1].value=https://stripe.example.com'
refuse "mail.smtpSecretName without mail.from" "mail.from: String length must be greater than or equal to 1" --set image.tag="$tag" \
  --set publicBaseUrl=https://tickets.example.com --set mail.smtpSecretName=backend-smtp
refuse "payments without publicBaseUrl" "publicBaseUrl is required with payments.stripe.secretName or mail.smtpSecretName" \
  --set image.tag="$tag" --set payments.stripe.secretName=backend-stripe
refuse "mail without publicBaseUrl" "publicBaseUrl is required with payments.stripe.secretName or mail.smtpSecretName" \
  --set image.tag="$tag" --set mail.smtpSecretName=backend-smtp,mail.from=tickets@example.com
refuse "a publicBaseUrl that is not http(s)" "publicBaseUrl: Does not match pattern" --set image.tag="$tag" --set publicBaseUrl=tickets.example.com
refuse "a publicBaseUrl with a query" "publicBaseUrl: Does not match pattern" --set image.tag="$tag" --set 'publicBaseUrl=https://tickets.example.com/?a=b'
refuse "a publicBaseUrl that is no URL" "publicBaseUrl: Does not match format 'uri'" --set image.tag="$tag" --set 'publicBaseUrl=https://tickets.example.com/%zz'
refuse "a mail.from with a display name" "mail.from: Does not match pattern" --set image.tag="$tag" --set 'mail.from=Tickets <tickets@example.com>'
refuse "a mail.from that is no address" "mail.from: Does not match format 'email'" --set image.tag="$tag" --set 'mail.from=.tickets@example.com'
refuse "mail.smtpPort=0" "mail.smtpPort: Must be greater than or equal to 1" --set image.tag="$tag" --set mail.smtpPort=0
refuse "mail.smtpPort=65536" "mail.smtpPort: Must be less than or equal to 65535" --set image.tag="$tag" --set mail.smtpPort=65536
refuse "mail.smtpPort as a string" "mail.smtpPort: Invalid type. Expected: integer" --set image.tag="$tag" --set-string mail.smtpPort=587
refuse "a mail.smtpCidr that is no CIDR" "mail.smtpCidr: Does not match pattern" --set image.tag="$tag" --set mail.smtpCidr=203.0.113.7
refuse "a Secret name that Kubernetes refuses" "payments.stripe.secretName: Does not match pattern" --set image.tag="$tag" \
  --set payments.stripe.secretName=Tickets_Stripe
refuse "an unknown key under mail" "Additional property smtpHost is not allowed" --set image.tag="$tag" --set mail.smtpHost=smtp.example.com

# The validator itself fails on objects the API would refuse.
node --input-type=module - "$tmp/dev.yaml" >"$tmp/broken.out" 2>&1 <<'EOF'
import fs from "node:fs";
import yaml from "./tests/node_modules/js-yaml/dist/js-yaml.mjs";
import { validateObject } from "./tests/validate.mjs";
const objs = yaml.loadAll(fs.readFileSync(process.argv[2], "utf8")).filter(Boolean);
const pick = (kind) => structuredClone(objs.find((o) => o.kind === kind));
const cases = [
  ["unknown container field", "unknown field", (o) => { o.spec.template.spec.containers[0].imagePullPolicyy = "Always"; }, "Deployment"],
  ["replicas as a string", "must be a number", (o) => { o.spec.replicas = "3"; }, "Deployment"],
  ["env value as a number", "must be a string", (o) => { o.spec.template.spec.containers[0].env[0].value = 8000; }, "Deployment"],
  ["container without a name", "required field missing", (o) => { delete o.spec.template.spec.containers[0].name; }, "Deployment"],
  ["autoscaling/v1 field in a v2 HPA", "unknown field", (o) => { o.spec.targetCPUUtilizationPercentage = 70; }, "HorizontalPodAutoscaler"],
  ["upper-case name", "DNS-1123", (o) => { o.metadata.name = "Backend"; }, "Service"],
  ["ServiceMonitor endpoint port as a number", "must be string", (o) => { o.spec.endpoints[0].port = 8000; }, "ServiceMonitor"],
  ["PrometheusRule group without a name", "must have required property", (o) => { delete o.spec.groups[0].name; }, "PrometheusRule"],
  ["ExternalSecret without a remote key", "must have required property", (o) => { delete o.spec.data[0].remoteRef.key; }, "ExternalSecret"],
];
let bad = 0;
for (const [what, want, mutate, kind] of cases) {
  const o = pick(kind); mutate(o);
  const errors = await validateObject(o);
  const ok = errors.some((e) => e.includes(want));
  if (!ok) bad++;
  console.log(`${ok ? "ok  " : "FAIL"} validator refuses ${what}: ${errors[0] ?? "no error"}`);
}
process.exitCode = bad ? 1 : 0;
EOF
status=$?
sed 's/^/  /' "$tmp/broken.out"
((status == 0)) && pass "the validator refuses invalid objects" || fail "the validator refuses invalid objects"

# The chart's copies of the rules and dashboards are what monitoring/generate.py makes.
if (cd "$root" && /usr/bin/python3 monitoring/generate.py --check >"$tmp/generate.out" 2>&1); then
  pass "monitoring/generate.py --check (chart files up to date)"
else
  cat "$tmp/generate.out"; fail "monitoring/generate.py --check"
fi
finish
