#!/usr/bin/python3
"""Drill 2, availability fast burn (docs/runbooks.md#2-availability-fast-burn): SLOAvailabilityFastBurn.

Usage: drills/fast_burn.py [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]

Two ticketsd replicas on PostgreSQL behind nginx, Prometheus and Alertmanager (drills/lib/drill.py);
buyers looping GET /api/events, GET /api/events/{id} and a purchase (basket and checkout of a free
ticket of the drill's own event: paid at once, no payment provider; drill.py free_event). The
fault is a bad release: the replicas are replaced one by one (rolling update, surge 1) by
replicas that answer 20% of GET /api/events with 500 (fault injection set before each new
replica joins the load balancer). SLOAvailabilityFastBurn must go pending, fire and page. The drill
runs the runbook's error-rate queries (the runbook's raw one, the alert's series, the failing
route) and `ticketsctl budget`, the deploy gate, which must show the burn and block deploys.
The fix is the rollback: the replicas are replaced again, one by one, by the previous release
(for this drill the same binary without the fault), and the alert must resolve.

Why it resolves later than the rollback: the alert reads the 5xx ratio of a 5-minute rate; it
clears when the errors are below 1% of the last 5 minutes' requests.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in drills/ or monitoring/e2e/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill as d  # noqa: E402

ALERT = "SLOAvailabilityFastBurn"
BAD = {"routes": {"/api/events": {"latency_ms": 0, "error_ratio": 0.2}}, "database_latency_ms": 0}


def scenario(drill):
    drill.setup(replicas=2)
    load = drill.start_load(threads=4, plan=["list", "detail", "buy"], pause=0.1, buy=True)
    drill.baseline(load, 6 if drill.short else 10)
    if not drill.short:
        drill.budget("before the release: the gate allows deploys")

    fault = drill.timeline.mark("fault injected", "release N+1 rolls out: 20% of GET /api/events answer 500")
    drill.replace_all(faults=BAD, what="release N+1")
    drill.expect_alert(ALERT, bound=45 if drill.short else 60)

    drill.log("runbook 2, step 1 (error rate), through the HTTP API:")
    drill.query('rate(http_requests_total{code=~"5.."}[5m]) / rate(http_requests_total[5m])',
                "the runbook's query, as written")
    drill.query('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))',
                "the same, summed")
    drill.query(f"job_namespace:slo_availability_errors:ratio_rate5m{d.SEL}", "the alert's series")
    drill.query(f"job_namespace_method_endpoint:http_requests_5xx:rate5m{d.SEL} > 0", "which route fails")
    drill.query(f"job_namespace:slo_availability:burnrate5m{d.SEL}", "burn rate, 5m")
    drill.budget("during the burn: the deploy gate")
    lines = drill.log_lines('"injected error"')
    drill.log(f"replica logs: {len(lines)} lines 'injected error'" + (f", e.g. {lines[0][1][:160]}" if lines else ""))
    drill.log(f"client side since the release: {load.describe(fault)}")

    if drill.no_fix:
        drill.log("--no-fix: release N+1 stays")
    else:
        drill.timeline.mark("action taken", "rollback: replicas replaced one by one by release N (no fault)")
        drill.replace_all(faults=None, what="rollback to release N")
    fixed = drill.timeline.first("action taken") or time.monotonic()
    drill.expect_resolved(ALERT, bound=90 if drill.short else 120)
    drill.log(f"client side between rollback and resolution: {load.describe(fixed)}")
    drill.query(f"job_namespace:slo_availability_errors:ratio_rate5m{d.SEL}", "after the rollback")


if __name__ == "__main__":
    sys.exit(d.main("fast_burn", __doc__, scenario))
