#!/usr/bin/python3
"""The deploy gate `ticketsctl budget` against a real Prometheus holding known history.

Usage: /usr/bin/python3 tests/release_gate/budget_gate_test.py TICKETSCTL [--keep-tmp]

What it does, on 127.0.0.1 with ports the kernel picks, in a temporary directory:

  1. Writes 28 days of history for several namespaces, one per policy state, as OpenMetrics:
     the 5-minute rates the SLO recording rules keep (`job_namespace:slo_requests:rate5m` and its
     siblings, every 30 minutes) and, for the last 7 hours, the raw counters of ticketsd
     (`http_requests_total`, `http_request_latency_seconds_bucket/_count`) that the short
     windows are computed from. Turns it into TSDB blocks with
     `promtool tsdb create-blocks-from openmetrics`.
  2. Starts Prometheus on those blocks with the real recording rules of
     monitoring/rules/slo-*.yml (evaluated every second), waits for them.
  3. Runs TICKETSCTL against each namespace and checks the exit code (0 allowed, 3 blocked,
     4 Prometheus unreachable, 2 usage), the state, the remaining budgets and burn rates in the
     --json document against what the history implies, and the text form.
  4. Runs scripts/deploy.sh against those namespaces with a test double in place of helm (no
     Helm or cluster here) that records its arguments: the runbook's `helm upgrade` runs when
     the gate allows, never when it blocks or cannot be asked, and past it only with
     --emergency and a reason.

Everything started is stopped in all cases; bounded (hard limit 150 s). Exit status 1 when any
check failed.
"""

import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
RULES = [os.path.join(ROOT, "monitoring", "rules", f) for f in ("slo-availability.yml", "slo-latency.yml")]
DEADLINE = time.monotonic() + 150

DAY = 86400
WINDOW = 28 * DAY
# The recorded 5m rates are kept every 30 minutes for the last 2 days and every 6 hours before
# (every scenario is constant that far back): promtool writes one block per 2 hours that holds
# samples, and the block count is what its time goes on.
FINE_STEP, FINE_SPAN, COARSE_STEP = 1800, 2 * DAY, 6 * 3600
RAW_STEP = 120       # seconds between samples of the raw counters
RAW_SPAN = 7 * 3600  # the short windows (5m .. 6h) read the raw counters
RATE = 100.0         # requests per second, constant


# Each scenario: the 5xx ratio and the slow (> 0.8 s) ratio as functions of the age of a sample
# in seconds; the expected policy state and exit code.
def constant(value):
    return lambda age: value


def recent(value_recent, value_before, span):
    return lambda age: value_recent if age < span else value_before


SCENARIOS = {
    "tickets-healthy": (constant(0.0001), constant(0.01), "healthy", 0),
    "tickets-caution": (constant(0.0004), constant(0.005), "caution", 0),
    "tickets-freeze": (constant(0.00065), constant(0.01), "freeze non-critical", 0),
    # Availability healthy, latency nearly spent: the lower budget decides.
    "tickets-slow": (constant(0.0001), constant(0.045), "full freeze", 3),
    "tickets-exhausted": (constant(0.0015), constant(0.01), "exhausted", 3),
    # A healthy month, then 6 hours of 0.5% errors (5x): a burn that projects exhaustion. (The
    # recorded samples of the last 2 days are denser, so they weigh more in the 28-day ratio than
    # their time would; the expected figures are computed from the same samples.)
    "tickets-burning": (recent(0.005, 0.0001, 6 * 3600), constant(0.01), None, None),
}


def recorded_times(now):
    coarse = range(now - WINDOW - COARSE_STEP, now - FINE_SPAN, COARSE_STEP)
    return list(coarse) + list(range(now - FINE_SPAN, now + 1, FINE_STEP))


def expected(ratio, window, now, extra=0):
    """The ratio over `window` seconds as the recording rules see it: a ratio of sums of the
    recorded 5m rates, i.e. the mean of the samples in the window, plus `extra` samples the rules
    themselves recorded since Prometheus started (each at the current ratio)."""
    values = [ratio(now - t) for t in recorded_times(now) if t > now - window]
    return (sum(values) + extra * ratio(0)) / (len(values) + extra)


def within(got, ratio, window, now, extra, to_figure):
    """Whether `got` lies between the figures with none and with `extra` samples recorded since."""
    if got is None:
        return False
    a = to_figure(expected(ratio, window, now))
    b = to_figure(expected(ratio, window, now, extra))
    lo, hi = min(a, b), max(a, b)
    return lo - 0.01 * abs(lo) - 0.005 <= got <= hi + 0.01 * abs(hi) + 0.005


class Checks:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"  ok    {name}")
        else:
            self.failed += 1
            print(f"  FAIL  {name} {detail}")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def write_history(path, now):
    labels = 'job="backend",namespace="{ns}"'
    raw_labels = labels + ',method="GET",endpoint="/api/events"'
    with open(path, "w") as out:
        # Recorded 5m rates, interleaved by time (promtool wants each series in time order).
        for t in recorded_times(now):
            age = now - t
            for ns, (errors, slow, _, _) in SCENARIOS.items():
                lab = labels.format(ns=ns)
                out.write(f"job_namespace:slo_requests:rate5m{{{lab}}} {RATE} {t}\n")
                out.write(f"job_namespace:slo_requests_errors:rate5m{{{lab}}} {RATE * errors(age)} {t}\n")
                out.write(f"job_namespace:slo_latency_requests:rate5m{{{lab}}} {RATE} {t}\n")
                out.write(f"job_namespace:slo_latency_fast:rate5m{{{lab}}} {RATE * (1 - slow(age))} {t}\n")
        # Raw counters of the last hours, integrated from the same ratios.
        totals = {ns: [0.0, 0.0, 0.0] for ns in SCENARIOS}  # ok, 5xx, fast
        t = now - RAW_SPAN
        while t <= now:
            age = now - t
            for ns, (errors, slow, _, _) in SCENARIOS.items():
                lab = raw_labels.format(ns=ns)
                count = totals[ns]
                out.write(f'http_requests_total{{{lab},code="200"}} {count[0]} {t}\n')
                out.write(f'http_requests_total{{{lab},code="500"}} {count[1]} {t}\n')
                out.write(f'http_request_latency_seconds_bucket{{{lab},le="0.8"}} {count[2]} {t}\n')
                out.write(f"http_request_latency_seconds_count{{{lab}}} {count[0] + count[1]} {t}\n")
                n = RATE * RAW_STEP
                count[0] += n * (1 - errors(age))
                count[1] += n * errors(age)
                count[2] += n * (1 - slow(age))
            t += RAW_STEP
        out.write("# EOF\n")


def run_ctl(ctl, *args, timeout=30):
    proc = subprocess.run([ctl, *args], capture_output=True, text=True, timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def prom_query(port, query):
    url = f"http://127.0.0.1:{port}/api/v1/query?" + urllib.parse.urlencode({"query": query})
    with urllib.request.urlopen(url, timeout=5) as r:
        return json.load(r)["data"]["result"]


def check_deploy_script(checks, ctl, url, tmp):
    """scripts/deploy.sh asks the gate, then runs the runbook's helm upgrade. Helm is replaced
    by a test double that records its arguments (no Helm or cluster exists here)."""
    bindir = os.path.join(tmp, "bin")
    os.makedirs(bindir, exist_ok=True)
    calls = os.path.join(tmp, "helm-calls")
    with open(os.path.join(bindir, "helm"), "w") as f:
        f.write(f'#!/bin/sh\nprintf "%s\\n" "$*" >> "{calls}"\n')
    os.chmod(os.path.join(bindir, "helm"), 0o755)
    env = dict(os.environ, PATH=bindir + os.pathsep + os.environ["PATH"], TICKETSCTL=ctl,
               PROMETHEUS_URL=url)
    env.pop("AWS_ACCOUNT_ID", None)
    script = os.path.join(ROOT, "scripts", "deploy.sh")

    def deploy(*args, prometheus=url):
        if os.path.exists(calls):
            os.unlink(calls)
        proc = subprocess.run(["bash", script, *args], capture_output=True, text=True, timeout=60,
                              env=dict(env, PROMETHEUS_URL=prometheus))
        helm = open(calls).read().splitlines() if os.path.exists(calls) else []
        return proc.returncode, proc.stdout + proc.stderr, helm

    runbook = ("upgrade backend deploy/helm/backend -n tickets-dev "
               "-f deploy/helm/backend/values-dev.yaml --set image.tag=sha-abcdef1")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-healthy")
    checks.check("deploy.sh: healthy budget -> the runbook's helm upgrade, once",
                 rc == 0 and helm == [runbook], f"exit {rc} helm {helm} {out}")
    rc, out, helm = deploy("--env", "prod", "--sha", "abcdef1", "--budget-namespace", "tickets-caution")
    checks.check("deploy.sh: prod uses tickets-prod and values-prod.yaml",
                 rc == 0 and helm == [runbook.replace("dev", "prod")], f"exit {rc} helm {helm}")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-slow")
    checks.check("deploy.sh: below 25% refused (exit 3), helm not run, the reason shown",
                 rc == 3 and helm == [] and "REFUSED" in out and "latency" in out, f"exit {rc} helm {helm} {out}")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-exhausted",
                           "--emergency", "rollback to sha-1234567 after the checkout incident")
    checks.check("deploy.sh: --emergency with a reason deploys past the gate and says so",
                 rc == 0 and helm == [runbook] and "EMERGENCY" in out and "checkout incident" in out,
                 f"exit {rc} helm {helm} {out}")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-silent")
    checks.check("deploy.sh: no budget data refused", rc == 3 and helm == [], f"exit {rc} helm {helm}")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-healthy",
                           prometheus=f"http://127.0.0.1:{free_port()}")
    checks.check("deploy.sh: Prometheus unreachable refused", rc == 3 and helm == [] and "could not be read" in out,
                 f"exit {rc} helm {helm} {out}")
    rc, out, helm = deploy("--sha", "latest")
    checks.check("deploy.sh: a tag that is not a sha is refused before anything runs", rc == 2 and helm == [],
                 f"exit {rc} {out}")
    rc, out, helm = deploy("--sha", "abcdef1", "--budget-namespace", "tickets-healthy", "--dry-run")
    checks.check("deploy.sh: --dry-run prints the command and runs nothing",
                 rc == 0 and helm == [] and "helm " + runbook in out, f"exit {rc} {out}")


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    ctl = os.path.abspath(sys.argv[1])
    keep = "--keep-tmp" in sys.argv[2:]
    for tool in ("prometheus", "promtool"):
        if shutil.which(tool) is None:
            print(f"budget gate: {tool} is not installed (Debian package prometheus)")
            return 1
    tmp = tempfile.mkdtemp(prefix="tickets-budget-gate-")
    checks = Checks()
    prometheus = None
    try:
        now = int(time.time())
        history = os.path.join(tmp, "history.om")
        data = os.path.join(tmp, "data")
        write_history(history, now)
        started = time.monotonic()
        subprocess.run(["promtool", "tsdb", "create-blocks-from", "openmetrics", "--quiet", history, data],
                       check=True, timeout=max(10, DEADLINE - time.monotonic()))
        print(f"budget gate: 28 days of history in TSDB blocks in {time.monotonic() - started:.1f} s")

        port = free_port()
        config = os.path.join(tmp, "prometheus.yml")
        with open(config, "w") as f:
            f.write("global:\n  evaluation_interval: 1s\nrule_files:\n")
            for rule in RULES:
                f.write(f"  - {rule}\n")
        log = open(os.path.join(tmp, "prometheus.log"), "w")
        prometheus = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={data}",
             "--storage.tsdb.retention.time=60d", f"--web.listen-address=127.0.0.1:{port}"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        prometheus_started = time.time()

        # The rules have run once every namespace has a remaining budget and a 1h burn rate.
        while True:
            if time.monotonic() > DEADLINE or prometheus.poll() is not None:
                checks.check("Prometheus evaluates the SLO rules on the history", False,
                             f"(see {log.name})")
                return 1
            try:
                ready = prom_query(port, "count(job_namespace:slo_latency:error_budget_remaining)"
                                         " + count(job_namespace:slo_availability:burnrate1h)")
                if ready and float(ready[0]["value"][1]) >= 2 * len(SCENARIOS):
                    break
            except OSError:
                pass
            time.sleep(0.5)
        url = f"http://127.0.0.1:{port}"
        print(f"budget gate: Prometheus ready with the rules in {time.monotonic() - started:.1f} s")

        for ns, (errors, slow, state, code) in SCENARIOS.items():
            rc, out, err = run_ctl(ctl, "budget", "--prometheus", url, "--namespace", ns, "--json")
            try:
                doc = json.loads(out)
            except ValueError:
                checks.check(f"{ns}: --json prints one JSON document", False, f"rc={rc} out={out!r} err={err!r}")
                continue
            avail, lat = doc["slos"][0], doc["slos"][1]
            # Evaluations since Prometheus started, each one more recorded sample (an upper bound).
            extra = int(time.time() - prometheus_started) + 2
            remaining = lambda budget: lambda ratio: 1 - ratio / budget
            want_avail = remaining(0.001)(expected(errors, WINDOW, now))
            want_lat = remaining(0.05)(expected(slow, WINDOW, now))
            checks.check(f"{ns}: availability budget remaining {want_avail:.3f}",
                         avail["slo"] == "availability"
                         and within(avail["remaining"], errors, WINDOW, now, extra, remaining(0.001)),
                         f"got {avail['remaining']}")
            checks.check(f"{ns}: latency budget remaining {want_lat:.3f}",
                         lat["slo"] == "latency"
                         and within(lat["remaining"], slow, WINDOW, now, extra, remaining(0.05)),
                         f"got {lat['remaining']}")
            want_burn_1h = errors(0) / 0.001
            got_burn_1h = avail["burn_rates"]["1h"]
            checks.check(f"{ns}: availability burn rate 1h {want_burn_1h:.2f}x",
                         got_burn_1h is not None and math.isclose(got_burn_1h, want_burn_1h, rel_tol=0.05),
                         f"got {got_burn_1h}")
            want_burn_1d = expected(errors, DAY, now) / 0.001
            got_burn_1d = avail["burn_rates"]["24h"]
            checks.check(f"{ns}: availability burn rate 24h {want_burn_1d:.2f}x",
                         within(got_burn_1d, errors, DAY, now, extra, lambda ratio: ratio / 0.001),
                         f"got {got_burn_1d}")
            if state is not None:
                checks.check(f"{ns}: state {state}, exit {code}",
                             doc["state"] == state and rc == code and doc["deploy_allowed"] == (code == 0),
                             f"got state {doc['state']!r} exit {rc}")

        # The burn: 5x over the last hour against about 60% left projects exhaustion in
        # remaining x 28 d / 5, about 3.4 days.
        rc, out, _ = run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-burning", "--json")
        doc = json.loads(out)
        avail = doc["slos"][0]
        remaining = avail["remaining"]
        projected = avail["projected_exhaustion_seconds"]
        want = max(remaining, 0) * WINDOW / avail["burn_rates"]["1h"]
        # Each second Prometheus records one more sample at 5x, so the state can move from
        # caution to freeze non-critical while the test runs; either way above 25%: allowed.
        checks.check("tickets-burning: above 25% and allowed (the 28-day budget is what gates)",
                     doc["state"] in ("caution", "freeze non-critical") and rc == 0,
                     f"got {doc['state']} exit {rc}")
        checks.check(f"tickets-burning: exhaustion projected in {want / 3600:.1f} h at the last hour's burn",
                     projected["1h"] is not None and abs(projected["1h"] - want) < 120, f"got {projected}")
        checks.check("tickets-burning: a 1x-or-less burn projects nothing (healthy namespace)",
                     json.loads(run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-healthy",
                                        "--json")[1])["slos"][0]["projected_exhaustion_seconds"]["1h"] is None)

        # The text form says what people need.
        rc, out, _ = run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-slow")
        checks.check("text: the blocking SLO, state and verdict are printed",
                     rc == 3 and "full freeze" in out and "latency" in out and "Deploy: BLOCKED" in out, out)
        rc, out, _ = run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-healthy")
        checks.check("text: a healthy namespace is allowed", rc == 0 and "Deploy: allowed" in out, out)

        # No data is a failed check, not a full budget.
        rc, out, _ = run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-silent", "--json")
        doc = json.loads(out)
        checks.check("no data: state unknown, blocked (exit 3)",
                     rc == 3 and doc["state"] == "unknown" and not doc["deploy_allowed"], f"exit {rc} {out}")
        rc, _, _ = run_ctl(ctl, "budget", "--prometheus", url, "-n", "tickets-healthy", "--job", "other")
        checks.check("--job narrows to one job (no such job: blocked)", rc == 3, f"exit {rc}")

        # Usage errors and an unreachable Prometheus.
        rc, _, err = run_ctl(ctl, "budget", "--prometheus", url, "-n", 'x"}or vector(1)')
        checks.check("a namespace that is not a Kubernetes name is refused (exit 2)", rc == 2, f"exit {rc} {err}")
        dead = free_port()
        rc, _, err = run_ctl(ctl, "budget", "--prometheus", f"http://127.0.0.1:{dead}", "--timeout-ms", "2000")
        checks.check("Prometheus unreachable: exit 4 with the reason", rc == 4 and "cannot reach" in err, f"exit {rc} {err}")
        rc, _, err = run_ctl(ctl, "budget", "--prometheus", "https://prometheus.example")
        checks.check("https URL refused with the port-forward hint (exit 4)", rc == 4 and "port-forward" in err,
                     f"exit {rc} {err}")
        rc, _, _ = run_ctl(ctl)
        checks.check("no subcommand: usage (exit 2)", rc == 2, f"exit {rc}")

        check_deploy_script(checks, ctl, url, tmp)
    finally:
        if prometheus is not None and prometheus.poll() is None:
            os.killpg(prometheus.pid, signal.SIGTERM)
            try:
                prometheus.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(prometheus.pid, signal.SIGKILL)
                prometheus.wait()
        if keep:
            print(f"budget gate: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"budget gate: {checks.passed} passed, {checks.failed} failed")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
