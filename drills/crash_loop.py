#!/usr/bin/python3
"""Drill 4, pod crash loop (docs/runbooks.md#4-pod-crash-loop): PodCrashLooping.

Usage: drills/crash_loop.py [--ticketsd PATH] [--short] [--no-fix] [--keep-tmp]

Two ticketsd replicas on PostgreSQL behind nginx, Prometheus and Alertmanager (drills/lib/drill.py),
catalogue readers through nginx. The fault is a configuration change rolled out with a typo,
DB_POOL_SIZE=lots: as the Deployment's rolling update does (maxSurge 1, maxUnavailable 0), one new
pod is started next to the old ones, and it exits at once with status 2 and one line naming the
variable. A small supervisor in this script plays the kubelet: it restarts the pod's container with
a CrashLoopBackOff delay (Kubernetes: 10 s doubling to 5 min; here 1 s doubling to 16 s), counts the
restarts and keeps the previous container's log (`kubectl logs --previous`). The old pods keep
serving: the rollout stalls, buyers see no error.

The alert: PodCrashLooping reads kube_pod_container_status_restarts_total of kube-state-metrics,
which does not exist outside Kubernetes. Here a stand-in in this script exports that series from
the supervisor's counts (namespace tickets-dev, container backend, one series per pod), Prometheus
scrapes it, and the real alert expression (test copy, `for` 2 s) goes pending, fires and opens a
ticket. That shows the expression and routing work on such a series, not that kube-state-metrics
exports it so; PodCrashLooping's timings and its resolution (5 minutes after the last restart,
the increase window) are covered by the promtool tests in monitoring/tests/runbook-alerts.yml,
and this drill does not wait for the resolution.

The fix: the configuration is corrected (DB_POOL_SIZE=10) and rolled out again: the crash-looping
pod is replaced by a new pod, which must become ready, join the load balancer and Prometheus'
targets, and answer buyers; the old pod it replaces then leaves. With --no-fix the new pod never
becomes ready and the drill fails.
"""

import http.server
import os
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in drills/ or monitoring/e2e/
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib"))
import drill as d  # noqa: E402
import e2e_test as e2e  # noqa: E402

ALERT = "PodCrashLooping"
BACKOFF = (1, 2, 4, 8, 16)  # seconds; Kubernetes' CrashLoopBackOff is 10, 20, 40, ... 300


class Pod(threading.Thread):
    """One pod's container, restarted by this 'kubelet' whenever it exits, with back-off."""

    def __init__(self, drill, name, overrides):
        super().__init__(daemon=True)
        self.drill, self.name, self.overrides = drill, name, overrides
        self.created = time.monotonic()
        self.restarts = 0
        self.status = "ContainerCreating"
        self.exits = []          # (monotonic, exit status)
        self.previous_log = ""   # the last exited container's output
        self.replica = None
        self.current = None      # procs name of the running container
        self.stop_event = threading.Event()

    def run(self):
        attempt = 0
        while not self.stop_event.is_set():
            name = f"{self.name}-c{attempt}"
            self.current = name
            env = self.drill.replica_env(self.overrides)
            os.makedirs(env["DATA_DIR"], exist_ok=True)
            p = self.drill.procs.start(name, [self.drill.ticketsd], env=env)
            port = self._ready_or_exit(name, p)
            if port:
                self.status = "Running"
                self.replica = d.Replica(name, p, port, self.drill.ticketsd, env)
                with self.drill.publish_lock:
                    self.drill.serving.append(self.replica)
                    self.drill.publish()
                self.drill.log(f"pod {self.name}: ready on 127.0.0.1:{port}, in the load balancer")
                while p.poll() is None and not self.stop_event.wait(0.2):
                    pass
                if self.stop_event.is_set():
                    return
                with self.drill.publish_lock:  # it died while serving: out of the endpoints
                    self.drill.serving.remove(self.replica)
                    self.drill.publish()
                self.replica = None
            if self.stop_event.is_set():
                return
            self.exits.append((time.monotonic(), p.returncode))
            self.previous_log = self.drill.procs.log_text(name)
            self.drill.procs.stop(name)
            delay = BACKOFF[min(len(self.exits) - 1, len(BACKOFF) - 1)]
            self.status = "CrashLoopBackOff"
            self.drill.log(f"pod {self.name}: container exited with status {p.returncode}, "
                           f"restart {len(self.exits)} in {delay}s (back-off)")
            if self.stop_event.wait(delay):
                return
            self.restarts += 1
            attempt += 1

    def _ready_or_exit(self, name, p):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not self.stop_event.is_set():
            if p.poll() is not None:
                return None
            port = e2e.listening_port(self.drill.procs, name)
            if port:
                try:
                    if e2e.request(port, "GET", "/readiness", timeout=2)[0] == 200:
                        return port
                except OSError:
                    pass
            time.sleep(0.1)
        self.drill.procs.stop(name)
        return None

    def stop(self):
        """The pod is deleted: its container stopped, out of the endpoints."""
        self.stop_event.set()
        self.join(timeout=10)
        if self.replica is not None:
            with self.drill.publish_lock:
                if self.replica in self.drill.serving:
                    self.drill.serving.remove(self.replica)
                    self.drill.publish()
        if self.current:
            self.drill.procs.stop(self.current)


class KubeStateMetrics:
    """Stand-in for kube-state-metrics: kube_pod_container_status_restarts_total of the pods."""

    def __init__(self, drill):
        self.drill = drill
        self.pods = []  # Pod objects, besides the drill's unsupervised replicas (0 restarts)
        ksm = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                lines = ["# HELP kube_pod_container_status_restarts_total The number of container restarts per container.",
                         "# TYPE kube_pod_container_status_restarts_total counter"]
                for name, restarts in ksm.counts():
                    lines.append(f'kube_pod_container_status_restarts_total{{namespace="{d.NAMESPACE}",'
                                 f'pod="{name}",container="backend"}} {restarts}')
                body = ("\n".join(lines) + "\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def counts(self):
        supervised = {p.replica.name for p in self.pods if p.replica}
        plain = [(r.name, 0) for r in list(self.drill.serving) if r.name not in supervised]
        return plain + [(p.name, p.restarts) for p in list(self.pods)]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def get_pods(drill, ksm):
    """What `kubectl -n tickets-dev get pods` would show."""
    print("    $ kubectl -n tickets-dev get pods    # (the drill's equivalent)")
    print(f"        {'NAME':<22} {'READY':<6} {'STATUS':<18} RESTARTS")
    supervised = {p.replica.name for p in ksm.pods if p.replica}
    for r in drill.serving:
        if r.name not in supervised:
            print(f"        {r.name:<22} {'1/1':<6} {'Running':<18} 0")
    for p in ksm.pods:
        print(f"        {p.name:<22} {'1/1' if p.replica else '0/1':<6} {p.status:<18} {p.restarts}")


def scenario(drill):
    ksm = KubeStateMetrics(drill)
    drill.stoppables.append(ksm)
    drill.setup(replicas=2, scrape_configs=(
        "  # Stand-in for kube-state-metrics (drills/crash_loop.py): the restart counts of the pods.\n"
        "  - job_name: kube-state-metrics\n"
        "    honor_labels: true\n"
        "    static_configs:\n"
        f'      - targets: ["127.0.0.1:{ksm.port}"]\n'))
    load = drill.start_load(threads=3, plan=["list", "detail"], pause=0.1)
    drill.baseline(load, 5 if drill.short else 10)

    bad = Pod(drill, "backend-lots-1", {"DB_POOL_SIZE": "lots"})
    ksm.pods.append(bad)
    drill.stoppables.insert(0, bad)
    fault = drill.timeline.mark("fault injected", "rollout of DB_POOL_SIZE=lots: new pod backend-lots-1 (surge 1)")
    bad.start()
    drill.until("the new pod's container exits", lambda: bad.exits, 15)
    first = bad.previous_log.strip().splitlines()
    drill.timeline.mark("container exited", f"status {bad.exits[0][1]}, its log: {first[-1] if first else '(empty)'}",
                        at=bad.exits[0][0])
    if bad.exits[0][1] != 2 or not any("DB_POOL_SIZE" in line for line in first):
        raise d.StepMissed(f"expected exit status 2 and one line naming DB_POOL_SIZE, got {bad.exits[0][1]}: {first}")

    drill.expect_alert(ALERT, bound=30 if drill.short else 45)

    drill.log("runbook 4, steps 1 and 2:")
    get_pods(drill, ksm)
    print(f"    $ kubectl -n tickets-dev logs {bad.name} --previous")
    for line in bad.previous_log.strip().splitlines()[-3:]:
        print(f"        {line}")
    gaps = [round(b[0] - a[0], 1) for a, b in zip(bad.exits, bad.exits[1:])]
    drill.log(f"restarts so far {bad.restarts}, seconds between exits {gaps} (back-off)")
    drill.query('increase(kube_pod_container_status_restarts_total{namespace=~"tickets-dev|tickets-prod",'
                'container="backend"}[5m]) > 0', "the alert's expression")
    drill.query(f"up{d.SEL}", "replicas Prometheus scrapes (the crash-looping pod never joins)")
    drill.log(f"client side since the fault: {load.describe(fault)}")
    if load.stats(fault)["5xx"] or load.stats(fault)["failed"]:
        raise d.StepMissed("buyers saw errors while the old pods should have kept serving")

    old = drill.serving[-1]
    if drill.no_fix:
        drill.log("--no-fix: the configuration stays wrong")
        fixed_pod = bad
    else:
        drill.timeline.mark("action taken", "DB_POOL_SIZE=10 rolled out: backend-lots-1 replaced by backend-fixed-1")
        bad.stop()
        ksm.pods.remove(bad)
        fixed_pod = Pod(drill, "backend-fixed-1", {"DB_POOL_SIZE": "10"})
        ksm.pods.append(fixed_pod)
        drill.stoppables.insert(0, fixed_pod)
        fixed_pod.start()
    fixed = time.monotonic()
    drill.until("the new pod ready and in the load balancer", lambda: fixed_pod.replica, 20 if drill.short else 30)
    addr = fixed_pod.replica.addr
    drill.until("Prometheus scrapes the new pod",
                lambda: drill.prom.value(f'up{{job="backend",instance="{addr}"}}') == 1, 15)
    drill.until("buyers answered by the new pod", lambda: load.stats(fixed)["upstreams"].get(addr), 15)
    # The rollout goes on: the new pod replaces an old one.
    drill.serving.remove(old)
    drill.publish()
    drill.stop_replica(old)
    drill.timeline.mark("resolved", f"{fixed_pod.name} ready, scraped and answering buyers; {old.name} replaced; "
                        f"restarts of the new pod: {fixed_pod.restarts}")
    get_pods(drill, ksm)
    drill.log(f"client side since the action: {load.describe(fixed)}")
    firing = [a for a in drill.prom.alerts() if a["labels"].get("alertname") == ALERT]
    drill.log(f"{ALERT} now: {[a['state'] for a in firing] or 'inactive'} (it resolves 5 minutes after the last "
              "restart, when the increase window no longer holds it; not awaited, covered by the promtool tests)")


if __name__ == "__main__":
    sys.exit(d.main("crash_loop", __doc__, scenario))
