#!/usr/bin/python3
"""Checks that the monitoring package holds together.

  alerts      every alert has a known severity, a summary, a description showing its value and a
              runbook_url whose anchor exists in docs/runbooks.md; the alerts of runbook sections
              1-4 and 12 have exactly the runbook's thresholds, durations and severities
  tests       every alert has a promtool test where it fires and one where it stays silent;
              every recording rule has its value checked; every test file orders all groups
  routing     Alertmanager sends each alert to the receiver its severity calls for
  dashboards  uids, the datasource variable (never a fixed datasource UID), unique panel ids,
              the panels the runbook and the SLOs name; gauges of state every replica shares
              are aggregated with max, never summed, and the running total queue_admitted is
              read with deriv() or delta(), never as a counter
  deploy      the generated PrometheusRule passes promtool; the ServiceMonitor honours labels

Prints one line per check and exits 1 if any fails.
"""

import glob
import json
import os
import re
import subprocess
import sys
import tempfile

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
RUNBOOK = os.path.join(ROOT, "docs", "runbooks.md")
RUNBOOK_URL = "https://github.com/tickets/tickets/blob/main/docs/runbooks.md"
RECEIVER_FOR = {"critical": "page", "high": "page", "warning": "ticket"}

# Gauges of state every replica shares (read from the database): each replica reports the same
# value, so a sum over replicas multiplies it by their number.
SHARED_GAUGES = ("holds_active", "tickets_invariant_violations", "queue_waiting", "queue_admitted",
                 "queue_admit_per_minute", "queue_oldest_wait_seconds", "outbox_depth",
                 "outbox_oldest_age_seconds", "outbox_dead_letters")

# The runbook's alerts: (threshold as written in the expression, for, severity). A `for` of None
# means none at all: the alert fires on the first evaluation.
RUNBOOK_ALERTS = {
    "LatencyP95Breaching": ("> 0.8", "15m", "high"),
    "SLOAvailabilityFastBurn": ("> 0.01", "10m", "critical"),
    "DatabaseConnectionSaturation": ("> 0.8", "5m", "warning"),
    "PodCrashLooping": ("> 0", "5m", "warning"),
    "TicketsOversold": ("> 0", None, "critical"),
}


def load_yaml(path):
    with open(path) as f:
        return yaml.safe_load(f) or {}


def rule_groups():
    groups = []
    for path in sorted(glob.glob(os.path.join(HERE, "rules", "*.yml"))):
        groups += load_yaml(path).get("groups") or []
    return groups


def all_rules(groups):
    return [rule for g in groups for rule in g.get("rules") or []]


def github_anchors(markdown):
    anchors = set(re.findall(r'<a\s+(?:id|name)="([^"]+)"', markdown))
    for heading in re.findall(r"^#{1,6}\s+(.*)$", markdown, re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")
        anchors.add(slug)
    return anchors


def check_alerts(groups):
    errors = []
    anchors = github_anchors(open(RUNBOOK).read()) if os.path.exists(RUNBOOK) else set()
    alerts = {r["alert"]: r for r in all_rules(groups) if "alert" in r}
    for name, rule in alerts.items():
        labels, ann = rule.get("labels") or {}, rule.get("annotations") or {}
        if labels.get("severity") not in RECEIVER_FOR:
            errors.append(f"{name}: severity {labels.get('severity')!r} is not one of {sorted(RECEIVER_FOR)}")
        for key in ("summary", "description", "runbook_url"):
            if not ann.get(key):
                errors.append(f"{name}: no {key} annotation")
        if "$value" not in ann.get("description", ""):
            errors.append(f"{name}: the description does not show $value")
        url = ann.get("runbook_url", "")
        base, _, anchor = url.partition("#")
        if base != RUNBOOK_URL:
            errors.append(f"{name}: runbook_url {url!r} does not start with {RUNBOOK_URL}#")
        elif anchor not in anchors:
            errors.append(f"{name}: runbook_url anchor #{anchor} does not exist in docs/runbooks.md")
    for name, (threshold, for_, severity) in RUNBOOK_ALERTS.items():
        rule = alerts.get(name)
        if rule is None:
            errors.append(f"{name}: the runbook's alert is missing")
            continue
        if not str(rule["expr"]).strip().endswith(threshold):
            errors.append(f"{name}: expression does not end with {threshold!r}")
        if rule.get("for") != for_:
            errors.append(f"{name}: for is {rule.get('for')!r}, the runbook says {for_ or 'none'}")
        if (rule.get("labels") or {}).get("severity") != severity:
            errors.append(f"{name}: severity is not {severity}")
    return errors, len(alerts)


def check_tests(groups):
    errors = []
    group_names = {g["name"] for g in groups}
    fires, silent, tested_exprs = set(), set(), []
    for path in sorted(glob.glob(os.path.join(HERE, "tests", "*.yml"))):
        doc = load_yaml(path)
        order = set(doc.get("group_eval_order") or [])
        if order != group_names:
            errors.append(f"{os.path.basename(path)}: group_eval_order must list exactly the rule groups {sorted(group_names)}")
        for test in doc.get("tests") or []:
            for at in test.get("alert_rule_test") or []:
                (fires if at.get("exp_alerts") else silent).add(at["alertname"])
            for pt in test.get("promql_expr_test") or []:
                tested_exprs.append(pt["expr"])
                tested_exprs += [s.get("labels", "") for s in pt.get("exp_samples") or []]
    rules = all_rules(groups)
    for rule in rules:
        if "alert" in rule:
            if rule["alert"] not in fires:
                errors.append(f"{rule['alert']}: no test where it fires")
            if rule["alert"] not in silent:
                errors.append(f"{rule['alert']}: no test where it stays silent")
        else:
            name = rule["record"]
            if not any(re.search(re.escape(name) + r"(?![\w:])", t) or name_matches_regex(name, t) for t in tested_exprs):
                errors.append(f"{name}: no promql_expr_test checks its value")
    return errors, len(rules)


def name_matches_regex(name, expr):
    m = re.search(r'__name__=~"([^"]+)"', expr)
    return bool(m and re.fullmatch(m.group(1), name))


def check_routing(groups, amtool, config):
    errors = []
    for rule in all_rules(groups):
        if "alert" not in rule:
            continue
        labels = {"alertname": rule["alert"], **(rule.get("labels") or {})}
        want = RECEIVER_FOR.get(labels.get("severity"))
        res = subprocess.run([amtool, "config", "routes", "test", f"--config.file={config}"] +
                             [f"{k}={v}" for k, v in labels.items()], capture_output=True, text=True)
        got = res.stdout.strip()
        if res.returncode != 0 or got != want:
            errors.append(f"{rule['alert']} (severity {labels.get('severity')}): routed to {got!r}, want {want!r}")
    return errors


def check_dashboards():
    errors, uids, count = [], {}, 0
    for path in sorted(glob.glob(os.path.join(HERE, "dashboards", "*.json"))):
        name = os.path.basename(path)
        with open(path) as f:
            dash = json.load(f)
        count += 1
        uid = dash.get("uid")
        if not uid or uid in uids:
            errors.append(f"{name}: missing or duplicate uid {uid!r}")
        uids[uid] = name
        if dash.get("id") is not None:
            errors.append(f"{name}: id must be null so that Grafana assigns one")
        if not 36 <= dash.get("schemaVersion", 0) <= 41:
            errors.append(f"{name}: schemaVersion {dash.get('schemaVersion')} is not a current Grafana schema")
        variables = {v["name"]: v for v in dash.get("templating", {}).get("list", [])}
        ds = variables.get("datasource")
        if not ds or ds.get("type") != "datasource" or ds.get("query") != "prometheus":
            errors.append(f"{name}: needs a 'datasource' variable of type datasource for prometheus")
        for where, ref in datasource_refs(dash):
            if ref.get("uid") not in ("${datasource}", "-- Grafana --"):
                errors.append(f"{name}: {where} uses datasource {ref!r}, not ${{datasource}}")
        ids = [p["id"] for p in panels_of(dash)]
        if len(ids) != len(set(ids)):
            errors.append(f"{name}: panel ids are not unique")
        for panel in panels_of(dash):
            for t in panel.get("targets", []):
                errors += shared_gauge_errors(f"{name}: {panel.get('title')!r} {t.get('refId')}", t.get("expr", ""))
    errors += dashboard_contents()
    return errors, count


def shared_gauge_errors(where, expr):
    errors = []
    shared = [g for g in SHARED_GAUGES if re.search(rf"\b{g}\b", expr)]
    if shared and (re.search(r"\b(sum|avg|count)\b", expr) or not re.search(r"\bmax\b", expr)):
        errors.append(f"{where}: {', '.join(shared)} is the same on every replica: aggregate with max, never sum")
    if re.search(r"\b(rate|irate|increase|resets)\s*\(\s*queue_admitted\b", expr):
        errors.append(f"{where}: queue_admitted is a gauge holding a running total: use deriv() or delta(), not a counter function")
    return errors


def datasource_refs(node, where="dashboard"):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "datasource" and isinstance(value, dict):
                yield where, value
            elif key == "datasource" and isinstance(value, str):
                yield where, {"uid": value}
            else:
                yield from datasource_refs(value, node.get("title", where) if isinstance(node.get("title"), str) else where)
    elif isinstance(node, list):
        for item in node:
            yield from datasource_refs(item, where)


def panels_of(dash):
    def walk(panels):
        for p in panels:
            yield p
            yield from walk(p.get("panels", []))
    return list(walk(dash.get("panels", [])))


def dashboard_contents():
    errors = []

    def load(uid):
        for path in glob.glob(os.path.join(HERE, "dashboards", "*.json")):
            dash = json.load(open(path))
            if dash.get("uid") == uid:
                return dash
        errors.append(f"no dashboard with uid {uid}")
        return None

    golden = load("golden-signals")
    if golden:
        if golden["title"] != "Golden Signals":
            errors.append("golden-signals: title must be 'Golden Signals'")
        latency = [p for p in panels_of(golden) if p.get("title") == "Latency" and p.get("type") != "row"]
        if len(latency) != 1:
            errors.append("Golden Signals: needs exactly one panel titled 'Latency'")
        else:
            exprs = " ".join(t["expr"] for t in latency[0]["targets"])
            for q in ("p50", "p95", "p99"):
                if q not in exprs:
                    errors.append(f"Golden Signals Latency panel: no {q} query")
            fc = latency[0]["fieldConfig"]["defaults"]
            if 0.8 not in [s.get("value") for s in fc["thresholds"]["steps"]] or \
                    not fc["custom"]["thresholdsStyle"]["mode"].startswith("line"):
                errors.append("Golden Signals Latency panel: no 0.8 s threshold line")
        types = {p.get("type") for p in panels_of(golden)}
        if "heatmap" not in types:
            errors.append("Golden Signals: no latency heatmap")
        text = json.dumps(golden)
        for needle in ("db_connections:saturation", "http_requests_in_flight", "process_cpu_seconds_total",
                       "process_resident_memory_bytes", "by (code)", "by (method, endpoint)"):
            if needle not in text:
                errors.append(f"Golden Signals: nothing uses {needle}")
    slo = load("slo-overview")
    if slo:
        text = json.dumps(slo)
        if slo["title"] != "SLO Overview":
            errors.append("slo-overview: title must be 'SLO Overview'")
        for needle in ("slo_availability:ratio_rate5m", "slo_availability:ratio_rate1h", "slo_availability:ratio_rate28d",
                       "slo_latency:ratio_rate", "burnrate", "ALERTS{", "0.999"):
            if needle not in text:
                errors.append(f"SLO Overview: nothing shows {needle}")
    onsale = load("onsale")
    if onsale:
        if onsale["title"] != "On-sale":
            errors.append("onsale: title must be 'On-sale'")
        text = json.dumps(onsale)
        for needle in ("tickets_invariant_violations", "tickets_sold_total", "holds_active",
                       "http_concurrency_limit", "http_concurrency_in_flight", "http_requests_shed_total",
                       "holds_refused_total", "db_write_batch_units_bucket", "/api/basket", "/api/checkout",
                       'code=\\"429\\"', "0.95", "0.99", "queue_waiting", "queue_admitted",
                       "queue_admit_per_minute", "queue_oldest_wait_seconds", "queue_joins_total",
                       "queue_joins_refused_total", "queue_wait_seconds_bucket"):
            if needle not in text:
                errors.append(f"On-sale: nothing shows {needle}")
        if not re.search(r"\b(deriv|delta)\(queue_admitted\b", text):
            errors.append("On-sale: no panel shows the actual admissions (deriv or delta of queue_admitted)")
        invariant = [p for p in panels_of(onsale) if p.get("title") == "Invariant violations"]
        if len(invariant) != 1 or invariant[0].get("type") != "stat":
            errors.append("On-sale: needs exactly one stat panel titled 'Invariant violations'")
        else:
            steps = invariant[0]["fieldConfig"]["defaults"]["thresholds"]["steps"]
            if not any(s.get("color") == "red" and s.get("value") == 1 for s in steps) or \
                    "by (check)" not in " ".join(t["expr"] for t in invariant[0]["targets"]):
                errors.append("On-sale Invariant violations panel: must show each check, red from 1")
    budget = load("error-budget-health")
    if budget:
        text = json.dumps(budget)
        for needle in ("error_budget_remaining", "burnrate1h", "burnrate6h", "burnrate1d", "Projected exhaustion"):
            if needle not in text:
                errors.append(f"Error Budget Health: nothing shows {needle}")
    return errors


def check_deploy(promtool):
    errors = []
    rule_path = os.path.join(ROOT, "deploy", "monitoring", "prometheus-rule.yaml")
    docs = [d for d in yaml.safe_load_all(open(rule_path)) if d]
    if len(docs) != 1 or docs[0].get("kind") != "PrometheusRule":
        return [f"{rule_path}: expected one PrometheusRule"]
    meta = docs[0]["metadata"]
    if meta.get("namespace") != "monitoring" or (meta.get("labels") or {}).get("release") != "kube-prometheus-stack":
        errors.append("PrometheusRule: needs namespace monitoring and label release: kube-prometheus-stack")
    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
        yaml.safe_dump({"groups": docs[0]["spec"]["groups"]}, f, sort_keys=False)
        tmp = f.name
    try:
        res = subprocess.run([promtool, "check", "rules", tmp], capture_output=True, text=True)
        if res.returncode != 0:
            errors.append(f"PrometheusRule groups fail promtool: {res.stdout}{res.stderr}")
    finally:
        os.unlink(tmp)
    for d in yaml.safe_load_all(open(os.path.join(ROOT, "deploy", "monitoring", "dashboards-configmap.yaml"))):
        if d and (d["metadata"].get("labels") or {}).get("grafana_dashboard") != "1":
            errors.append(f"ConfigMap {d['metadata']['name']}: needs label grafana_dashboard: \"1\"")
    sm = yaml.safe_load(open(os.path.join(ROOT, "deploy", "monitoring", "service-monitor.yaml")))
    if not all(ep.get("honorLabels") for ep in sm["spec"]["endpoints"]):
        errors.append("ServiceMonitor: honorLabels must be true, or ticketsd's endpoint label becomes exported_endpoint")
    return errors


def main():
    promtool = os.environ.get("PROMTOOL", "promtool")
    amtool = os.environ.get("AMTOOL", "amtool")
    groups = rule_groups()
    failed = 0
    alert_errors, n_alerts = check_alerts(groups)
    test_errors, n_rules = check_tests(groups)
    dash_errors, n_dash = check_dashboards()
    checks = [
        (f"alerts: {n_alerts} alerts, annotations, runbook anchors and the runbook's thresholds", alert_errors),
        (f"tests: all {n_rules} rules are covered by promtool tests", test_errors),
        ("routing: each severity reaches its receiver",
         check_routing(groups, amtool, os.path.join(HERE, "alertmanager", "alertmanager.yml"))),
        (f"dashboards: {n_dash} dashboards are well-formed and show what the runbook names", dash_errors),
        ("deploy: PrometheusRule, dashboard ConfigMaps, ServiceMonitor", check_deploy(promtool)),
    ]
    for title, errors in checks:
        print(f"lint: {'ok  ' if not errors else 'FAIL'} {title}")
        for e in errors:
            print(f"        {e}")
        failed += bool(errors)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
