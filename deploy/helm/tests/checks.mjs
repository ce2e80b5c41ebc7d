// What the runbook and the monitoring package expect of a rendered release.
//
//   node checks.mjs RENDERED.yaml NAMESPACE TAG [DB_POOL_SIZE]
//
// Prints one line per check and `checks: N passed, M failed`; exit 1 on any failure.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import yaml from "js-yaml";

const [file, namespace, tag, poolSize] = process.argv.slice(2);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const objects = yaml.loadAll(fs.readFileSync(file, "utf8")).filter(Boolean);
const find = (kind, name) => objects.find((o) => o.kind === kind && o.metadata.name === name);
let passed = 0, failed = 0;
function expect(what, ok, detail = "") {
  if (ok) passed++;
  else failed++;
  console.log(`${ok ? "ok  " : "FAIL"} ${path.basename(file)}: ${what}${ok || !detail ? "" : ` (${detail})`}`);
}
const eq = (a, b) => JSON.stringify(a) === JSON.stringify(b);

for (const kind of ["Deployment", "Service", "HorizontalPodAutoscaler", "ServiceAccount"]) {
  const o = find(kind, "backend");
  expect(`${kind} backend in ${namespace}`, o && o.metadata.namespace === namespace);
}
const deploy = find("Deployment", "backend") || { spec: { template: { metadata: {}, spec: { containers: [{}] } } } };
const pod = deploy.spec.template;
const c = pod.spec.containers[0] || {};
const env = Object.fromEntries((c.env || []).map((e) => [e.name, e]));
const recommended = ["name", "instance", "version", "component", "part-of", "managed-by"];
expect("pods labelled app=backend and the app.kubernetes.io set",
  pod.metadata.labels?.app === "backend" && recommended.every((k) => pod.metadata.labels[`app.kubernetes.io/${k}`]));
expect("selector is app=backend, name, instance (no version)",
  eq(Object.keys(deploy.spec.selector?.matchLabels || {}).sort(), ["app", "app.kubernetes.io/instance", "app.kubernetes.io/name"]));
expect("container named backend (PodCrashLooping selects it)", c.name === "backend");
// The runbook: kubectl get deployment backend -o jsonpath='{.spec.template.spec.containers[0].image}'
expect(`image ends in :${tag}`, typeof c.image === "string" && c.image.endsWith(`:${tag}`), c.image);
expect("DATABASE_URL from Secret backend-db key DATABASE_URL",
  eq(env.DATABASE_URL?.valueFrom, { secretKeyRef: { name: "backend-db", key: "DATABASE_URL" } }) && !("value" in (env.DATABASE_URL || {})));
expect("DATA_DIR=/data", env.DATA_DIR?.value === "/data");
if (poolSize) expect(`DB_POOL_SIZE "${poolSize}" from the env list`, env.DB_POOL_SIZE?.value === poolSize, JSON.stringify(env.DB_POOL_SIZE));
const drain = Number(env.SHUTDOWN_DRAIN_SECONDS?.value), timeout = Number(env.SHUTDOWN_TIMEOUT_SECONDS?.value);
expect("terminationGracePeriodSeconds > drain + shutdown timeout",
  drain >= 0 && timeout > 0 && pod.spec.terminationGracePeriodSeconds > drain + timeout,
  `${pod.spec.terminationGracePeriodSeconds} vs ${drain} + ${timeout}`);
expect("probes: readiness /readiness, liveness /healthz, startup",
  c.readinessProbe?.httpGet?.path === "/readiness" && c.livenessProbe?.httpGet?.path === "/healthz" && !!c.startupProbe);
expect("port 8000 named http", eq(c.ports?.map((p) => [p.name, p.containerPort]), [["http", 8000]]));
expect("resources: requests and limits of cpu and memory",
  ["requests", "limits"].every((k) => c.resources?.[k]?.cpu && c.resources?.[k]?.memory));
const psc = pod.spec.securityContext || {}, csc = c.securityContext || {};
expect("security context: non-root 10001, read-only root, no escalation, drop ALL, RuntimeDefault",
  psc.runAsNonRoot === true && psc.runAsUser === 10001 && psc.runAsGroup === 10001 &&
  psc.seccompProfile?.type === "RuntimeDefault" && csc.readOnlyRootFilesystem === true &&
  csc.allowPrivilegeEscalation === false && eq(csc.capabilities?.drop, ["ALL"]) && csc.runAsNonRoot === true);
const mounts = Object.fromEntries((c.volumeMounts || []).map((m) => [m.mountPath, m.name]));
const volumes = Object.fromEntries((pod.spec.volumes || []).map((v) => [v.name, v]));
expect("emptyDir volumes on /tmp and /data",
  ["/tmp", "/data"].every((p) => volumes[mounts[p]]?.emptyDir));
expect("spread over zones and hosts",
  eq((pod.spec.topologySpreadConstraints || []).map((t) => t.topologyKey).sort(), ["kubernetes.io/hostname", "topology.kubernetes.io/zone"]));
expect("rolling update with maxUnavailable 0",
  deploy.spec.strategy?.type === "RollingUpdate" && deploy.spec.strategy.rollingUpdate?.maxUnavailable === 0);
expect("ServiceAccount backend used, IRSA role annotation",
  pod.spec.serviceAccountName === "backend" &&
  /^arn:aws:iam::[0-9]{12}:role\/tickets-(dev|prod)-backend$/.test(find("ServiceAccount", "backend")?.metadata.annotations?.["eks.amazonaws.com/role-arn"] || ""));

const svc = find("Service", "backend");
expect("Service port 8000 named http, selects app=backend",
  eq(svc?.spec.ports?.map((p) => [p.name, p.port]), [["http", 8000]]) && svc.spec.selector.app === "backend" && svc.metadata.labels.app === "backend");
const hpa = find("HorizontalPodAutoscaler", "backend");
expect("HPA autoscaling/v2 on Deployment backend, CPU 70%",
  hpa?.apiVersion === "autoscaling/v2" && hpa.spec.scaleTargetRef.name === "backend" &&
  hpa.spec.metrics?.some((m) => m.resource?.name === "cpu" && m.resource.target.averageUtilization === 70));
expect("HPA minReplicas <= maxReplicas", hpa && hpa.spec.minReplicas <= hpa.spec.maxReplicas);
expect("PodDisruptionBudget for the pods", objects.some((o) => o.kind === "PodDisruptionBudget" && o.spec.selector.matchLabels.app === "backend"));

const ing = find("Ingress", "tickets-ingress");
const ann = ing?.metadata.annotations || {};
expect("Ingress tickets-ingress: class alb, target-type ip, healthcheck /readiness",
  ing?.metadata.namespace === namespace && ing.spec.ingressClassName === "alb" &&
  ann["alb.ingress.kubernetes.io/target-type"] === "ip" && ann["alb.ingress.kubernetes.io/healthcheck-path"] === "/readiness" &&
  !!ann["alb.ingress.kubernetes.io/scheme"] && !!ann["alb.ingress.kubernetes.io/listen-ports"] && !!ann["alb.ingress.kubernetes.io/success-codes"]);
expect("Ingress routes to Service backend port http",
  ing?.spec.rules?.[0]?.http.paths[0].backend.service.name === "backend");

const np = objects.find((o) => o.kind === "NetworkPolicy");
const egressPorts = (np?.spec.egress || []).flatMap((r) => (r.ports || []).map((p) => p.port));
expect("NetworkPolicy: 8000 from the VPC and the monitoring namespace; egress DNS, 5432, 443",
  np?.spec.ingress?.length === 2 && np.spec.ingress.every((r) => r.ports[0].port === 8000) &&
  np.spec.ingress.some((r) => r.from[0].namespaceSelector?.matchLabels["kubernetes.io/metadata.name"] === "monitoring") &&
  [53, 5432, 443].every((p) => egressPorts.includes(p)));

const es = objects.find((o) => o.kind === "ExternalSecret");
if (es) {
  expect(`ExternalSecret backend-db from tickets-<env>/backend-db`,
    es.metadata.name === "backend-db" && es.spec.target.name === "backend-db" &&
    es.spec.data[0].secretKey === "DATABASE_URL" && /^tickets-(dev|prod)\/backend-db$/.test(es.spec.data[0].remoteRef.key) &&
    es.spec.secretStoreRef.kind === "ClusterSecretStore");
}
expect("no Secret holds a value in the chart", !objects.some((o) => o.kind === "Secret"));

// Monitoring: the chart's objects hold exactly what monitoring/ holds.
const sm = objects.find((o) => o.kind === "ServiceMonitor");
expect("ServiceMonitor: release label, /metrics on port http, honorLabels, app=backend",
  sm?.metadata.labels.release === "kube-prometheus-stack" && sm.spec.selector.matchLabels.app === "backend" &&
  sm.spec.endpoints[0].port === "http" && sm.spec.endpoints[0].path === "/metrics" && sm.spec.endpoints[0].honorLabels === true &&
  sm.spec.namespaceSelector.matchNames.includes(namespace));
const rule = objects.find((o) => o.kind === "PrometheusRule");
const sourceGroups = fs.readdirSync(path.join(root, "monitoring/rules")).filter((f) => f.endsWith(".yml")).sort()
  .flatMap((f) => yaml.load(fs.readFileSync(path.join(root, "monitoring/rules", f), "utf8")).groups);
expect(`PrometheusRule holds every rule group of monitoring/rules (${sourceGroups.length})`,
  rule?.metadata.labels.release === "kube-prometheus-stack" && eq(rule.spec.groups, sourceGroups));
const deployed = yaml.load(fs.readFileSync(path.join(root, "deploy/monitoring/prometheus-rule.yaml"), "utf8"));
expect("PrometheusRule is the object of deploy/monitoring (same name, namespace, rules)",
  rule && rule.metadata.name === deployed.metadata.name && rule.metadata.namespace === deployed.metadata.namespace && eq(rule.spec, deployed.spec));
for (const f of fs.readdirSync(path.join(root, "monitoring/dashboards")).filter((f) => f.endsWith(".json")).sort()) {
  const stem = f.replace(/\.json$/, "");
  const cm = objects.find((o) => o.kind === "ConfigMap" && o.data?.[f] !== undefined);
  expect(`dashboard ${stem} in a ConfigMap labelled grafana_dashboard "1"`,
    cm?.metadata.labels.grafana_dashboard === "1" && cm.metadata.name === `tickets-dashboard-${stem}` &&
    eq(JSON.parse(cm.data[f]), JSON.parse(fs.readFileSync(path.join(root, "monitoring/dashboards", f), "utf8"))));
}

console.log(`checks: ${passed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
