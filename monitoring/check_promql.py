#!/usr/bin/python3
"""Checks every PromQL expression of the alerting rules and the Grafana dashboards.

For each expression (rules in monitoring/rules/*.yml, panel targets and query variables in
monitoring/dashboards/*.json):
  1. it parses: all expressions are written as recording rules into a temporary file and given
     to `promtool check rules`;
  2. every metric it selects exists: produced by a recording rule, present in the exposition of
     ticketsd (--metrics-file with a /metrics dump, or --metrics-url of a running server), or
     named in the allow-list below (Prometheus itself, kube-state-metrics, cAdvisor, the
     ticketing-core metrics that ticketsd exports once the ticketing core is in, and the
     waiting-room series that exist only while an event has an enabled queue);
  3. the labels it matches on a ticketsd metric exist in the exposition (or are added by the
     scrape), and an `le` it matches exactly is a real bucket boundary.

Exit status 0 when everything holds, 1 otherwise.
"""

import argparse
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import urllib.request

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))

# Metrics that are not ticketsd's own and that the rules or dashboards may use.
ALLOWED_METRICS = {
    "Prometheus built-in": {
        "ALERTS",
        "ALERTS_FOR_STATE",
        "up",
        "scrape_duration_seconds",
        "scrape_samples_scraped",
        "scrape_samples_post_metric_relabeling",
        "scrape_series_added",
    },
    "kube-state-metrics": {
        "kube_pod_container_status_restarts_total",
        "kube_pod_container_status_waiting_reason",
        "kube_pod_container_status_last_terminated_reason",
        "kube_pod_container_resource_limits",
        "kube_pod_status_ready",
        "kube_deployment_spec_replicas",
        "kube_deployment_status_replicas_available",
        "kube_horizontalpodautoscaler_spec_max_replicas",
        "kube_horizontalpodautoscaler_status_current_replicas",
        "kube_horizontalpodautoscaler_status_desired_replicas",
    },
    "cAdvisor": {
        "container_cpu_usage_seconds_total",
        "container_cpu_cfs_periods_total",
        "container_cpu_cfs_throttled_periods_total",
        "container_memory_working_set_bytes",
        "container_network_receive_bytes_total",
        "container_network_transmit_bytes_total",
    },
    # Exported by ticketsd once the ticketing core (events, holds, orders, check-in) is in.
    # --require-core makes their presence in the exposition mandatory.
    "ticketing core": {
        "tickets_sold_total",
        "holds_active",
        "holds_expired_total",
        "orders_total",
        "checkins_total",
    },
    # Exported by ticketsd per event, and only once an event has an enabled queue
    # (queue_joins_total once someone has joined one): a ticketsd without a queue has none of
    # these series. Where the exposition has them, their labels are checked like any other.
    "waiting room": {
        "queue_joins_total",
        "queue_waiting",
        "queue_admitted",
        "queue_admit_per_minute",
        "queue_oldest_wait_seconds",
    },
}

# Labels that the scrape attaches to every ticketsd series (static config or Kubernetes
# service discovery through a ServiceMonitor).
SCRAPE_LABELS = {"job", "instance", "namespace", "pod", "service", "container"}

# Grafana's built-in variables, replaced by a value of the right kind before parsing.
GRAFANA_DURATIONS = {"__rate_interval", "__interval", "__range"}
GRAFANA_NUMBERS = {"__interval_ms", "__range_s", "__range_ms"}


class Expression:
    def __init__(self, source, expr, variables=None):
        self.source = source          # where it was found, for messages
        self.expr = expr              # as written
        self.variables = variables    # template variables defined by its dashboard, or None

    def promql(self):
        """The expression with Grafana variables replaced, ready for promtool."""
        return substitute_variables(self.expr)


# ---------------------------------------------------------------------------- collecting

def rule_expressions(rule_files):
    exprs, recorded = [], set()
    for path in rule_files:
        with open(path) as f:
            doc = yaml.safe_load(f) or {}
        for group in doc.get("groups") or []:
            for rule in group.get("rules") or []:
                name = rule.get("record") or rule.get("alert")
                if "record" in rule:
                    recorded.add(rule["record"])
                exprs.append(Expression(f"{rel(path)}: {group['name']}/{name}", str(rule["expr"])))
    return exprs, recorded


def dashboard_expressions(dashboard_files):
    exprs = []
    for path in dashboard_files:
        with open(path) as f:
            dash = json.load(f)
        variables = {v["name"] for v in dash.get("templating", {}).get("list", [])}
        for panel in iter_panels(dash.get("panels", [])):
            for target in panel.get("targets", []):
                if target.get("expr"):
                    where = f"{rel(path)}: panel {panel.get('title')!r} target {target.get('refId')}"
                    exprs.append(Expression(where, target["expr"], variables))
        for var in dash.get("templating", {}).get("list", []):
            if var.get("type") != "query":
                continue
            query = var.get("query")
            if isinstance(query, dict):
                query = query.get("query", "")
            for expr in variable_query_selectors(query or ""):
                exprs.append(Expression(f"{rel(path)}: variable ${var['name']}", expr, variables))
    return exprs


def iter_panels(panels):
    for panel in panels:
        yield panel
        yield from iter_panels(panel.get("panels", []))


def variable_query_selectors(query):
    """PromQL inside a Grafana Prometheus variable query (label_values, query_result, ...)."""
    query = query.strip()
    m = re.fullmatch(r"label_values\((.*),\s*[a-zA-Z_][a-zA-Z0-9_]*\s*\)", query, re.S)
    if m:
        return [m.group(1)]
    m = re.fullmatch(r"query_result\((.*)\)", query, re.S)
    if m:
        return [m.group(1)]
    if re.fullmatch(r"(label_values|label_names|metrics)\(.*\)", query, re.S):
        return []
    return [query] if query else []


def substitute_variables(expr):
    def repl(m):
        name = m.group("name") or m.group("braced") or m.group("bracket")
        if name in GRAFANA_DURATIONS:
            return "5m"
        if name in GRAFANA_NUMBERS:
            return "300"
        return "x"
    return VARIABLE_RE.sub(repl, expr)


VARIABLE_RE = re.compile(
    r"\$(?P<name>[a-zA-Z_][a-zA-Z0-9_]*)|\$\{(?P<braced>[a-zA-Z_][a-zA-Z0-9_]*)(?::[^}]*)?\}|\[\[(?P<bracket>[a-zA-Z_][a-zA-Z0-9_]*)\]\]")


def used_variables(expr):
    return {m.group("name") or m.group("braced") or m.group("bracket") for m in VARIABLE_RE.finditer(expr)}


# ---------------------------------------------------------------------------- PromQL lexing

KEYWORDS = {"and", "or", "unless", "bool", "offset", "inf", "nan", "atan2"}
LABEL_LIST_KEYWORDS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
AGGREGATIONS = {"sum", "min", "max", "avg", "group", "stddev", "stdvar", "count", "count_values",
                "bottomk", "topk", "quantile", "limitk", "limit_ratio"}
IDENT_RE = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
NUMBER_RE = re.compile(
    r"(?:\d+(?:ms|[smhdwy]))+|0[xX][0-9a-fA-F]+|(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
STRING_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`')
MATCHER_RE = re.compile(
    r'\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'|`[^`]*`)\s*,?')


class Selector:
    def __init__(self, metric, matchers):
        self.metric = metric          # name, or None for a bare {...}
        self.matchers = matchers      # [(label, op, value)]

    def __repr__(self):
        return f"Selector({self.metric!r}, {self.matchers!r})"


def unquote(s):
    if s[0] == "`":
        return s[1:-1]
    return bytes(s[1:-1], "utf-8").decode("unicode_escape")


def parse_matchers(text, pos):
    """Parses label matchers from text[pos] == '{' up to the closing '}'. Returns (list, end)."""
    assert text[pos] == "{"
    pos += 1
    matchers = []
    while True:
        while pos < len(text) and text[pos].isspace():
            pos += 1
        if pos < len(text) and text[pos] == "}":
            return matchers, pos + 1
        m = MATCHER_RE.match(text, pos)
        if not m:
            raise ValueError(f"cannot read label matchers at {text[pos:pos + 30]!r}")
        matchers.append((m.group(1), m.group(2), unquote(m.group(3))))
        pos = m.end()


def skip_balanced(text, pos, open_ch, close_ch):
    depth = 0
    while pos < len(text):
        c = text[pos]
        if c in "\"'`":
            m = STRING_RE.match(text, pos)
            pos = m.end() if m else pos + 1
            continue
        if c == open_ch:
            depth += 1
        elif c == close_ch:
            depth -= 1
            if depth == 0:
                return pos + 1
        pos += 1
    raise ValueError(f"unbalanced {open_ch}{close_ch}")


def next_nonspace(text, pos):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    return pos


def selectors(expr):
    """Every vector selector in a PromQL expression, with its label matchers."""
    text, pos, found = expr, 0, []
    while pos < len(text):
        c = text[pos]
        if c.isspace():
            pos += 1
        elif c == "#":
            end = text.find("\n", pos)
            pos = len(text) if end < 0 else end
        elif c in "\"'`":
            m = STRING_RE.match(text, pos)
            if not m:
                raise ValueError("unterminated string")
            pos = m.end()
        elif c == "[":
            pos = skip_balanced(text, pos, "[", "]")
        elif c == "{":
            matchers, pos = parse_matchers(text, pos)
            found.append(Selector(None, matchers))
        elif c.isdigit() or (c == "." and pos + 1 < len(text) and text[pos + 1].isdigit()):
            pos = NUMBER_RE.match(text, pos).end()
        elif IDENT_RE.match(text, pos):
            m = IDENT_RE.match(text, pos)
            word, pos = m.group(0), m.end()
            after = next_nonspace(text, pos)
            lower = word.lower()
            if lower in LABEL_LIST_KEYWORDS:
                if after < len(text) and text[after] == "(":
                    pos = skip_balanced(text, after, "(", ")")
            elif after < len(text) and text[after] == "(":
                pass  # a function or an aggregation
            elif lower in AGGREGATIONS and IDENT_RE.match(text, after) and \
                    IDENT_RE.match(text, after).group(0).lower() in ("by", "without"):
                pass  # an aggregation with its grouping first: sum by (job) (...)
            elif lower in KEYWORDS:
                pass
            elif after < len(text) and text[after] == "{":
                matchers, pos = parse_matchers(text, after)
                found.append(Selector(word, matchers))
            else:
                found.append(Selector(word, []))
        else:
            pos += 1
    return found


# ---------------------------------------------------------------------------- exposition

SAMPLE_RE = re.compile(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[^"}]|"(?:[^"\\]|\\.)*")*\})?\s+\S+')
EXPO_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)\s*=\s*"((?:[^"\\]|\\.)*)"')


def parse_exposition(text):
    """Sample names of a Prometheus text exposition, each with {label: {values}}."""
    metrics = {}
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            parts = line.split()
            if len(parts) >= 4 and parts[1] == "TYPE":
                name, kind = parts[2], parts[3]
                names = {"histogram": [name + "_bucket", name + "_sum", name + "_count"],
                         "summary": [name, name + "_sum", name + "_count"]}.get(kind, [name])
                for n in names:
                    metrics.setdefault(n, {})
            continue
        m = SAMPLE_RE.match(line)
        if not m:
            raise ValueError(f"not an exposition line: {line!r}")
        labels = metrics.setdefault(m.group(1), {})
        for lm in EXPO_LABEL_RE.finditer(m.group(2) or ""):
            labels.setdefault(lm.group(1), set()).add(lm.group(2))
    return metrics


def load_exposition(args):
    if args.metrics_url:
        with urllib.request.urlopen(args.metrics_url, timeout=10) as resp:
            return parse_exposition(resp.read().decode()), args.metrics_url
    with open(args.metrics_file) as f:
        return parse_exposition(f.read()), args.metrics_file


# ---------------------------------------------------------------------------- checks

def check_parse(exprs, promtool):
    """Runs promtool on all expressions at once; on failure, finds the ones that fail."""
    def run(batch):
        doc = {"groups": [{"name": "check-promql", "rules": [
            {"record": f"check_promql:expr_{i}", "expr": e.promql()} for i, e in enumerate(batch)]}]}
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            yaml.safe_dump(doc, f, sort_keys=False)
            path = f.name
        try:
            res = subprocess.run([promtool, "check", "rules", path], capture_output=True, text=True)
        finally:
            os.unlink(path)
        return res.returncode == 0, (res.stdout + res.stderr).strip()

    ok, _ = run(exprs)
    if ok:
        return []
    errors = []
    for e in exprs:
        ok, out = run([e])
        if not ok:
            detail = next((line.strip() for line in out.splitlines() if "parse error" in line or "error" in line.lower()), out)
            errors.append(f"{e.source}: does not parse: {detail}")
    return errors or ["promtool rejected the expressions as a whole (see `promtool check rules`)"]


def metric_source(name, recorded, exposition):
    if name in recorded:
        return "recording rule"
    if name in exposition:
        return "ticketsd"
    for source, names in ALLOWED_METRICS.items():
        if name in names:
            return source
    return None


def check_names(exprs, recorded, exposition):
    errors, used = [], {}
    known = recorded | set(exposition) | set().union(*ALLOWED_METRICS.values())
    for e in exprs:
        try:
            sels = selectors(e.promql())
        except ValueError as err:
            errors.append(f"{e.source}: cannot read the expression: {err}")
            continue
        if e.variables is not None:
            for var in sorted(used_variables(e.expr) - e.variables - GRAFANA_DURATIONS - GRAFANA_NUMBERS):
                errors.append(f"{e.source}: uses ${var}, which the dashboard does not define")
        for sel in sels:
            names = [sel.metric] if sel.metric else []
            for label, op, value in sel.matchers:
                if label == "__name__":
                    if op == "=":
                        names.append(value)
                    elif op == "=~":
                        matching = [n for n in known if re.fullmatch(value, n)]
                        if not matching:
                            errors.append(f"{e.source}: no known metric matches __name__=~{value!r}")
                        names.extend(matching)
            for name in names:
                source = metric_source(name, recorded, exposition)
                if source is None:
                    errors.append(f"{e.source}: unknown metric {name!r} (not recorded, not exported by ticketsd, not allow-listed)")
                    continue
                used.setdefault(name, source)
                if source == "ticketsd":
                    errors.extend(check_labels(e, sel, name, exposition[name]))
    return errors, used


def check_labels(e, sel, name, labels):
    errors = []
    for label, op, value in sel.matchers:
        if label == "__name__" or label in SCRAPE_LABELS:
            continue
        if label not in labels:
            errors.append(f"{e.source}: {name} has no label {label!r} in the exposition (it has {sorted(labels) or 'none'})")
        elif label == "le" and op == "=" and value not in labels["le"]:
            errors.append(f"{e.source}: {name} has no bucket le={value!r} (it has {sorted(labels['le'], key=le_key)})")
    return errors


def le_key(v):
    try:
        return float(v)
    except ValueError:
        return float("inf")


def rel(path):
    return os.path.relpath(path, os.path.dirname(HERE))


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--metrics-file", help="a /metrics text dump of ticketsd")
    source.add_argument("--metrics-url", help="the /metrics URL of a running ticketsd, e.g. http://127.0.0.1:8000/metrics")
    parser.add_argument("--rules", nargs="*", help="rule files (default: monitoring/rules/*.yml)")
    parser.add_argument("--dashboards", nargs="*", help="dashboard files (default: monitoring/dashboards/*.json)")
    parser.add_argument("--require-core", action="store_true",
                        help="fail when a ticketing-core metric used by a dashboard is missing from the exposition")
    parser.add_argument("--promtool", default="promtool")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every metric used and where it comes from")
    args = parser.parse_args()

    rule_files = args.rules if args.rules is not None else sorted(glob.glob(os.path.join(HERE, "rules", "*.yml")))
    dashboard_files = args.dashboards if args.dashboards is not None else sorted(glob.glob(os.path.join(HERE, "dashboards", "*.json")))

    exposition, where = load_exposition(args)
    exprs, recorded = rule_expressions(rule_files)
    exprs += dashboard_expressions(dashboard_files)

    errors = check_parse(exprs, args.promtool)
    name_errors, used = check_names(exprs, recorded, exposition)
    errors += name_errors
    if args.require_core:
        for name in sorted(ALLOWED_METRICS["ticketing core"]):
            if name in used and name not in exposition:
                errors.append(f"ticketing-core metric {name!r} is used but missing from {where}")

    by_source = {}
    for name, source in used.items():
        by_source.setdefault(source, []).append(name)
    if args.verbose:
        for source in sorted(by_source):
            print(f"  {source}: {', '.join(sorted(by_source[source]))}")
    summary = ", ".join(f"{len(v)} {k}" for k, v in sorted(by_source.items()))
    print(f"check_promql: {len(exprs)} expressions from {len(rule_files)} rule files and "
          f"{len(dashboard_files)} dashboards against {where}; metrics used: {summary}")
    for err in errors:
        print(f"  ERROR {err}")
    if errors:
        print(f"check_promql: {len(errors)} problem(s)")
        return 1
    print("check_promql: all expressions parse and use only known metrics and labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
