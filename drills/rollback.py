#!/usr/bin/python3
"""Drill 5, deployment rollback (docs/runbooks.md#5-deployment-rollback).

Usage: drills/rollback.py [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]

Two ticketsd replicas of release N on PostgreSQL behind nginx, Prometheus and Alertmanager
(drills/lib/drill.py); buyers looping GET /api/events, GET /api/events/{id} and a purchase (of a
free ticket: drill.py free_event).

Releases. N is the given ticketsd. N+1 is a copy of it whose embedded git revision (the one
`ticketsd --version` prints and `tickets_build_info{revision}` exports) has its first 8 characters
rewritten (see make_next_release), so that the metrics tell the two builds apart as they would two
real builds; the drill checks that the N+1 replicas export the new revision. Its defect is injected: 20% of GET /api/events answer 500 (fault injection set on each
N+1 replica before it joins the load balancer). Each release is named by its image tag,
sha-<revision>, as in the chart.

Deploying. scripts/deploy.sh only targets a cluster: it asks the error-budget gate
(`ticketsctl budget`) and then runs `helm upgrade backend deploy/helm/backend -n tickets-dev -f
deploy/helm/backend/values-dev.yaml --set image.tag=sha-<sha>`; its --dry-run runs nothing. So the
drill runs the real scripts/deploy.sh, gate included, against this drill's Prometheus
(PROMETHEUS_URL, TICKETSCTL beside ticketsd), with a stand-in `helm` first on PATH that only
records its arguments (as tests/release_gate/budget_gate_test.py does). The drill then does what
Helm and the Deployment controller would do with that call: a rolling update (maxSurge 1,
maxUnavailable 0) of the replicas to the release whose tag the call names. This is the runbook's
option C (redeploy the previous image through scripts/deploy.sh); options A and B (helm rollback,
kubectl rollout undo) need a cluster and are not exercised.

Steps: deploy N+1 (the gate allows it); SLOAvailabilityFastBurn goes pending, fires and pages;
the running revisions are read from tickets_build_info; the rollback to N through deploy.sh is
refused by the gate (the burn spent the budget) and goes through with --emergency "REASON", as
the runbook says; only N's revision is then scraped and answers through the load balancer, and
the alert resolves. With --no-fix the rollback is skipped and the drill fails.
"""

import hashlib
import os
import re
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in drills/ or monitoring/e2e/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill as d  # noqa: E402
import e2e_test as e2e  # noqa: E402

ALERT = "SLOAvailabilityFastBurn"
BAD = {"routes": {"/api/events": {"latency_ms": 0, "error_ratio": 0.2}}, "database_latency_ms": 0}
DEPLOY = os.path.join(d.ROOT, "scripts", "deploy.sh")


def revision_of(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=10).stdout
    m = re.search(r"\(revision ([0-9a-f]{7,40})\)", out)
    if not m:
        raise d.StepMissed(f"{binary} --version names no git revision: {out.strip()!r}")
    return m.group(1)


def make_next_release(drill, rev):
    """A copy of ticketsd whose revision string is another of the same length. Only its first 8
    characters change: besides the string itself, the compiler builds short std::strings from
    8-byte immediates (movabs), so the revision also appears split as its first 8 characters and
    the rest; rewriting every occurrence of those 8 changes every copy. Whether it worked is
    checked on the running replicas (tickets_build_info), not assumed."""
    head = rev[:8].encode()
    new = hashlib.sha256(f"N+1 {rev}".encode()).hexdigest()[:len(head)] + rev[len(head):]
    with open(drill.ticketsd, "rb") as f:
        data = f.read()
    count = data.count(head)
    path = os.path.join(drill.tmp, "ticketsd-next")
    with open(path, "wb") as f:
        f.write(data.replace(head, new[:len(head)].encode()))
    os.chmod(path, 0o755)
    if count == 0 or revision_of(path) != new:
        raise d.StepMissed(f"could not make release N+1 from {drill.ticketsd}")
    return new, path


def scraped_revisions(drill):
    return {r["metric"].get("revision") for r in drill.prom.query(f"tickets_build_info{d.SEL}")}


class Cluster:
    """scripts/deploy.sh with a stand-in helm; applies the recorded upgrade as a rolling update."""

    def __init__(self, drill, releases):
        self.drill, self.releases = drill, releases  # tag -> (binary, faults)
        bindir = os.path.join(drill.tmp, "bin")
        os.makedirs(bindir, exist_ok=True)
        self.calls = os.path.join(drill.tmp, "helm-calls")
        with open(os.path.join(bindir, "helm"), "w") as f:
            f.write("#!/bin/sh\n# Stand-in for helm in the rollback drill: records the call, changes nothing.\n"
                    f'printf "%s\\n" "$*" >> "{self.calls}"\n')
        os.chmod(os.path.join(bindir, "helm"), 0o755)
        self.env = dict(os.environ, PATH=bindir + os.pathsep + os.environ.get("PATH", ""),
                        TICKETSCTL=drill.ticketsctl, PROMETHEUS_URL=drill.prom_url)
        self.env.pop("AWS_ACCOUNT_ID", None)
        self.history = []  # tags, as `helm history` would list the revisions

    def deploy(self, sha, *extra):
        """Runs scripts/deploy.sh; returns (exit status, the helm call it made or None)."""
        before = open(self.calls).read().splitlines() if os.path.exists(self.calls) else []
        argv = ["bash", DEPLOY, "--env", "dev", "--sha", sha, *extra]
        shown = " ".join(["scripts/deploy.sh"] + [a if " " not in a else f'"{a}"' for a in argv[2:]])
        print(f"    $ {shown}", flush=True)
        p = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=60,
                           env=self.env, cwd=d.ROOT)  # one stream: the script's lines in their order
        for line in p.stdout.strip().splitlines():
            print(f"        {line}")
        print(f"        (exit status {p.returncode})", flush=True)
        after = open(self.calls).read().splitlines() if os.path.exists(self.calls) else []
        return p.returncode, (after[len(before):] or [None])[-1]

    def apply(self, call):
        """What the chart's Deployment does with `helm upgrade ... --set image.tag=TAG`."""
        m = re.search(r"--set image\.tag=(sha-[0-9a-f]+)", call or "")
        if not m or m.group(1) not in self.releases:
            raise d.StepMissed(f"the helm call names no known release: {call!r}")
        tag = m.group(1)
        binary, faults = self.releases[tag]
        self.history.append(tag)
        self.drill.replace_all(binary=binary, faults=faults, what=f"rollout of {tag}")
        return tag


def revisions_serving(drill, tries=12):
    """tickets_build_info revisions of the replicas that answer through the load balancer."""
    seen = {}
    for _ in range(tries):
        status, body = e2e.request(drill.lb_port, "GET", "/metrics")
        m = re.search(r'tickets_build_info\{[^}]*revision="([0-9a-f]+)"', body.decode("utf-8", "replace"))
        if status == 200 and m:
            seen[m.group(1)] = seen.get(m.group(1), 0) + 1
    return seen


def scenario(drill):
    rev_n = revision_of(drill.ticketsd)
    drill.setup(replicas=2)
    rev_next, next_binary = make_next_release(drill, rev_n)
    tag_n, tag_next = f"sha-{rev_n}", f"sha-{rev_next}"
    drill.log(f"release N: {tag_n} ({drill.given_ticketsd}); release N+1: {tag_next} (copy with the revision "
              f"rewritten, 20% 500 on GET /api/events)")
    cluster = Cluster(drill, {tag_n: (drill.ticketsd, None), tag_next: (next_binary, BAD)})
    cluster.history.append(tag_n)
    load = drill.start_load(threads=4, plan=["list", "detail", "buy"], pause=0.1, buy=True)
    drill.baseline(load, 6 if drill.short else 10)

    drill.log("deploying release N+1 with scripts/deploy.sh:")
    rc, call = cluster.deploy(rev_next)
    if rc != 0 or call is None:
        raise d.StepMissed(f"deploy.sh of N+1 did not run helm (exit {rc}); the gate should allow it on a "
                           "healthy budget")
    fault = drill.timeline.mark("fault injected", f"deploy.sh ran `helm {call}`; rolling update to N+1 starts")
    cluster.apply(call)
    drill.until(f"only revision {rev_next} scraped (the N+1 build runs)", lambda: scraped_revisions(drill) == {rev_next}, 15)
    drill.expect_alert(ALERT, bound=45 if drill.short else 60)

    drill.log("runbook 1 step 4 / runbook 5: which release runs, and what changed")
    drill.log(f"    helm history (the stand-in's record): {' -> '.join(cluster.history)}")
    drill.query(f"count by (revision) (tickets_build_info{d.SEL})", "revisions scraped now")
    drill.query(f"job_namespace:slo_availability_errors:ratio_rate5m{d.SEL}", "the alert's series")
    drill.log(f"client side since the deploy: {load.describe(fault)}")

    if drill.no_fix:
        drill.log("--no-fix: no rollback")
    else:
        drill.log(f"rollback to {tag_n} with scripts/deploy.sh (runbook 5, option C):")
        rc, call = cluster.deploy(rev_n)
        if call is None:
            drill.log(f"the gate refused the rollback (exit {rc}); the runbook's answer is --emergency with a reason")
            reason = f"rollback of {tag_next}: 5xx on GET /api/events"
            rc, call = cluster.deploy(rev_n, "--emergency", reason)
            if rc != 0 or call is None:
                raise d.StepMissed(f"deploy.sh --emergency did not run helm (exit {rc})")
        drill.timeline.mark("action taken", f"deploy.sh ran `helm {call}`; rolling update back to N starts")
        cluster.apply(call)
        drill.log(f"    helm history (the stand-in's record): {' -> '.join(cluster.history)}")
    fixed = drill.timeline.first("action taken") or time.monotonic()

    def only_n():
        return scraped_revisions(drill) == {rev_n} and set(revisions_serving(drill)) == {rev_n}
    drill.until(f"only revision {rev_n} scraped and answering", only_n, 20)
    drill.timeline.mark("old revision serves", f"tickets_build_info{{revision=\"{rev_n}\"}} only, scraped and "
                        f"through nginx ({revisions_serving(drill)})")
    drill.expect_resolved(ALERT, bound=90 if drill.short else 120)
    drill.query(f"count by (revision) (tickets_build_info{d.SEL})", "after the rollback")
    drill.log(f"client side since the rollback: {load.describe(fixed)}")


if __name__ == "__main__":
    sys.exit(d.main("rollback", __doc__, scenario))
