#!/usr/bin/python3
"""Drill 3, database saturation (docs/runbooks.md#3-database-saturation): DatabaseConnectionSaturation.

Usage: drills/db_saturation.py [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]

Two ticketsd replicas on PostgreSQL with DB_POOL_SIZE=4 each behind nginx, Prometheus and
Alertmanager (drills/lib/drill.py); 24 readers looping GET /api/events/{id} (catalogue cache off,
so every read checks out a connection) with 0.4 s pauses. The fault is a slow database: every
checkout holds its connection 1 s longer (`database_latency_ms` in both replicas). The pools
fill: DatabaseConnectionSaturation must go pending, fire and open a ticket (warning), and ticketsd
must log `connection pool exhausted` (requests that waited DB_POOL_TIMEOUT_MS, answered 503). The
drill runs the runbook's queries (pool in use, per replica, the pool size the replicas report,
refusals, the wait for a connection). The fix is the runbook's medium-term one: the replicas are
restarted one by one with DB_POOL_SIZE=20 while the database stays as slow (the fault is set
again on each new replica before it joins), and the alert must resolve: 24 readers at about 1.4 s
a loop ask for some 17 connections at once, more than the 8 there are (so requests queue for
longer than DB_POOL_TIMEOUT_MS, 1 s, and are refused) but 43% of 40.

The saturation is an instant ratio of two gauges, not a windowed rate, so it resolves as soon as
the new replicas are scraped.
"""

import os
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in drills/ or monitoring/e2e/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill as d  # noqa: E402

ALERT = "DatabaseConnectionSaturation"
SLOW_DB = {"routes": {}, "database_latency_ms": 1000}


def scenario(drill):
    drill.setup(replicas=2, replica_env={"DB_POOL_SIZE": "4"})
    load = drill.start_load(threads=24, plan=["detail"], pause=0.4)
    drill.baseline(load, 5 if drill.short else 10)
    drill.query(f"job_namespace:db_connections:saturation{d.SEL}", "healthy: pool in use")

    for r in drill.serving:
        drill.set_faults(r, SLOW_DB)
    fault = drill.timeline.mark("fault injected", "slow database: each checkout holds its connection 1 s longer")
    drill.expect_alert(ALERT, bound=40 if drill.short else 60)

    exhausted = drill.until("ticketsd logs 'connection pool exhausted'",
                            lambda: drill.log_lines('"msg":"connection pool exhausted"'), 20)
    name, line = exhausted[0]
    line = line[line.find('"level"'):]  # without the timestamp
    drill.timeline.mark("log line", f"{len(exhausted)} x 'connection pool exhausted', e.g. {name}: {line[:150]}")

    drill.log("runbook 3, step 1 (connection count), through the HTTP API:")
    drill.query(f"job_namespace:db_connections:saturation{d.SEL}", "the alert's series")
    drill.query(f"db_active_connections{d.SEL}", "the runbook's query, per replica")
    drill.query(f"sum(db_active_connections{d.SEL})", "in use over all replicas")
    drill.query(f"sum(db_max_connections{d.SEL})", "pool size as reported (replicas x DB_POOL_SIZE)")
    drill.query(f"job_namespace:db_pool_exhausted:rate5m{d.SEL}", "refused for want of a connection, per second")
    drill.query(f"job_namespace:db_pool_wait_seconds:p95_rate5m{d.SEL}", "p95 wait for a connection")
    drill.query(f'sum by (code) (rate(http_requests_total{{job="backend",endpoint="/api/events/{{id}}"}}[1m]))',
                "what buyers get, by status code")
    s = load.stats(fault)
    drill.log(f"client side since the fault: {load.describe(fault)}; 503: {s['503']}")

    if drill.no_fix:
        drill.log("--no-fix: the pools stay at 4")
    else:
        drill.timeline.mark("action taken", "replicas restarted one by one with DB_POOL_SIZE=20 (database still slow)")
        drill.replace_all(overrides={"DB_POOL_SIZE": "20"}, faults=SLOW_DB, what="DB_POOL_SIZE=20")
    rolled = time.monotonic()
    fixed = drill.timeline.first("action taken") or rolled
    drill.expect_resolved(ALERT, bound=30 if drill.short else 60)
    drill.wait_scraped()
    drill.query(f"job_namespace:db_connections:saturation{d.SEL}", "after the restart, database still slow")
    drill.query(f"sum(db_max_connections{d.SEL})", "pool size now")
    drill.query(f"sum(db_active_connections{d.SEL})", "connections in use: more than before the fix, not fewer")
    drill.log(f"client side since the action: {load.describe(fixed)}")
    # Only the new replicas serve since `rolled`: with pools of 20 nobody waits 1 s for a connection.
    time.sleep(max(0.0, rolled + 4 - time.monotonic()))
    drill.log(f"client side since the last old replica left: {load.describe(rolled)}")
    if load.stats(rolled)["503"]:
        raise d.StepMissed("503 answers go on with the larger pools")


if __name__ == "__main__":
    sys.exit(d.main("db_saturation", __doc__, scenario))
