#!/usr/bin/python3
"""End-to-end test of the monitoring package against a real ticketsd, Prometheus and Alertmanager.

Usage: /usr/bin/python3 monitoring/e2e/e2e_test.py TICKETSD [--keep-tmp]

  TICKETSD    path of a built ticketsd binary (e.g. build/src/ticketsd)
  --keep-tmp  keep the temporary directory (configs, data, logs) and print its path

What it does, all on 127.0.0.1 with ports the kernel picks, in a temporary directory:

  1. Starts a webhook receiver (an HTTP server in this script that records every POST), a real
     Alertmanager (`prometheus-alertmanager`, no gossip port) whose configuration is the real
     monitoring/alertmanager/alertmanager.yml with its receivers `page` and `ticket` pointed at
     the webhook (/page, /ticket) and its group timings shortened, and ticketsd (SQLite,
     FAULT_INJECTION=true, DB_POOL_SIZE=5). It injects 900 ms and a 30% error ratio on
     GET /api/events and sends a short warm-up so that every series exists, and only then starts
     a real Prometheus (scrape and evaluation every 1 s) loading the real recording rules of
     monitoring/rules/ and a test copy of the alert files: same names, expressions, labels and
     annotations, `for` shortened (1 minute -> 0.4 s, at least 2 s). Because Prometheus first
     sees every series after the warm-up, what the rules compute is exactly the traffic that
     follows, which the script counts itself. Alerts without `for` (TicketsOversold) keep none.
  2. Phase 1, 30 s: as it starts, one ticket type is oversold by a write straight into the SQLite
     file (sold = capacity + 1, no tickets); then 6 threads, each looping 4 x GET /api/events
     (slow, 30% 500) and 1 x GET /api/events/{id} (fast; a third of them 404, which is not an
     error). Then, through /api/v1/query, the recording rules must report
     the 5xx ratio and availability the client saw (5m, 30m, 1h, 6h windows), the share of
     requests within 0.8 s, and the p95 that the histogram interpolation gives (see
     expected_p95), overall and per route; and through /api/v1/alerts, LatencyP95Breaching and
     SLOAvailabilityFastBurn must have been pending, then firing no earlier than their `for`,
     and reached the webhook `page` with status firing. TicketsOversold must have fired, never
     pending, for both checks (oversold and sold_vs_tickets) within ticketsd's check interval
     (15 s) and a few seconds of the write, and reached the webhook `page`.
  3. Phase 2, 12 s: database latency 1 s, 8 threads on GET /api/events/{id}: the pool of 5 is
     full, job_namespace:db_connections:saturation reports 1, and DatabaseConnectionSaturation
     goes pending, fires and reaches the webhook `ticket` (warning opens a ticket).
  4. The warning burn-rate alerts of the same SLOs, firing too by then, are inhibited in
     Alertmanager by the pages (the real inhibit rule) and never reach `ticket`; every rule
     evaluated without error; check_promql.py passes against the live /metrics.

The burn-rate alerts of alerts-slo-burn.yml are in the test copy, but their long windows
(1h, 6h, 1d, 3d) hold only this test's minute of data, so they fire on it like the short ones:
that shows they evaluate on real data, not that their windows are right. The window arithmetic is
proven by the promtool tests in monitoring/tests/. PodCrashLooping needs kube-state-metrics and
cannot fire here.

Everything started is stopped (process groups, SIGTERM then SIGKILL) in all cases; the whole run
is bounded (about 75 s, hard limit 170 s). Prints progress, one line per check, and ends with
`e2e: N passed, M failed`; exit status 1 when anything failed.
"""

import calendar
import http.client
import http.server
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
MONITORING = os.path.dirname(HERE)
RULES_DIR = os.path.join(MONITORING, "rules")
ALERTMANAGER_CONFIG = os.path.join(MONITORING, "alertmanager", "alertmanager.yml")
PROMETHEUS_TEMPLATE = os.path.join(HERE, "prometheus.yml.in")

TIME_LIMIT = 170            # seconds, hard limit of the whole test (SIGALRM)
FOR_SCALE = 150             # test `for` = real `for` / 150 (15m -> 6s, 10m -> 4s, 1h -> 24s)
FOR_MIN = 2.0               # ... and at least 2 s, so that pending is seen
JOB = "backend"

PHASE1_SECONDS = 30
PHASE1_THREADS = 6
SLOW_PER_FAST = 4           # per loop: 4 slow GET /api/events, 1 fast GET /api/events/{id}
LATENCY_MS = 900
ERROR_RATIO = 0.3
PHASE2_SECONDS = 12
PHASE2_THREADS = 8
DB_POOL_SIZE = 5
DB_LATENCY_MS = 1000

RECEIVER_FOR = {"critical": "page", "high": "page", "warning": "ticket"}
ALERTS_PHASE1 = ["SLOAvailabilityFastBurn", "LatencyP95Breaching"]
ALERT_PHASE2 = "DatabaseConnectionSaturation"
INVARIANT_ALERT = "TicketsOversold"
INVARIANT_CHECKS = {"oversold", "sold_vs_tickets"}
INVARIANT_CHECK_SECONDS = 15  # ticketsd checks the selling invariant this often
INHIBITED = {  # warning alert -> page of the same SLO that inhibits it
    "SLOAvailabilityBudgetBurn3d": "SLOAvailabilityFastBurn",
    "SLOLatencyBudgetBurn3d": "LatencyP95Breaching",
}

T0 = time.monotonic()


def log(msg):
    print(f"e2e: [{time.monotonic() - T0:5.1f}s] {msg}", flush=True)


class Results:
    def __init__(self):
        self.passed = 0
        self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print(f"ok   {name}" + (f" ({detail})" if detail else ""), flush=True)
        else:
            self.failed += 1
            print(f"FAIL {name}" + (f": {detail}" if detail else ""), flush=True)
        return ok


class Abort(Exception):
    """A step the rest of the test depends on failed."""


class TimeLimit(BaseException):
    pass


# --------------------------------------------------------------------------- HTTP helpers

def request(port, method, path, body=None, headers=None, timeout=5.0):
    """One HTTP request to 127.0.0.1:port on a fresh connection (never through a proxy)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


def get_json(port, path, timeout=5.0):
    status, body = request(port, "GET", path, timeout=timeout)
    if status != 200:
        raise RuntimeError(f"GET {path}: HTTP {status}: {body[:200]!r}")
    return json.loads(body)


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def parse_rfc3339(text):
    m = re.match(r"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$", text)
    if not m:
        return None
    t = calendar.timegm(time.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S"))
    if m.group(2):
        t += float("0" + m.group(2))
    if m.group(3) != "Z":
        sign = 1 if m.group(3)[0] == "+" else -1
        t -= sign * (int(m.group(3)[1:3]) * 3600 + int(m.group(3)[4:6]) * 60)
    return t


def parse_duration(text):
    """A Prometheus duration (e.g. 15m, 1h30m, 500ms) in seconds."""
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}
    parts = re.findall(r"(\d+)(ms|s|m|h|d|w|y)", str(text))
    if not parts or "".join(n + u for n, u in parts) != str(text):
        raise ValueError(f"not a duration: {text!r}")
    return sum(int(n) * units[u] for n, u in parts)


# --------------------------------------------------------------------------- processes

class Processes:
    """Children started in their own process group; stop() ends every group it started."""

    def __init__(self, tmp):
        self.tmp = tmp
        self.procs = {}  # name -> (Popen, log path)

    def start(self, name, argv, env=None):
        path = os.path.join(self.tmp, f"{name}.log")
        out = open(path, "ab")
        try:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, cwd=self.tmp, start_new_session=True)
        finally:
            out.close()
        self.procs[name] = (p, path)
        return p

    def log_text(self, name):
        try:
            with open(self.procs[name][1], "rb") as f:
                return f.read().decode("utf-8", "replace")
        except (KeyError, OSError):
            return ""

    def stop(self, name, timeout=5.0):
        """SIGTERM to the process group, SIGKILL after timeout. Returns the exit status."""
        entry = self.procs.pop(name, None)
        if entry is None:
            return None
        p = entry[0]
        if p.poll() is None:
            try:
                os.killpg(p.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                log(f"{name} did not stop within {timeout:.0f}s, killing it")
        try:  # whatever is left of the group (the leader may have exited before its children)
            os.killpg(p.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        return p.returncode

    def stop_all(self):
        for name in list(self.procs):
            self.stop(name)


def listening_port(procs, name):
    """The port ticketsd `name` logged that it listens on (PORT=0 lets it pick), or None yet."""
    for line in procs.log_text(name).splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get("msg") == "listening" and rec.get("port"):
            return int(rec["port"])
    return None


def wait_until(what, fn, timeout, interval=0.2, proc=None):
    """Calls fn until it returns a truthy value; raises Abort after timeout or if proc exited."""
    deadline = time.monotonic() + timeout
    last_error = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise Abort(f"{what}: the process exited with status {proc.returncode}")
        try:
            value = fn()
            if value:
                return value
        except (OSError, http.client.HTTPException, RuntimeError, ValueError) as e:
            last_error = e
        time.sleep(interval)
    raise Abort(f"{what}: not within {timeout:.0f}s" + (f" (last error: {last_error})" if last_error else ""))


# --------------------------------------------------------------------------- webhook receiver

class Webhook:
    """HTTP server on 127.0.0.1 recording every POST: (monotonic time, path, JSON body)."""

    def __init__(self):
        self.received = []
        self.lock = threading.Lock()
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"unparsed": raw.decode("utf-8", "replace")}
                with hook.lock:
                    hook.received.append((time.monotonic(), self.path, body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True)
        self.thread.start()

    def firing(self, alertname):
        """(time, receiver path, payload) of the first notification naming alertname as firing."""
        with self.lock:
            for t, path, body in self.received:
                if body.get("status") != "firing":
                    continue
                for a in body.get("alerts", []):
                    if a.get("labels", {}).get("alertname") == alertname and a.get("status") == "firing":
                        return t, path, body
        return None

    def firing_alerts(self, alertname):
        """(time, receiver path, alert) of every firing alert named alertname in any notification."""
        with self.lock:
            return [(t, path, a) for t, path, body in self.received if body.get("status") == "firing"
                    for a in body.get("alerts", [])
                    if a.get("labels", {}).get("alertname") == alertname and a.get("status") == "firing"]

    def names(self):
        with self.lock:
            return sorted({(path, a.get("labels", {}).get("alertname"), a.get("status"))
                           for _, path, body in self.received for a in body.get("alerts", [])})

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --------------------------------------------------------------------------- configuration

def write_test_rules(tmp):
    """The rule files Prometheus loads: recording-only files as they are, alert files as test
    copies with `for` shortened (an alert without `for` keeps none). Returns
    (paths, {alertname: (test for seconds, real for seconds, rule)})."""
    paths, alerts = [], {}
    for name in sorted(os.listdir(RULES_DIR)):
        if not name.endswith(".yml"):
            continue
        src = os.path.join(RULES_DIR, name)
        with open(src) as f:
            doc = yaml.safe_load(f)
        has_alerts = any("alert" in r for g in doc["groups"] for r in g["rules"])
        if not has_alerts:
            paths.append(src)
            continue
        for group in doc["groups"]:
            for rule in group["rules"]:
                if "alert" not in rule:
                    continue
                if "for" not in rule:  # fires on its first evaluation, in the test as in production
                    alerts[rule["alert"]] = (0.0, 0.0, rule)
                    continue
                real = parse_duration(rule["for"])
                short = max(FOR_MIN, real / FOR_SCALE)
                rule["for"] = f"{round(short * 1000)}ms"
                alerts[rule["alert"]] = (short, real, rule)
        dst = os.path.join(tmp, "e2e-" + name)
        with open(dst, "w") as f:
            f.write(f"# Test copy of monitoring/rules/{name} made by e2e_test.py: `for` shortened.\n")
            yaml.safe_dump(doc, f, sort_keys=False, width=4096)
        paths.append(dst)
        # The copy differs from the source in `for` and nothing else.
        with open(src) as f_src, open(dst) as f_dst:
            a, b = yaml.safe_load(f_src), yaml.safe_load(f_dst)
        for doc_ in (a, b):
            for g in doc_["groups"]:
                for r in g["rules"]:
                    r.pop("for", None)
        if a != b:
            raise Abort(f"the test copy of {name} differs from it in more than `for`")
    return paths, alerts


def write_prometheus_config(tmp, rule_paths, am_port, ticketsd_port):
    with open(PROMETHEUS_TEMPLATE) as f:
        template = string.Template(f.read())
    text = template.substitute(
        rule_files="\n".join(f"  - {json.dumps(p)}" for p in rule_paths),
        alertmanager_port=am_port, ticketsd_port=ticketsd_port)
    path = os.path.join(tmp, "prometheus.yml")
    with open(path, "w") as f:
        f.write(text)
    return path


def write_alertmanager_config(tmp, webhook_port):
    """The real routing tree and inhibit rules; receivers replaced by the webhook; short timings."""
    with open(ALERTMANAGER_CONFIG) as f:
        cfg = yaml.safe_load(f)
    cfg["global"] = {"resolve_timeout": cfg.get("global", {}).get("resolve_timeout", "5m")}
    cfg.pop("templates", None)

    def shorten(route, top):
        for key, value in (("group_wait", "1s"), ("group_interval", "2s"), ("repeat_interval", "1h")):
            if top or key in route:
                route[key] = value
        for child in route.get("routes", []):
            shorten(child, False)

    shorten(cfg["route"], True)
    cfg["receivers"] = [{"name": r["name"],
                         "webhook_configs": [{"url": f"http://127.0.0.1:{webhook_port}/{r['name']}",
                                              "send_resolved": True}]}
                        for r in cfg["receivers"]]
    path = os.path.join(tmp, "alertmanager.yml")
    with open(path, "w") as f:
        f.write("# Made by e2e_test.py from monitoring/alertmanager/alertmanager.yml: "
                "receivers -> local webhook, short group timings.\n")
        yaml.safe_dump(cfg, f, sort_keys=False)
    return path, [r["name"] for r in cfg["receivers"]]


# --------------------------------------------------------------------------- Prometheus API

class Prom:
    def __init__(self, port):
        self.port = port

    def query(self, expr):
        data = get_json(self.port, "/api/v1/query?" + urllib.parse.urlencode({"query": expr}))
        if data.get("status") != "success":
            raise RuntimeError(f"query {expr}: {data}")
        return data["data"]["result"]

    def value(self, expr):
        """The value of a query that returns one series, or None."""
        result = self.query(expr)
        if len(result) != 1:
            return None
        return float(result[0]["value"][1])

    def alerts(self):
        return get_json(self.port, "/api/v1/alerts")["data"]["alerts"]

    def rules(self):
        return get_json(self.port, "/api/v1/rules")["data"]["groups"]


class AlertWatcher(threading.Thread):
    """Polls /api/v1/alerts every 0.25 s and records when each alert was first seen pending and
    firing, its activeAt and its value."""

    def __init__(self, prom):
        super().__init__(daemon=True)
        self.prom = prom
        self.stop_event = threading.Event()
        self.lock = threading.Lock()
        self.seen = {}  # alertname -> dict
        self.errors = 0

    def run(self):
        while not self.stop_event.wait(0.25):
            try:
                alerts = self.prom.alerts()
            except (OSError, http.client.HTTPException, RuntimeError, ValueError):
                self.errors += 1
                continue
            now_wall, now = time.time(), time.monotonic()
            with self.lock:
                for a in alerts:
                    name = a["labels"].get("alertname")
                    s = self.seen.setdefault(name, {"labels": a["labels"], "annotations": a.get("annotations", {})})
                    state = a.get("state")
                    if state in ("pending", "firing") and f"first_{state}" not in s:
                        s[f"first_{state}"] = now
                        s[f"first_{state}_wall"] = now_wall
                        s[f"value_{state}"] = a.get("value")
                        s[f"active_at_{state}"] = parse_rfc3339(a.get("activeAt", ""))
                        s["annotations"] = a.get("annotations", {})
                    s["last_state"] = state
                    s["last_seen"] = now

    def get(self, name):
        with self.lock:
            return dict(self.seen.get(name, {}))

    def stop(self):
        self.stop_event.set()
        self.join(timeout=5)


# --------------------------------------------------------------------------- traffic

class Traffic:
    """A few threads sending requests to ticketsd for a fixed time; records every answer."""

    def __init__(self, port):
        self.port = port
        self.lock = threading.Lock()
        self.results = []      # (path template, status or None, client latency seconds)
        self.failures = []     # exceptions

    def _get(self, template, path):
        start = time.monotonic()
        try:
            status, _ = request(self.port, "GET", path, timeout=10)
        except (OSError, http.client.HTTPException) as e:
            with self.lock:
                self.failures.append(f"{path}: {e!r}")
            return
        with self.lock:
            self.results.append((template, status, time.monotonic() - start))

    def run(self, threads, seconds, loop):
        deadline = time.monotonic() + seconds
        rnd = random.Random(4)

        def worker(seed):
            r = random.Random(seed)
            while time.monotonic() < deadline:
                loop(r)

        ts = [threading.Thread(target=worker, args=(rnd.random(),), daemon=True) for _ in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=seconds + 20)
        if any(t.is_alive() for t in ts):
            raise Abort("traffic threads did not finish")

    def phase1_loop(self, r):
        for _ in range(SLOW_PER_FAST):
            self._get("/api/events", "/api/events")
        i = r.randint(1, 30)  # ids 1..20 exist: a third of these are 404, which is not an error
        self._get("/api/events/{id}", f"/api/events/{i}")

    def phase2_loop(self, r):
        i = r.randint(1, 20)
        self._get("/api/events/{id}", f"/api/events/{i}")


def expected_p95(slow_share):
    """p95 that histogram_quantile interpolates when a share `slow_share` of the requests lies in
    the bucket (0.8, 1] (the injected 900 ms) and the rest at or below 0.8 s: the rank 0.95 falls
    in (0.8, 1], which holds the cumulative fraction from 1 - f to 1, so
    p95 = 0.8 + 0.2 * (0.95 - (1 - f)) / f = 1 - 0.01 / f (0.9875 for f = 0.8, 0.99 for f = 1).
    Interpolation inside the bucket, not the true 0.9 s: any p95 in (0.8, 1] means 'about 0.9'."""
    return 1 - 0.01 / slow_share


# --------------------------------------------------------------------------- the test

def main():
    args = [a for a in sys.argv[1:]]
    keep_tmp = "--keep-tmp" in args
    args = [a for a in args if a != "--keep-tmp"]
    if len(args) != 1 or args[0].startswith("-"):
        print(__doc__.split("\n\n")[1], file=sys.stderr)
        print("e2e: 0 passed, 1 failed")
        return 2
    ticketsd = os.path.abspath(args[0])

    res = Results()

    def on_signal(signum, frame):
        raise TimeLimit(f"stopped by signal {signum}" if signum != signal.SIGALRM else f"time limit of {TIME_LIMIT}s reached")

    signal.signal(signal.SIGALRM, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)  # also when started with SIGINT ignored (a background job)
    signal.alarm(TIME_LIMIT)

    tmp = tempfile.mkdtemp(prefix="tickets-e2e-")
    procs = Processes(tmp)
    try:
        run(res, ticketsd, tmp, procs)
    except Abort as e:
        res.check("ran to the end", False, str(e))
    except TimeLimit as e:
        res.check("ran to the end", False, str(e))
    except Exception as e:  # an error of the test itself still stops everything and counts
        traceback.print_exc()
        res.check("test ran without an internal error", False, repr(e))
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # let the cleanup finish
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        for obj in STATE.values():
            try:
                obj.stop()
            except Exception:
                pass
        if res.failed:
            for name in ("ticketsd", "prometheus", "alertmanager"):
                text = procs.log_text(name).strip().splitlines()
                if text:
                    print(f"--- last lines of the {name} log:")
                    for line in text[-12:]:
                        print("    " + line[:300])
        if "ticketsd" in procs.procs:
            status = procs.stop("ticketsd", timeout=10)
            res.check("ticketsd stops on SIGTERM with exit status 0", status == 0, f"exit status {status}")
        procs.stop_all()
        if keep_tmp:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
        log("everything started by the test is stopped")
        print(f"e2e: {res.passed} passed, {res.failed} failed", flush=True)
    return 1 if res.failed else 0


STATE = {}  # objects with stop() that the finally block of main() ends (watcher, webhook)


def run(res, ticketsd, tmp, procs):
    for tool in ("prometheus", "prometheus-alertmanager"):
        if not shutil.which(tool):
            raise Abort(f"{tool} is not installed (bash monitoring/test.sh installs it)")
    if not os.access(ticketsd, os.X_OK):
        raise Abort(f"{ticketsd} is not an executable")

    # Webhook and Alertmanager.
    webhook = Webhook()
    STATE["webhook"] = webhook
    log(f"webhook receiver on 127.0.0.1:{webhook.port}")
    am_config, receivers = write_alertmanager_config(tmp, webhook.port)
    am_port = start_with_port(procs, "alertmanager", lambda port: [
        "prometheus-alertmanager", f"--config.file={am_config}",
        f"--storage.path={os.path.join(tmp, 'alertmanager-data')}",
        f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=info"])
    log(f"alertmanager on 127.0.0.1:{am_port} (routing and inhibit rules of "
        f"monitoring/alertmanager/alertmanager.yml, receivers {', '.join(receivers)} -> webhook)")

    # ticketsd.
    data_dir = os.path.join(tmp, "ticketsd-data")
    os.mkdir(data_dir)
    token = secrets.token_hex(16)
    db_path = os.path.join(data_dir, "tickets.db")
    env = dict(os.environ, HOST="127.0.0.1", PORT="0", DATA_DIR=data_dir, DATABASE_URL=f"sqlite:{db_path}",
               SEED_DEMO_DATA="true", FAULT_INJECTION="true", ADMIN_TOKEN=token, SHUTDOWN_DRAIN_SECONDS="0",
               CATALOGUE_CACHE_MS="0", DB_POOL_SIZE=str(DB_POOL_SIZE))
    p = procs.start("ticketsd", [ticketsd], env=env)

    port = wait_until("ticketsd listening", lambda: listening_port(procs, "ticketsd"), 15, proc=p)
    wait_until("ticketsd /readiness", lambda: request(port, "GET", "/readiness")[0] == 200, 15, proc=p)
    log(f"ticketsd {ticketsd} on 127.0.0.1:{port} (pid {p.pid})")

    def set_faults(routes, db_ms):
        body = json.dumps({"routes": routes, "database_latency_ms": db_ms})
        status, answer = request(port, "PUT", "/api/admin/faults", body=body,
                                 headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        if status != 200:
            raise Abort(f"PUT /api/admin/faults: HTTP {status} {answer[:200]!r}")
        status, answer = request(port, "GET", "/api/admin/faults", headers={"Authorization": f"Bearer {token}"})
        return status, json.loads(answer) if status == 200 else answer

    routes1 = {"/api/events": {"latency_ms": LATENCY_MS, "error_ratio": ERROR_RATIO}}
    status, now = set_faults(routes1, 0)
    res.check("fault injection set: /api/events 900 ms, 30% 5xx", status == 200 and
              now.get("routes", {}).get("/api/events", {}).get("latency_ms") == LATENCY_MS, json.dumps(now))

    # Warm-up before Prometheus starts, so that its first scrape already has every series
    # (200 and 500 of both routes): the increase the rules see is then exactly phase 1.
    warm = Traffic(port)
    for _ in range(6):
        ts = [threading.Thread(target=warm._get, args=("/api/events", "/api/events"), daemon=True) for _ in range(10)]
        ts += [threading.Thread(target=warm._get, args=("/api/events/{id}", f"/api/events/{i}"), daemon=True)
               for i in (1, 2, 999)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(timeout=15)
        codes = {s for tpl, s, _ in warm.results if tpl == "/api/events"}
        if {200, 500} <= codes:
            break
    log(f"warm-up: {len(warm.results)} requests, /api/events answered {sorted(codes)}")
    if not {200, 500} <= codes:
        raise Abort("warm-up: GET /api/events never answered both 200 and 500")

    # Prometheus.
    rule_paths, alerts = write_test_rules(tmp)

    def prom_argv(prom_port):
        cfg = write_prometheus_config(tmp, rule_paths, am_port, port)
        return ["prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={os.path.join(tmp, 'prometheus-data')}",
                f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=info"]

    prom_port = start_with_port(procs, "prometheus", prom_argv)
    prom = Prom(prom_port)
    log(f"prometheus on 127.0.0.1:{prom_port}, rule files: " +
        ", ".join(os.path.relpath(p, MONITORING) if p.startswith(MONITORING) else os.path.basename(p) for p in rule_paths))
    for name in ALERTS_PHASE1 + [ALERT_PHASE2] + list(INHIBITED):
        short, real, _ = alerts[name]
        log(f"  test alert {name}: for {short:g}s (real {real / 60:g}m)")
    log(f"  test alert {INVARIANT_ALERT}: no for, as the real one")

    # Rules loaded: every recording rule of monitoring/rules and every alert of the test copy.
    expected_records, expected_alerts = set(), set(alerts)
    for name in os.listdir(RULES_DIR):
        if name.endswith(".yml"):
            with open(os.path.join(RULES_DIR, name)) as f:
                for g in yaml.safe_load(f)["groups"]:
                    expected_records |= {r["record"] for r in g["rules"] if "record" in r}
    groups = wait_until("prometheus rules loaded", lambda: prom.rules(), 10)
    loaded = [r for g in groups for r in g["rules"]]
    loaded_records = {r["name"] for r in loaded if r["type"] == "recording"}
    loaded_alerts = {r["name"] for r in loaded if r["type"] == "alerting"}
    res.check(f"prometheus loaded the {len(expected_records)} recording rules of monitoring/rules "
              f"and the {len(expected_alerts)} test alerts",
              loaded_records == expected_records and loaded_alerts == expected_alerts,
              f"missing {sorted((expected_records | expected_alerts) - loaded_records - loaded_alerts)}")
    held = {r["name"]: r.get("duration") for r in loaded if r["type"] == "alerting"}
    res.check("test alerts = the alerts of monitoring/rules (expr, labels, annotations) with `for` shortened",
              all(abs(held.get(n, -1) - round(alerts[n][0], 3)) < 0.01 for n in alerts),
              ", ".join(f"{n} {held.get(n)}s" for n in sorted(alerts)))

    # Two scrapes of the target before phase 1: the baseline of every series.
    wait_until("prometheus scraped ticketsd twice",
               lambda: (prom.value(f'count_over_time(up{{job="{JOB}"}}[1m])') or 0) >= 2
               and prom.value(f'up{{job="{JOB}"}}') == 1, 15)
    log("prometheus scraped ticketsd twice")
    time.sleep(1.0)
    active = [a["labels"]["alertname"] for a in prom.alerts()]
    res.check("no alert pending or firing before the faulty traffic", not active, f"active: {active}")

    watcher = AlertWatcher(prom)
    STATE["watcher"] = watcher
    watcher.start()

    # The selling invariant, broken behind ticketsd's back while it runs; its periodic check must
    # notice within INVARIANT_CHECK_SECONDS while phase 1 goes on.
    injected_at, type_id = oversell(db_path)
    log(f"ticket type {type_id} oversold in {os.path.basename(db_path)}: sold = capacity + 1, no tickets")

    # Phase 1: slow requests and 5xx.
    log(f"phase 1: {PHASE1_THREADS} threads for {PHASE1_SECONDS}s, each looping {SLOW_PER_FAST} x GET /api/events "
        f"({LATENCY_MS} ms, {ERROR_RATIO:.0%} 500) and 1 x GET /api/events/{{id}}")
    t1 = time.monotonic()
    traffic = Traffic(port)
    progress = threading.Thread(target=report_progress, args=(watcher, webhook, t1, PHASE1_SECONDS), daemon=True)
    progress.start()
    traffic.run(PHASE1_THREADS, PHASE1_SECONDS, traffic.phase1_loop)
    total = len(traffic.results)
    errors = sum(1 for _, s, _ in traffic.results if s >= 500)
    slow = sum(1 for _, _, lat in traffic.results if lat > 0.8)
    over_1s = sum(1 for _, _, lat in traffic.results if lat > 1.0)
    not_found = sum(1 for _, s, _ in traffic.results if s == 404)
    other = sorted({s for _, s, _ in traffic.results if s not in (200, 404, 500)})
    log(f"phase 1 done: {total} requests, {errors} answered 5xx, {not_found} 404, {slow} slower than 0.8 s "
        f"({over_1s} slower than 1 s at the client), other statuses {other or 'none'}")
    res.check("phase 1: every request answered", not traffic.failures and total > 100,
              f"{total} answered, {len(traffic.failures)} failed: {traffic.failures[:3]}")
    if total == 0:
        raise Abort("no traffic")
    err_ratio = errors / total
    slow_share = slow / total

    # Let the last scrape and evaluation after the traffic happen.
    time.sleep(3.0)
    sel = f'{{job="{JOB}"}}'

    def near(name, expr, expected, tol):
        v = prom.value(expr + sel)
        ok = v is not None and abs(v - expected) <= tol
        res.check(f"{name}: {expr}", ok, f"{fmt(v)}, expected {expected:.4f} ± {tol}")
        return v

    # Prometheus counts exactly the requests of phase 1 (see the warm-up). rate() extrapolates
    # each series to the window's start by half a scrape interval, but a counter whose first value
    # is small relative to its increase is extrapolated to where it would reach zero instead (up to
    # 1.1 intervals): over ~35 s of samples that moves a ratio by up to ~1.5% of itself (seen:
    # 0.2656 for 71/270 = 0.2630), hence 0.01. Counting the 404s as errors would be ~0.06 off.
    near("5xx ratio seen by the client (404 not counted)", "job_namespace:slo_availability_errors:ratio_rate5m",
         err_ratio, 0.01)
    near("availability seen by the client", "job_namespace:slo_availability:ratio_rate5m", 1 - err_ratio, 0.01)
    for w in ("30m", "1h", "6h"):
        near(f"availability over {w} (holds only this test's data)", f"job_namespace:slo_availability:ratio_rate{w}",
             1 - err_ratio, 0.01)
    near("share within 0.8 s seen by the client", "job_namespace:slo_latency:ratio_rate5m", 1 - slow_share, 0.01)
    exp = expected_p95(slow_share)
    p95 = prom.value("job_namespace:http_request_latency_seconds:p95_rate5m" + sel)
    res.check("p95 of the 900 ms requests lies in the bucket (0.8, 1]: "
              "job_namespace:http_request_latency_seconds:p95_rate5m",
              p95 is not None and 0.8 < p95 <= 1.0 and abs(p95 - exp) <= 0.015,
              f"{fmt(p95)}, expected {exp:.4f} = 1 - 0.01/{slow_share:.3f} ± 0.015")
    per_route = "job_namespace_method_endpoint:http_request_latency_seconds:p95_rate5m"
    v = prom.value(f'{per_route}{{job="{JOB}",endpoint="/api/events"}}')
    res.check(f'per-route p95 of /api/events (all 900 ms): {per_route}', v is not None and abs(v - 0.99) <= 0.01,
              f"{fmt(v)}, expected 0.99 = 0.8 + 0.2 x 0.95 ± 0.01")
    v = prom.value(f'{per_route}{{job="{JOB}",endpoint="/api/events/{{id}}"}}')
    res.check("per-route p95 of /api/events/{id} (no latency injected) below 0.1 s", v is not None and v < 0.1, fmt(v))
    for w in ("1d", "3d", "28d"):
        v = prom.value(f"job_namespace:slo_availability:ratio_rate{w}" + sel)
        log(f"  info: job_namespace:slo_availability:ratio_rate{w} = {fmt(v)} (mean of the recorded 5m rates)")

    wait_for_alerts(res, watcher, webhook, alerts, ALERTS_PHASE1, t1)
    check_invariant_alert(res, prom, watcher, webhook, alerts, injected_at)

    # Phase 2: database latency fills the pool of 5 connections.
    status, now = set_faults({}, DB_LATENCY_MS)
    log(f"phase 2: database latency {DB_LATENCY_MS} ms, {PHASE2_THREADS} threads on GET /api/events/{{id}} "
        f"for {PHASE2_SECONDS}s, pool of {DB_POOL_SIZE}")
    t2 = time.monotonic()
    traffic2 = Traffic(port)
    traffic2.run(PHASE2_THREADS, PHASE2_SECONDS, traffic2.phase2_loop)
    log(f"phase 2 done: {len(traffic2.results)} requests")
    sat = prom.value(f"max_over_time(job_namespace:db_connections:saturation{sel}[{PHASE2_SECONDS}s])")
    res.check("DB pool saturation from the gauges reached 1 (5 of 5 connections): "
              "job_namespace:db_connections:saturation", sat is not None and sat >= 0.99, fmt(sat))
    wait_for_alerts(res, watcher, webhook, alerts, [ALERT_PHASE2], t2)

    # Inhibition: the warning burn alerts of each SLO fire, but the page of the same SLO mutes them.
    for name, source in INHIBITED.items():
        short = alerts[name][0]
        try:
            wait_until(f"{name} firing in Prometheus", lambda: watcher.get(name).get("first_firing"), 30)
        except Abort as e:
            res.check(f"{name} (warning) fires and is inhibited by {source}", False, str(e))
            continue
        am = get_json(am_port, "/api/v2/alerts?" + urllib.parse.urlencode({"filter": f'alertname="{name}"'}))
        states = [(a["status"]["state"], len(a["status"].get("inhibitedBy") or [])) for a in am]
        delivered = [n for n in webhook.names() if n[1] == name]
        res.check(f"{name} (warning, fired after {short:g}s) is inhibited by {source} and not sent to ticket",
                  states and all(s == "suppressed" and n > 0 for s, n in states) and not delivered,
                  f"alertmanager: {states}, webhook: {delivered}")

    groups = prom.rules()
    bad = [(r["name"], r.get("lastError")) for g in groups for r in g["rules"] if r.get("health") != "ok"]
    res.check(f"all {sum(len(g['rules']) for g in groups)} rules evaluated without error on real data", not bad, str(bad[:5]))

    firing = sorted(n for n in watcher.seen if watcher.get(n).get("first_firing"))
    log(f"alerts that fired: {', '.join(firing)}")
    log(f"webhook got: {', '.join(f'{p} {n} {s}' for p, n, s in webhook.names())}")

    cp = subprocess.run([sys.executable, os.path.join(MONITORING, "check_promql.py"),
                         "--metrics-url", f"http://127.0.0.1:{port}/metrics"],
                        capture_output=True, text=True, timeout=60)
    res.check("check_promql.py against the live /metrics of this ticketsd", cp.returncode == 0,
              (cp.stdout + cp.stderr).strip().splitlines()[-1] if cp.returncode == 0 else (cp.stdout + cp.stderr)[-1500:])

    request(port, "DELETE", "/api/admin/faults", headers={"Authorization": f"Bearer {token}"})


def oversell(path):
    """Sets sold = capacity + 1 on the last ticket type, as a manual edit would, and commits.
    The schema's CHECK (sold + held <= capacity) refuses that, so this connection ignores CHECKs.
    Without tickets behind it, the change breaks both checks. Returns (monotonic time, id)."""
    conn = sqlite3.connect(path, timeout=5)
    try:
        conn.execute("PRAGMA ignore_check_constraints = ON")
        (type_id,) = conn.execute("SELECT max(id) FROM ticket_types").fetchone()
        conn.execute("UPDATE ticket_types SET sold = capacity + 1 WHERE id = ?", (type_id,))
        conn.commit()
    finally:
        conn.close()
    return time.monotonic(), type_id


def check_invariant_alert(res, prom, watcher, webhook, alerts, injected_at):
    """TicketsOversold fires without ever being pending, once per broken check, within the check
    interval of the write (plus scrape, evaluation and polling), and pages."""
    rule = alerts[INVARIANT_ALERT][2]
    receiver = RECEIVER_FOR[rule["labels"]["severity"]]

    def firing_checks():
        return {a["labels"].get("check"): a for a in prom.alerts()
                if a["labels"].get("alertname") == INVARIANT_ALERT and a.get("state") == "firing"}

    def paged_checks():
        return {a["labels"].get("check") for _, path, a in webhook.firing_alerts(INVARIANT_ALERT) if path == f"/{receiver}"}

    deadline = injected_at + INVARIANT_CHECK_SECONDS + 10
    while time.monotonic() < deadline and not (set(firing_checks()) >= INVARIANT_CHECKS and paged_checks() >= INVARIANT_CHECKS):
        time.sleep(0.25)
    firing = firing_checks()
    s = watcher.get(INVARIANT_ALERT)
    first = s.get("first_firing")
    after = first - injected_at if first else None
    values = {check: a.get("value") for check, a in firing.items()}
    res.check(f"{INVARIANT_ALERT} fired for both checks with value 1 (one ticket type), within the "
              f"{INVARIANT_CHECK_SECONDS}s check interval + 5s of the write",
              set(firing) == INVARIANT_CHECKS and all(float(v) == 1 for v in values.values())
              and after is not None and after <= INVARIANT_CHECK_SECONDS + 5,
              f"firing {values}, first {after:.1f}s after the write" if after is not None else f"firing {values}")
    pending = prom.query(f'ALERTS{{alertname="{INVARIANT_ALERT}",alertstate="pending"}}[5m]')
    res.check(f"{INVARIANT_ALERT} has no `for`: never pending", not pending and s.get("first_pending") is None,
              f"pending series: {len(pending)}")
    got = webhook.firing_alerts(INVARIANT_ALERT)
    paged = [(t, a) for t, path, a in got if path == f"/{receiver}"]
    ok = {a["labels"].get("check") for _, a in paged} >= INVARIANT_CHECKS and all(
        a["labels"].get("severity") == rule["labels"]["severity"]
        and a.get("annotations", {}).get("runbook_url") == rule["annotations"]["runbook_url"] for _, a in paged)
    res.check(f"{INVARIANT_ALERT} reached the webhook as firing, receiver {receiver} (severity "
              f"{rule['labels']['severity']}), for both checks, with its runbook_url",
              ok and len(paged) == len(got),
              (f"{min(t for t, _ in paged) - injected_at:.1f}s after the write, checks "
               f"{sorted({a['labels'].get('check') for _, a in paged})}" if paged
               else f"not received; webhook got {webhook.names()}"))


def fmt(v):
    return "no value" if v is None else f"{float(v):.4f}"


def start_with_port(procs, name, argv_for_port, attempts=3):
    """Starts a server on a free port, retrying with another port if it exits early."""
    last = None
    for _ in range(attempts):
        port = free_port()
        p = procs.start(name, argv_for_port(port))
        try:
            wait_until(f"{name} ready", lambda: request(port, "GET", "/-/ready")[0] == 200, 20, proc=p)
            return port
        except Abort as e:
            last = e
            procs.stop(name)
    raise Abort(f"{name} did not start: {last}")


def report_progress(watcher, webhook, since, seconds):
    end = since + seconds
    while time.monotonic() < end - 1:
        time.sleep(5)
        states = []
        for name in ALERTS_PHASE1:
            s = watcher.get(name)
            states.append(f"{name} {s.get('last_state', 'inactive') if s.get('last_seen', 0) > time.monotonic() - 1 else 'inactive'}"
                          + (" +webhook" if webhook.firing(name) else ""))
        log("  " + "; ".join(states))


def wait_for_alerts(res, watcher, webhook, alerts, names, since, timeout=25):
    """Each alert must have been pending, then firing no earlier than its `for` after activeAt,
    and its firing notification must have reached the receiver its severity routes to."""
    deadline = since + timeout + max(alerts[n][0] for n in names) + 10
    for name in names:
        short, real, rule = alerts[name]
        receiver = RECEIVER_FOR[rule["labels"]["severity"]]
        while time.monotonic() < deadline and not (watcher.get(name).get("first_firing") and webhook.firing(name)):
            time.sleep(0.25)
        s = watcher.get(name)
        pending, firing = s.get("first_pending"), s.get("first_firing")
        res.check(f"{name} went pending", pending is not None,
                  f"{pending - since:.1f}s after the traffic began, value {fmt(s.get('value_pending'))}" if pending else "never pending")
        held = None
        if firing and s.get("active_at_firing"):
            held = s["first_firing_wall"] - s["active_at_firing"]
        res.check(f"{name} fired after being pending at least its for ({short:g}s)",
                  firing is not None and pending is not None and pending < firing and held is not None and held >= short - 0.3,
                  (f"firing {firing - since:.1f}s after the traffic began, {held:.1f}s after activeAt, value {fmt(s.get('value_firing'))}"
                   if firing and held is not None else "never firing"))
        got = webhook.firing(name)
        ok = got is not None and got[1] == f"/{receiver}" and got[2].get("receiver") == receiver
        alert = next((a for a in got[2]["alerts"] if a["labels"].get("alertname") == name), {}) if got else {}
        labels = alert.get("labels", {})
        runbook = alert.get("annotations", {}).get("runbook_url")
        res.check(f"{name} reached the webhook as firing, receiver {receiver} (severity {rule['labels']['severity']}),"
                  " with its runbook_url",
                  ok and labels.get("severity") == rule["labels"]["severity"]
                  and runbook == rule["annotations"]["runbook_url"],
                  (f"{got[0] - since:.1f}s after the traffic began at {got[1]}, labels {labels}" if got
                   else f"not received; webhook got {webhook.names()}"))


if __name__ == "__main__":
    sys.exit(main())
