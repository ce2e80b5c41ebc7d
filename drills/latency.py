#!/usr/bin/python3
"""Drill 1, latency breach (docs/runbooks.md#1-latency-breach): LatencyP95Breaching.

Usage: drills/latency.py [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]

Two ticketsd replicas on PostgreSQL behind nginx, Prometheus and Alertmanager (drills/lib/drill.py),
catalogue readers looping GET /api/events, then twice GET /api/events/{id}. The fault: 900 ms on
GET /api/events in both replicas (PUT /api/admin/faults). LatencyP95Breaching must go pending,
fire and page. The drill then runs the runbook's investigation queries through the Prometheus
HTTP API (p95 overall and per route, pool usage, pool refusals, the running revisions) and
prints what they show: the slow route, and a pool that is not the cause. The fix is removing the
fault (DELETE /api/admin/faults on both replicas), and the alert must resolve.

Why it resolves later than the fault ends: the alert reads the p95 of a 5-minute rate. Once the
fault is gone it clears only when the slow requests are below 5% of the last 5 minutes' requests,
so the recovery time depends on how many slow requests the window holds against healthy ones,
not on the `for` (which resolving skips).
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in drills/ or monitoring/e2e/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill as d  # noqa: E402

ALERT = "LatencyP95Breaching"
FAULT = {"routes": {"/api/events": {"latency_ms": 900, "error_ratio": 0}}, "database_latency_ms": 0}


def scenario(drill):
    drill.setup(replicas=2)
    load = drill.start_load(threads=4, plan=["list", "detail", "detail"], pause=0.1)
    drill.baseline(load, 6 if drill.short else 10)

    for r in drill.serving:
        drill.set_faults(r, FAULT)
    fault = drill.timeline.mark("fault injected", "900 ms on GET /api/events in both replicas")
    drill.expect_alert(ALERT, bound=45 if drill.short else 60)

    drill.log("runbook 1, step 1 (latency panel) and step 3 (database pool), through the HTTP API:")
    drill.query(f"job_namespace:http_request_latency_seconds:p95_rate5m{d.SEL}", "the alert's series")
    drill.query(f"job_namespace_method_endpoint:http_request_latency_seconds:p95_rate5m{d.SEL} > 0.8",
                "which route is slow")
    drill.query(f"job_namespace:db_connections:saturation{d.SEL}", "pool in use over all replicas")
    drill.query(f"db_active_connections{d.SEL}", "the runbook's query, per replica")
    drill.query(f"job_namespace:db_pool_exhausted:rate5m{d.SEL}", "requests refused for want of a connection")
    drill.log("runbook 1, step 4 (recent deployments): the revisions running")
    drill.query(f"count by (version, revision) (tickets_build_info{d.SEL})")
    drill.log(f"client side since the fault: {load.describe(fault)}")

    if drill.no_fix:
        drill.log("--no-fix: the fault stays")
    else:
        for r in drill.serving:
            drill.clear_faults(r)
        drill.timeline.mark("action taken", "DELETE /api/admin/faults on both replicas")
    fixed = drill.timeline.first("action taken") or time.monotonic()
    drill.expect_resolved(ALERT, bound=60 if drill.short else 120)
    drill.log(f"client side between action and resolution: {load.describe(fixed)}")
    drill.query(f"job_namespace:http_request_latency_seconds:p95_rate5m{d.SEL}", "after the fix")


if __name__ == "__main__":
    sys.exit(d.main("latency", __doc__, scenario))
