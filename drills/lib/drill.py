"""Shared harness of the runbook drills (drills/*.py).

A drill builds, in a temporary directory and on 127.0.0.1 with ports the kernel picks, the smallest
copy of production that the runbook's procedures apply to:

  PostgreSQL   a throwaway cluster (tests/support/pg_cluster.sh, as the test suite starts it)
  ticketsd     replicas on that database (PORT=0; the first one seeds the demo events),
               FAULT_INJECTION=true, an ADMIN_TOKEN, HOLD_LIMIT_PER_CLIENT=0
  nginx        the load balancer in front of the ready replicas (Debian's nginx, unprivileged,
               in the foreground, its own prefix), standing in for the ALB
  Prometheus   scraping every replica (job `backend`, namespace `tickets-dev`) with the real
               recording rules and the test copy of the alert files of monitoring/e2e (`for`
               divided by 150)
  Alertmanager the real routing tree and inhibit rules, receivers `page` and `ticket` pointed at
               a webhook receiver in this process (monitoring/e2e's configuration)
  load         a few threads reading the catalogue (and buying tickets of an event of free
               ticket types, made for the drill: paid at once, as the replicas have no online
               payment) through nginx

The building blocks come from monitoring/e2e/e2e_test.py (processes, webhook, Prometheus client,
alert watcher, test rules, Alertmanager configuration), imported, not copied.

Each drill records a timeline (fault injected, alert pending, firing, notified, action taken,
resolved) and fails (exit status 1) as soon as a step does not happen within its bound.
Everything started is stopped at the end, also on failure, Ctrl-C or the time limit.
"""

import argparse
import http.client
import json
import os
import random
import secrets
import shutil
import signal
import string
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import uuid

LIB = os.path.dirname(os.path.abspath(__file__))
DRILLS = os.path.dirname(LIB)
ROOT = os.path.dirname(DRILLS)
sys.path.insert(0, os.path.join(ROOT, "monitoring", "e2e"))
import e2e_test as e2e  # noqa: E402  (the end-to-end test's building blocks)

PG_CLUSTER = os.path.join(ROOT, "tests", "support", "pg_cluster.sh")
PROMETHEUS_TEMPLATE = os.path.join(LIB, "prometheus.yml.in")
DEFAULT_TICKETSD = os.path.join("build", "test", "src", "ticketsd")
NAMESPACE = "tickets-dev"   # the label the ServiceMonitor's targets carry in dev
JOB = "backend"
SEL = f'{{job="{JOB}",namespace="{NAMESPACE}"}}'
FOR_SCALE = e2e.FOR_SCALE   # test `for` = real `for` / 150, at least 2 s


class StepMissed(Exception):
    """A step of the drill did not happen within its bound: the drill fails."""


class Interrupted(BaseException):
    """Ctrl-C, SIGTERM or the drill's time limit."""


def fmt(v, digits=4):
    return "no value" if v is None else f"{float(v):.{digits}g}"


# --------------------------------------------------------------------------- timeline

class Timeline:
    """What happened when. Times are monotonic; printed relative to the fault."""

    def __init__(self, name):
        self.name = name
        self.t0 = time.monotonic()
        self.events = []  # (monotonic, step, detail)

    def log(self, msg, at=None):
        at = time.monotonic() if at is None else at
        print(f"{self.name}: [{at - self.t0:6.1f}s] {msg}", flush=True)

    def mark(self, step, detail="", at=None):
        """Records a step; `at` when it happened earlier than now (seen by the alert watcher)."""
        at = time.monotonic() if at is None else at
        self.events.append((at, step, detail))
        self.log(f"** {step}" + (f": {detail}" if detail else ""), at=at)
        return at

    def first(self, step):
        times = [t for t, s, _ in self.events if s == step]
        return min(times) if times else None

    def detection(self):
        fault, firing = self.first("fault injected"), self.first("alert firing")
        return None if fault is None or firing is None else firing - fault

    def print_summary(self):
        fault = self.first("fault injected")
        ref = fault if fault is not None else self.t0
        print(f"\n{self.name}: timeline (seconds after the fault)", flush=True)
        for at, step, detail in sorted(self.events, key=lambda e: e[0]):
            print(f"  {at - ref:+7.1f}s  {step:<20} {detail}")
        d = self.detection()
        if d is not None:
            print(f"  detection time (fault -> firing): {d:.1f} s")
        fixed, resolved = self.first("action taken"), self.first("resolved")
        if fixed is not None and resolved is not None:
            print(f"  recovery time (action -> resolved): {resolved - fixed:.1f} s")
        print(flush=True)


# --------------------------------------------------------------------------- processes

class Procs(e2e.Processes):
    """e2e's process groups, plus starting a child under another user (nginx as nobody)."""

    def start(self, name, argv, env=None, user=None, group=None):
        if user is None:
            return super().start(name, argv, env=env)
        path = os.path.join(self.tmp, f"{name}.log")
        out = open(path, "ab")
        try:
            p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 env=env, cwd=self.tmp, start_new_session=True, user=user, group=group)
        finally:
            out.close()
        self.procs[name] = (p, path)
        return p


class Replica:
    def __init__(self, name, proc, port, binary, env):
        self.name, self.proc, self.port, self.binary, self.env = name, proc, port, binary, env

    @property
    def addr(self):
        return f"127.0.0.1:{self.port}"

    def __repr__(self):
        return f"{self.name}@{self.port}"


# Variables of ticketsd that must not leak into the replicas from the caller's environment.
TICKETSD_VARS = {"PORT", "HOST", "DATABASE_URL", "DATA_DIR", "WEB_ROOT", "DB_POOL_SIZE", "DB_POOL_TIMEOUT_MS",
                 "LOG_LEVEL", "THREADS", "WORKERS", "SHUTDOWN_DRAIN_SECONDS", "SHUTDOWN_TIMEOUT_SECONDS",
                 "MAX_CONNECTIONS", "CATALOGUE_CACHE_MS", "CATALOGUE_CACHE_BYTES", "HANDLER_TIMEOUT_MS",
                 "HOLD_TTL_SECONDS", "HOLD_LIMIT_PER_CLIENT", "HOLD_RETENTION_DAYS", "TRUSTED_PROXIES",
                 "QUEUE_SECRET", "QUEUE_ADMISSION_MINUTES", "SEED_DEMO_DATA", "ADMIN_TOKEN", "FAULT_INJECTION",
                 # no online payment in a drill: its buyers buy free tickets (Drill.free_event)
                 "STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_API_BASE", "PUBLIC_BASE_URL"}


# --------------------------------------------------------------------------- load

class Load:
    """Threads looping over a plan of requests through the load balancer, each followed by a
    pause (paced, so that the request rate, and with it what the 5-minute windows hold, does not
    depend on how fast this machine is). Every answer is recorded."""

    def __init__(self, port, threads, plan, pause, ticket_types=()):
        self.port, self.threads, self.plan, self.pause = port, threads, plan, pause
        self.ticket_types = list(ticket_types)
        self.lock = threading.Lock()
        self.results = []  # (monotonic end, kind, status or None, seconds, upstream)
        self.paid = []     # monotonic times of checkouts answered 201 with the order paid
        self.unpaid = []   # (monotonic, what) of checkouts that made no paid order
        self.stop_event = threading.Event()
        self.workers = []

    def _send(self, kind, method, path, body=None, headers=None):
        start = time.monotonic()
        status, upstream, data = None, "", b""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            conn.request(method, path, body=body, headers=headers or {})
            resp = conn.getresponse()
            data = resp.read()
            status, upstream = resp.status, resp.getheader("X-Upstream", "")
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        with self.lock:
            self.results.append((time.monotonic(), kind, status, time.monotonic() - start, upstream))
        return status, data

    def _buy(self, rnd):
        tt = rnd.choice(self.ticket_types)
        status, data = self._send("basket", "POST", "/api/basket",
                                  json.dumps({"items": [{"ticket_type_id": tt, "quantity": 1}]}),
                                  {"Content-Type": "application/json"})
        if status != 201:
            return
        basket = json.loads(data)["id"]
        status, data = self._send("checkout", "POST", "/api/checkout",
                                  json.dumps({"basket_id": basket, "email": "drill@example.com", "name": "Drill"}),
                                  {"Content-Type": "application/json", "Idempotency-Key": str(uuid.uuid4())})
        # The drill's ticket types are free, so a checkout is paid at once (201, order paid, its
        # ticket). Anything else is recorded: pending_payment, 503 payments-not-configured (a
        # priced ticket), or the fault's own answers.
        try:
            body = json.loads(data) if data else {}
        except ValueError:
            body = {}
        what = (body.get("order") or {}).get("status") or body.get("type") or ""
        with self.lock:
            if status == 201 and what == "paid":
                self.paid.append(time.monotonic())
            else:
                self.unpaid.append((time.monotonic(), f"{status} {what}".strip()))

    def _loop(self, seed):
        rnd = random.Random(seed)
        while not self.stop_event.is_set():
            for kind in self.plan:
                if self.stop_event.is_set():
                    return
                if kind == "list":
                    self._send("list", "GET", "/api/events?limit=20")
                elif kind == "detail":
                    self._send("detail", "GET", f"/api/events/{rnd.randint(1, 20)}")
                elif kind == "buy" and self.ticket_types:
                    self._buy(rnd)
                self.stop_event.wait(self.pause)

    def start(self):
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, args=(i,), daemon=True)
            t.start()
            self.workers.append(t)

    def stop(self):
        self.stop_event.set()
        for t in self.workers:
            t.join(timeout=25)

    def stats(self, since=0.0, until=None):
        until = time.monotonic() if until is None else until
        with self.lock:
            rows = [r for r in self.results if since <= r[0] < until]
        n = len(rows)
        per_upstream = {}
        for r in rows:
            per_upstream[r[4] or "-"] = per_upstream.get(r[4] or "-", 0) + 1
        return {
            "n": n,
            "rate": n / max(until - since, 1e-9),
            "5xx": sum(1 for r in rows if r[2] is not None and r[2] >= 500),
            "503": sum(1 for r in rows if r[2] == 503),
            "failed": sum(1 for r in rows if r[2] is None),
            "slow": sum(1 for r in rows if r[3] > 0.8),
            "upstreams": per_upstream,
            "paid": sum(1 for t in self.paid if since <= t < until),
            "unpaid": [w for t, w in self.unpaid if since <= t < until],
        }

    def describe(self, since=0.0, until=None):
        s = self.stats(since, until)
        share = (lambda k: f"{s[k] / s['n']:.1%}" if s["n"] else "-")
        bought = (f", purchases paid {s['paid']}, checkouts not paid {len(s['unpaid'])}"
                  if self.ticket_types else "")
        return (f"{s['n']} requests ({s['rate']:.1f}/s), 5xx {s['5xx']} ({share('5xx')}), slower than 0.8 s "
                f"{s['slow']} ({share('slow')}), no answer {s['failed']}, by upstream {s['upstreams']}{bought}")


# --------------------------------------------------------------------------- the drill

class Drill:
    """One drill's environment and timeline. Use setup(), then the scenario, then close()."""

    def __init__(self, name, args):
        self.name, self.args = name, args
        self.short, self.no_fix = args.short, args.no_fix
        self.timeline = Timeline(name)
        self.log = self.timeline.log
        self.given_ticketsd = os.path.abspath(args.ticketsd)
        ctl = args.ticketsctl or os.path.join(os.path.dirname(self.given_ticketsd), "ticketsctl")
        self.ticketsctl = os.path.abspath(ctl)
        self.tmp = tempfile.mkdtemp(prefix=f"tickets-drill-{name}-")
        # The postgres and nobody users (PostgreSQL and nginx run as them) must reach their
        # directories inside this one.
        os.chmod(self.tmp, 0o711)
        # Replicas restart during a drill: they all run this copy, so that a rebuild of the
        # given binary meanwhile cannot swap the release under the drill.
        self.ticketsd = os.path.join(self.tmp, "ticketsd")
        if os.access(self.given_ticketsd, os.X_OK):
            shutil.copy2(self.given_ticketsd, self.ticketsd)
        self.procs = Procs(self.tmp)
        self.token = secrets.token_hex(16)
        self.serving = []          # replicas in the load balancer and in Prometheus' targets
        self.generation = 0        # of the load balancer's configuration
        self.started = 0           # replicas started so far (names, seeding)
        self.publish_lock = threading.RLock()
        self.pg_dir = None
        self.stoppables = []       # objects with stop(), stopped first at close()
        self.extra_scrape_configs = ""

    # ---------------------------------------------------------------- setup

    def setup(self, replicas=2, replica_env=None, scrape_configs=""):
        for tool in ("prometheus", "prometheus-alertmanager", "nginx"):
            if not shutil.which(tool) and not os.path.exists(f"/usr/sbin/{tool}"):
                raise StepMissed(f"{tool} is not installed")
        if not os.access(self.ticketsd, os.X_OK):
            raise StepMissed(f"{self.given_ticketsd} is not an executable (--ticketsd PATH)")
        self.extra_scrape_configs = scrape_configs
        self.base_env = dict(replica_env or {})
        self.start_postgres()
        for _ in range(replicas):
            self.serving.append(self.start_replica())
        self.start_nginx()
        self.start_alerting()
        self.publish()
        self.start_prometheus()
        self.log(f"environment ready in {self.tmp}")

    def start_postgres(self):
        self.pg_dir = os.path.join(self.tmp, "pg")
        # Its own session: a Ctrl-C in the terminal must not reach the postmaster before the
        # replicas are stopped.
        out = subprocess.run(["bash", PG_CLUSTER, "start", self.pg_dir], capture_output=True, text=True,
                             timeout=90, start_new_session=True)
        if out.returncode != 0:
            raise StepMissed(f"PostgreSQL did not start: {out.stderr.strip()[-500:]}")
        self.database_url = out.stdout.strip().splitlines()[-1]
        self.log(f"postgresql at {self.database_url} (tests/support/pg_cluster.sh)")

    def replica_env(self, overrides=None):
        env = {k: v for k, v in os.environ.items() if k not in TICKETSD_VARS}
        env.update({
            "HOST": "127.0.0.1", "PORT": "0", "DATABASE_URL": self.database_url,
            "DATA_DIR": os.path.join(self.tmp, "data"), "FAULT_INJECTION": "true", "ADMIN_TOKEN": self.token,
            "HOLD_LIMIT_PER_CLIENT": "0",        # every buyer comes from nginx's address
            "TRUSTED_PROXIES": "1",              # nginx appends X-Forwarded-For, as the ALB does
            "CATALOGUE_CACHE_MS": "0",           # every read reaches the handler and the pool
            "SHUTDOWN_DRAIN_SECONDS": "1", "SHUTDOWN_TIMEOUT_SECONDS": "5",
            "THREADS": "2", "DB_POOL_SIZE": "10", "SEED_DEMO_DATA": "true" if self.started == 0 else "false",
        })
        env.update(self.base_env)
        env.update(overrides or {})
        return env

    def start_replica(self, overrides=None, binary=None, faults=None):
        """Starts one ticketsd and waits until it is ready (and has its faults, if any): a pod
        that passed its readiness probe. Not yet in the load balancer (see publish)."""
        binary = binary or self.ticketsd
        env = self.replica_env(overrides)
        self.started += 1
        name = f"ticketsd-{self.started}"
        os.makedirs(env["DATA_DIR"], exist_ok=True)
        p = self.procs.start(name, [binary], env=env)
        port = e2e.wait_until(f"{name} listening", lambda: e2e.listening_port(self.procs, name), 30, proc=p)
        e2e.wait_until(f"{name} ready", lambda: e2e.request(port, "GET", "/readiness")[0] == 200, 30, proc=p)
        r = Replica(name, p, port, binary, env)
        if faults is not None:
            self.set_faults(r, faults)
        self.log(f"{name} ready on 127.0.0.1:{port} (pid {p.pid}, DB_POOL_SIZE={env['DB_POOL_SIZE']}"
                 + (f", faults {json.dumps(faults)}" if faults else "") + ")")
        return r

    def stop_replica(self, r):
        status = self.procs.stop(r.name, timeout=15)
        self.log(f"{r.name} stopped (exit status {status})")
        return status

    def set_faults(self, r, faults):
        """Faults live in the process that receives the PUT: each replica gets its own."""
        status, body = e2e.request(r.port, "PUT", "/api/admin/faults", body=json.dumps(faults),
                                   headers={"Content-Type": "application/json",
                                            "Authorization": f"Bearer {self.token}"})
        if status != 200:
            raise StepMissed(f"PUT /api/admin/faults on {r.name}: HTTP {status} {body[:200]!r}")

    def clear_faults(self, r):
        status, body = e2e.request(r.port, "DELETE", "/api/admin/faults",
                                   headers={"Authorization": f"Bearer {self.token}"})
        if status not in (200, 204):
            raise StepMissed(f"DELETE /api/admin/faults on {r.name}: HTTP {status} {body[:200]!r}")

    # ---------------------------------------------------------------- load balancer

    def nginx_conf(self):
        d = self.nginx_dir
        servers = "\n".join(f"    server {r.addr} max_fails=1 fail_timeout=2s;" for r in self.serving)
        return f"""# Written by drills/lib/drill.py: the drill's load balancer, generation {self.generation}.
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/error.log warn;
events {{ worker_connections 1024; }}
http {{
  access_log off;
  client_body_temp_path {d}/tmp/body;
  proxy_temp_path {d}/tmp/proxy;
  fastcgi_temp_path {d}/tmp/fastcgi;
  uwsgi_temp_path {d}/tmp/uwsgi;
  scgi_temp_path {d}/tmp/scgi;
  upstream backend {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{self.lb_port};
    # Which configuration is live: a reload is asynchronous, the drill waits for this.
    location = /-/generation {{ return 200 "{self.generation}\\n"; }}
    location / {{
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 30s;
      # Which replica answered, for the drill's counts.
      add_header X-Upstream $upstream_addr always;
    }}
  }}
}}
"""

    def start_nginx(self):
        self.nginx_dir = os.path.join(self.tmp, "nginx")
        os.makedirs(os.path.join(self.nginx_dir, "tmp"), exist_ok=True)
        user = group = None
        if os.getuid() == 0:  # unprivileged: its master process runs as nobody, not root
            user, group = "nobody", "nogroup"
            for dirpath, _, _ in os.walk(self.nginx_dir):
                shutil.chown(dirpath, user, group)
        last = None
        for _ in range(3):
            self.lb_port = e2e.free_port()
            self.generation += 1
            conf = os.path.join(self.nginx_dir, "nginx.conf")
            with open(conf, "w") as f:
                f.write(self.nginx_conf())
            os.chmod(conf, 0o644)
            p = self.procs.start("nginx", ["nginx", "-p", self.nginx_dir, "-c", conf, "-e",
                                           os.path.join(self.nginx_dir, "error.log"), "-g", "daemon off;"],
                                 env={"PATH": os.environ.get("PATH", "/usr/sbin:/usr/bin")}, user=user, group=group)
            try:
                e2e.wait_until("nginx up", lambda: self.lb_generation() == self.generation, 10, proc=p)
                self.nginx = p
                self.log(f"nginx (load balancer) on 127.0.0.1:{self.lb_port} -> {self.serving}")
                return
            except e2e.Abort as e:
                last = e
                self.procs.stop("nginx")
        raise StepMissed(f"nginx did not start: {last}: {self.procs.log_text('nginx')[-500:]}")

    def lb_generation(self):
        status, body = e2e.request(self.lb_port, "GET", "/-/generation", timeout=2)
        return int(body) if status == 200 else None

    def publish(self):
        """Puts the serving replicas into the load balancer (nginx reload, which finishes the
        requests in flight on the old workers) and into Prometheus' targets: what the endpoints
        controller does with ready pods."""
        with self.publish_lock:
            if not self.serving:
                raise StepMissed("no replica left to serve")
            self.generation += 1
            conf = os.path.join(self.nginx_dir, "nginx.conf")
            with open(conf + ".new", "w") as f:
                f.write(self.nginx_conf())
            os.chmod(conf + ".new", 0o644)
            os.replace(conf + ".new", conf)
            os.kill(self.nginx.pid, signal.SIGHUP)
            e2e.wait_until("nginx reloaded", lambda: self.lb_generation() == self.generation, 10)
            targets = [{"targets": [r.addr], "labels": {"namespace": NAMESPACE, "pod": r.name}}
                       for r in self.serving]
            path = os.path.join(self.tmp, "targets.json")
            with open(path + ".new", "w") as f:
                json.dump(targets, f)
            os.replace(path + ".new", path)

    def replace_all(self, overrides=None, binary=None, faults=None, what="restart"):
        """A rolling update with maxSurge 1 and maxUnavailable 0, as the Deployment does: for each
        replica, a new one is started and made ready, joins, and only then the old one leaves the
        load balancer and is stopped (SIGTERM, drain)."""
        for old in list(self.serving):
            new = self.start_replica(overrides, binary=binary, faults=faults)
            self.serving.append(new)
            self.publish()
            self.serving.remove(old)
            self.publish()
            self.stop_replica(old)
            self.log(f"{what}: {old.name} replaced by {new.name}")

    # ---------------------------------------------------------------- alerting

    def start_alerting(self):
        self.webhook = e2e.Webhook()
        self.stoppables.append(self.webhook)
        am_config, receivers = e2e.write_alertmanager_config(self.tmp, self.webhook.port)
        self.am_port = e2e.start_with_port(self.procs, "alertmanager", lambda port: [
            "prometheus-alertmanager", f"--config.file={am_config}",
            f"--storage.path={os.path.join(self.tmp, 'alertmanager-data')}",
            f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=", "--log.level=warn"])
        self.log(f"alertmanager on 127.0.0.1:{self.am_port} (monitoring/alertmanager routing, receivers "
                 f"{', '.join(receivers)} -> webhook on 127.0.0.1:{self.webhook.port})")

    def start_prometheus(self):
        rule_paths, self.alerts = e2e.write_test_rules(self.tmp)
        with open(PROMETHEUS_TEMPLATE) as f:
            template = string.Template(f.read())
        cfg = os.path.join(self.tmp, "prometheus.yml")
        with open(cfg, "w") as f:
            f.write(template.substitute(
                rule_files="\n".join(f"  - {json.dumps(p)}" for p in rule_paths),
                alertmanager_port=self.am_port, targets_file=os.path.join(self.tmp, "targets.json"),
                extra_scrape_configs=self.extra_scrape_configs))
        self.prom_port = e2e.start_with_port(self.procs, "prometheus", lambda port: [
            "prometheus", f"--config.file={cfg}", f"--storage.tsdb.path={os.path.join(self.tmp, 'prometheus-data')}",
            f"--web.listen-address=127.0.0.1:{port}", "--log.level=warn"])
        self.prom = e2e.Prom(self.prom_port)
        self.prom_url = f"http://127.0.0.1:{self.prom_port}"
        e2e.wait_until("prometheus scraping every replica",
                       lambda: (self.prom.value(f"count(up{SEL} == 1)") or 0) == len(self.serving), 20)
        self.watcher = e2e.AlertWatcher(self.prom)
        self.watcher.start()
        self.stoppables.insert(0, self.watcher)
        self.log(f"prometheus on {self.prom_url}, real recording rules, alert copies with `for` / {FOR_SCALE}")

    def wait_scraped(self, bound=15):
        """Until Prometheus scrapes exactly the serving replicas (file discovery takes a moment)."""
        def same():
            up = {r["metric"].get("instance") for r in self.prom.query(f"up{SEL} == 1")}
            return up == {r.addr for r in self.serving}
        self.until("Prometheus scraping exactly the serving replicas", same, bound)

    def alert_for(self, alert):
        short, real, rule = self.alerts[alert]
        return short, real, rule

    # ---------------------------------------------------------------- load

    def free_event(self, types=20, capacity=100000):
        """Ticket type ids of a new on-sale event whose ticket types are all free (price 0), made
        through the admin API. A free basket checked out by the public is paid at once with its
        tickets, in the checkout's one transaction: a buyer's whole selling path, without a payment
        provider. The demo events are priced, and a priced public checkout is handed over to Stripe
        (pending_payment), or, as here, where the replicas have none configured, refused with 503
        payments-not-configured: 5xx that no fault of the drill caused."""
        starts = time.gmtime(time.time() + 365 * 86400)
        day = time.strftime("%Y-%m-%d", starts)
        event = {
            "name": "Drill Open Day", "venue": "Roundhouse, London", "timezone": "Europe/London",
            "starts_at": f"{day}T19:00:00Z", "ends_at": f"{day}T23:00:00Z", "status": "on_sale",
            "ticket_types": [{"name": f"Free {i + 1}", "price": 0, "currency": "GBP", "capacity": capacity}
                             for i in range(types)],
        }
        status, body = e2e.request(self.lb_port, "POST", "/api/admin/events", body=json.dumps(event),
                                   headers={"Content-Type": "application/json",
                                            "Authorization": f"Bearer {self.token}"})
        if status != 201:
            raise StepMissed(f"POST /api/admin/events (the drill's free event): HTTP {status} {body[:200]!r}")
        made = json.loads(body)
        self.log(f"event {made['id']} made for the buyers: {types} free ticket types of {capacity} tickets")
        return [t["id"] for t in made["ticket_types"]]

    def start_load(self, threads, plan, pause, buy=False):
        tts = self.free_event() if buy else []
        load = Load(self.lb_port, threads, plan, pause, tts)
        load.start()
        self.stoppables.insert(0, load)
        self.log(f"load: {threads} threads through nginx, each looping {plan} with {pause:g}s pauses"
                 + (" (buy: basket and checkout of one free ticket)" if buy else ""))
        return load

    def baseline(self, load, seconds):
        """Healthy traffic first: every series exists and no alert is pending or firing."""
        t = time.monotonic()
        time.sleep(seconds)
        active = [f"{a['labels']['alertname']} ({a['state']})" for a in self.prom.alerts()]
        self.log(f"baseline {seconds:g}s: {load.describe(t)}")
        if active:
            raise StepMissed(f"alerts active before any fault: {active}")
        s = load.stats(t)
        if s["5xx"]:
            raise StepMissed("5xx answers before any fault")
        if load.ticket_types and (s["unpaid"] or not s["paid"]):
            raise StepMissed(f"buyers' checkouts before any fault: {s['paid']} paid, not paid: "
                             f"{sorted(set(s['unpaid']))[:5]}")

    # ---------------------------------------------------------------- steps

    def until(self, what, fn, bound, interval=0.25):
        try:
            return e2e.wait_until(what, fn, bound, interval=interval)
        except e2e.Abort as e:
            raise StepMissed(str(e)) from None

    def expect_alert(self, alert, bound):
        """Pending, then firing (within `bound` of the fault), then the notification at the
        receiver its severity routes to."""
        fault = self.timeline.first("fault injected")
        short, real, rule = self.alert_for(alert)
        self.until(f"{alert} firing within {bound:g}s of the fault",
                   lambda: self.watcher.get(alert).get("first_firing"), bound - (time.monotonic() - fault))
        s = self.watcher.get(alert)
        if not s.get("first_pending") or s["first_pending"] < fault:
            raise StepMissed(f"{alert} was not seen pending after the fault (for {short:g}s)")
        receiver = e2e.RECEIVER_FOR[rule["labels"]["severity"]]
        got = self.until(f"{alert} notification at /{receiver}", lambda: self.notification(alert, "firing"), 20)
        t, path, a = got
        # The watcher polls every 0.25 s; a notification can only follow the firing, so it bounds
        # the firing time too.
        self.timeline.mark("alert pending", f"{alert}, value {fmt(s.get('value_pending'))}", at=s["first_pending"])
        self.timeline.mark("alert firing", f"{alert}, value {fmt(s.get('value_firing'))} (test for {short:g}s, "
                           f"real {real / 60:g}m)", at=min(s["first_firing"], t))
        if path != f"/{receiver}":
            raise StepMissed(f"{alert} was sent to {path}, its severity routes it to /{receiver}")
        self.timeline.mark("notified", f"webhook {path} got {alert} firing, runbook_url "
                           f"{a.get('annotations', {}).get('runbook_url', '-').split('#')[-1]}", at=t)
        return s

    def notification(self, alert, status):
        """(time, receiver path, alert) of the first notification carrying alert with status."""
        with self.webhook.lock:
            for t, path, body in self.webhook.received:
                for a in body.get("alerts", []):
                    if a.get("labels", {}).get("alertname") == alert and a.get("status") == status:
                        return t, path, a
        return None

    def expect_resolved(self, alert, bound):
        """The alert is neither pending nor firing in Prometheus, and the receiver was told."""
        def inactive():
            return not [a for a in self.prom.alerts() if a["labels"].get("alertname") == alert]
        self.until(f"{alert} resolved within {bound:g}s of the action", inactive, bound)
        got = self.until(f"{alert} resolved notification", lambda: self.notification(alert, "resolved"), 20)
        # When it went: the alert watcher's first poll (every 0.25 s) that no longer saw it, or the
        # resolved notification if that came first (it can only follow the resolution).
        last = self.watcher.get(alert).get("last_seen")
        at = min(time.monotonic(), last + 0.25, got[0]) if last else got[0]
        self.timeline.mark("resolved", f"{alert} neither pending nor firing in Prometheus", at=at)
        self.timeline.mark("resolved notified", f"webhook {got[1]} got {alert} resolved", at=got[0])

    # ---------------------------------------------------------------- what the runbook asks

    def query(self, expr, why=""):
        """Runs a runbook query through the Prometheus HTTP API and prints what it shows."""
        try:
            result = self.prom.query(expr)
        except (OSError, RuntimeError, ValueError, http.client.HTTPException) as e:
            print(f"    $ {expr}\n        error: {e}", flush=True)
            return []
        print(f"    $ {expr}" + (f"    # {why}" if why else ""), flush=True)
        if not result:
            print("        (no data)")
        for r in result[:8]:
            labels = ",".join(f'{k}="{v}"' for k, v in sorted(r["metric"].items())
                              if k not in ("job", "namespace", "__name__"))
            print(f"        {{{labels}}} {fmt(r['value'][1])}")
        if len(result) > 8:
            print(f"        ... {len(result) - 8} more series")
        return result

    def budget(self, why):
        """`ticketsctl budget` against this drill's Prometheus, as the deploy gate asks it."""
        if not os.access(self.ticketsctl, os.X_OK):
            self.log(f"ticketsctl not found at {self.ticketsctl}: budget not shown")
            return None
        p = subprocess.run([self.ticketsctl, "budget", "--prometheus", self.prom_url, "--namespace", NAMESPACE],
                           capture_output=True, text=True, timeout=30)
        print(f"    $ ticketsctl budget --namespace {NAMESPACE} --prometheus <drill prometheus>    # {why}")
        for line in (p.stdout + p.stderr).strip().splitlines():
            print(f"        {line}")
        print(f"        (exit status {p.returncode})", flush=True)
        return p.returncode

    def log_lines(self, needle, names=None):
        # list(): the crash-loop drill's pods add processes from their own threads.
        names = names or [n for n in list(self.procs.procs) if n.startswith(("ticketsd-", "backend-"))]
        lines = []
        for n in names:
            lines += [(n, line) for line in self.procs.log_text(n).splitlines() if needle in line]
        return lines

    # ---------------------------------------------------------------- the end

    def report_alerts(self):
        """Every alert that fired during the drill, besides the one it is about."""
        watcher = getattr(self, "watcher", None)
        if watcher is None:
            return
        fault = self.timeline.first("fault injected") or self.timeline.t0
        fired = sorted((s["first_firing"] - fault, name) for name, s in
                       ((n, watcher.get(n)) for n in list(watcher.seen)) if s.get("first_firing"))
        self.log("alerts that fired during the drill: " +
                 (", ".join(f"{name} ({t:+.1f}s)" for t, name in fired) or "none"))

    def dump_logs(self):
        for name in list(self.procs.procs):
            text = self.procs.log_text(name).strip().splitlines()
            if text:
                print(f"--- last lines of {name}.log:")
                for line in text[-6:]:
                    print("    " + line[:300])

    def close(self):
        for obj in self.stoppables:
            try:
                obj.stop()
            except Exception:
                pass
        self.procs.stop_all()
        if self.pg_dir:
            subprocess.run(["bash", PG_CLUSTER, "stop", self.pg_dir], capture_output=True, timeout=60,
                           start_new_session=True)
        if self.args.keep_tmp:
            self.log(f"kept {self.tmp}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)
        self.log("everything the drill started is stopped")


# --------------------------------------------------------------------------- entry point

def main(name, doc, scenario, time_limit=300, short_time_limit=150):
    parser = argparse.ArgumentParser(prog=f"drills/{name}.py", description=doc.strip().splitlines()[0])
    parser.add_argument("--ticketsd", default=os.path.join(ROOT, DEFAULT_TICKETSD),
                        help=f"the ticketsd binary (default {DEFAULT_TICKETSD})")
    parser.add_argument("--ticketsctl", help="the ticketsctl binary (default: beside ticketsd)")
    parser.add_argument("--short", action="store_true", help="shorter baseline and bounds (test suite)")
    parser.add_argument("--no-fix", action="store_true",
                        help="skip the resolution step: the drill must then fail (self-check)")
    parser.add_argument("--keep-tmp", action="store_true", help="keep the temporary directory (logs, configs)")
    args = parser.parse_args()

    limit = short_time_limit if args.short else time_limit
    started = time.monotonic()

    def on_signal(signum, frame):
        raise Interrupted(f"time limit of {limit}s reached" if signum == signal.SIGALRM else f"signal {signum}")

    for s in (signal.SIGINT, signal.SIGTERM, signal.SIGALRM):
        signal.signal(s, on_signal)
    signal.alarm(limit)
    drill = None
    ok = False
    try:
        drill = Drill(name, args)
        drill.log(f"ticketsd {drill.given_ticketsd}" + (" (--short)" if args.short else "")
                  + (" (--no-fix: the resolution step is skipped, the drill must fail)" if args.no_fix else ""))
        scenario(drill)
        ok = True
    except StepMissed as e:
        print(f"{name}: STEP MISSED: {e}", flush=True)
    except e2e.Abort as e:
        print(f"{name}: STEP MISSED: {e}", flush=True)
    except Interrupted as e:
        print(f"{name}: INTERRUPTED: {e}", flush=True)
    except Exception:
        traceback.print_exc()
    finally:
        signal.alarm(0)
        for s in (signal.SIGINT, signal.SIGTERM):
            signal.signal(s, signal.SIG_IGN)  # let the cleanup finish
        if drill is not None:
            drill.report_alerts()
            drill.timeline.print_summary()
            if not ok:
                drill.dump_logs()
            drill.close()
    wall = time.monotonic() - started
    print(f"drill {name}: {'PASSED' if ok else 'FAILED'} in {wall:.0f} s wall time", flush=True)
    return 0 if ok else 1
