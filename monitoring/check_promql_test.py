#!/usr/bin/python3
"""Unit tests of check_promql.py: its PromQL reading and that it rejects what it must."""

import json
import os
import re
import subprocess
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import check_promql as cp  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
SAMPLE = os.path.join(HERE, "testdata", "metrics.txt")


def names(expr):
    return [(s.metric, s.matchers) for s in cp.selectors(expr)]


class SelectorTest(unittest.TestCase):
    def test_plain_and_with_matchers(self):
        self.assertEqual(names('up'), [("up", [])])
        self.assertEqual(names('http_requests_total{code=~"5..", endpoint="/api/events/{id}"}'),
                         [("http_requests_total", [("code", "=~", "5.."), ("endpoint", "=", "/api/events/{id}")])])

    def test_functions_aggregations_and_label_lists_are_not_metrics(self):
        expr = ('histogram_quantile(0.95, sum by (job, le) (rate(http_request_latency_seconds_bucket[5m])))'
                ' / on (job) group_left (version) max without (instance) (tickets_build_info)'
                ' and sum(rate(x_total[1h:5m] offset 1h)) > bool 0.8')
        self.assertEqual([n for n, _ in names(expr)],
                         ["http_request_latency_seconds_bucket", "tickets_build_info", "x_total"])

    def test_recording_rule_names_strings_and_comments(self):
        expr = ('job_namespace:slo_availability:burnrate1h > 14.4 # a comment with fake_metric\n'
                'and label_replace(up, "dst", "$1", "src", "(.*)")')
        self.assertEqual([n for n, _ in names(expr)], ["job_namespace:slo_availability:burnrate1h", "up"])

    def test_bare_selector_by_name(self):
        self.assertEqual(names('{__name__="up", job="x"}'), [(None, [("__name__", "=", "up"), ("job", "=", "x")])])

    def test_numbers_and_durations(self):
        self.assertEqual(names('1e-3 + 0x1f + .5 + time() - 2 * vector(1h30m)'), [])

    def test_grafana_variables(self):
        expr = 'rate(http_requests_total{job=~"$job", namespace=~"${namespace}"}[$__rate_interval])'
        self.assertEqual(cp.substitute_variables(expr), 'rate(http_requests_total{job=~"x", namespace=~"x"}[5m])')
        self.assertEqual(cp.used_variables(expr), {"job", "namespace", "__rate_interval"})

    def test_variable_queries(self):
        self.assertEqual(cp.variable_query_selectors('label_values(http_requests_total{job=~"$job"}, namespace)'),
                         ['http_requests_total{job=~"$job"}'])
        self.assertEqual(cp.variable_query_selectors("query_result(topk(5, up))"), ["topk(5, up)"])
        self.assertEqual(cp.variable_query_selectors("label_names()"), [])


class ExpositionTest(unittest.TestCase):
    def test_sample_exposition(self):
        with open(SAMPLE) as f:
            expo = cp.parse_exposition(f.read())
        self.assertIn("http_requests_total", expo)
        self.assertEqual(expo["http_requests_total"].keys(), {"method", "endpoint", "code"})
        self.assertIn("/api/events/{id}", expo["http_requests_total"]["endpoint"])
        self.assertIn("0.8", expo["http_request_latency_seconds_bucket"]["le"])
        for name in ["db_active_connections", "db_max_connections", "db_pool_exhausted_total", "db_pool_wait_seconds_bucket",
                     "http_requests_in_flight", "process_cpu_seconds_total", "process_resident_memory_bytes",
                     "process_open_fds", "process_start_time_seconds", "tickets_build_info"]:
            self.assertIn(name, expo)

    def test_histogram_type_declares_its_series(self):
        expo = cp.parse_exposition("# TYPE h histogram\n# TYPE c counter\n")
        self.assertEqual(set(expo), {"h_bucket", "h_sum", "h_count", "c"})


class CheckTest(unittest.TestCase):
    """The whole script, run on small rule files against the sample exposition."""

    def run_check(self, rules=None, dashboard=None, extra=(), metrics=SAMPLE):
        with tempfile.TemporaryDirectory() as tmp:
            args = [sys.executable, os.path.join(HERE, "check_promql.py"), "--metrics-file", metrics]
            rule_path = os.path.join(tmp, "rules.yml")
            with open(rule_path, "w") as f:
                f.write("groups:\n  - name: t\n    rules:\n")
                for i, expr in enumerate(rules or []):
                    f.write(f"      - record: t:r{i}\n        expr: {json.dumps(expr)}\n")
            args += ["--rules", rule_path]
            if dashboard is not None:
                dash_path = os.path.join(tmp, "d.json")
                with open(dash_path, "w") as f:
                    json.dump(dashboard, f)
                args += ["--dashboards", dash_path]
            else:
                args += ["--dashboards"]
            res = subprocess.run(args + list(extra), capture_output=True, text=True)
            return res.returncode, res.stdout + res.stderr

    def test_good_rules_pass(self):
        code, out = self.run_check(['sum by (job) (rate(http_requests_total{code=~"5.."}[5m]))', "t:r0 / 2"])
        self.assertEqual(code, 0, out)

    def test_parse_error_fails(self):
        code, out = self.run_check(["sum(rate(http_requests_total[5m])"])
        self.assertEqual(code, 1, out)
        self.assertIn("does not parse", out)

    def test_unknown_metric_fails(self):
        code, out = self.run_check(["rate(http_request_total[5m])"])
        self.assertEqual(code, 1, out)
        self.assertIn("unknown metric 'http_request_total'", out)

    def test_unknown_label_fails(self):
        code, out = self.run_check(['rate(http_requests_total{status="500"}[5m])'])
        self.assertEqual(code, 1, out)
        self.assertIn("no label 'status'", out)

    def test_missing_bucket_fails(self):
        code, out = self.run_check(['rate(http_request_latency_seconds_bucket{le="0.75"}[5m])'])
        self.assertEqual(code, 1, out)
        self.assertIn("no bucket le='0.75'", out)

    def test_scrape_labels_and_allow_list_pass(self):
        code, out = self.run_check(['up{job="x", namespace="tickets-dev", pod="p"}',
                                    'increase(kube_pod_container_status_restarts_total[5m])',
                                    'ALERTS{alertstate="firing"}', 'rate(container_cpu_usage_seconds_total[5m])'])
        self.assertEqual(code, 0, out)

    def test_dashboard_targets_and_undefined_variable(self):
        dash = {"templating": {"list": [{"name": "datasource", "type": "datasource"},
                                        {"name": "job", "type": "query", "query": {"query": "label_values(http_requests_total, job)"}}]},
                "panels": [{"title": "row", "type": "row", "panels": [
                    {"title": "p", "targets": [{"refId": "A", "expr": 'rate(http_requests_total{job=~"$job", pod=~"$pod"}[$__rate_interval])'}]}]}]}
        code, out = self.run_check(dashboard=dash)
        self.assertEqual(code, 1, out)
        self.assertIn("uses $pod, which the dashboard does not define", out)

    def test_require_core(self):
        dash = {"templating": {"list": []}, "panels": [{"title": "sold", "targets": [{"refId": "A", "expr": "rate(tickets_sold_total[5m])"}]}]}
        code, out = self.run_check(dashboard=dash)
        self.assertEqual(code, 0, out)
        code, out = self.run_check(dashboard=dash, extra=["--require-core"])
        self.assertEqual(code, 1, out)
        self.assertIn("'tickets_sold_total' is used but missing", out)

    def test_waiting_room_series(self):
        rules = ['max by (event_id) (queue_waiting)', 'max by (event_id) (deriv(queue_admitted[5m])) * 60',
                 'sum by (event_id) (rate(queue_joins_total[5m]))', 'sum by (reason) (rate(queue_joins_refused_total[5m]))',
                 'histogram_quantile(0.95, sum by (le) (rate(queue_wait_seconds_bucket[5m])))']
        code, out = self.run_check(rules, extra=["-v"])
        self.assertEqual(code, 0, out)
        self.assertRegex(out, r"ticketsd: [^\n]*queue_waiting")  # from the sample, labels checked
        # A ticketsd without an enabled queue exports only the refusals and the wait histogram.
        with tempfile.TemporaryDirectory() as tmp:
            bare = os.path.join(tmp, "metrics.txt")
            with open(SAMPLE) as f, open(bare, "w") as out_file:
                out_file.writelines(line for line in f if not re.match(
                    r"(# (HELP|TYPE) )?queue_(joins_total|waiting|admitted|admit_per_minute|oldest_wait_seconds)\b", line))
            code, out = self.run_check(rules, metrics=bare)
            self.assertEqual(code, 0, out)
            code, out = self.run_check(['rate(queue_wait_seconds_bucket{event_id="1"}[5m])'], metrics=bare)
            self.assertEqual(code, 1, out)
            self.assertIn("queue_wait_seconds_bucket has no label 'event_id'", out)
        code, out = self.run_check(['max by (event) (queue_waiting{event="1"})'])
        self.assertEqual(code, 1, out)
        self.assertIn("queue_waiting has no label 'event'", out)


if __name__ == "__main__":
    unittest.main()
