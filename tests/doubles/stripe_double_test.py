#!/usr/bin/env python3
"""Tests of stripe_double, the local test double of Stripe's Checkout API.

Starts the double on a free loopback port and a small webhook receiver next
to it, and checks the double against Stripe's documented behaviour.  Webhook
signatures are checked here with an independent implementation of Stripe's
documented scheme, not with the double's own signing function.

Run: python3 tests/doubles/stripe_double_test.py
"""

import hashlib
import hmac
import http.client
import http.server
import json
import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import stripe_double  # noqa: E402

SK = "sk_test_unit"
WHSEC = "whsec_unit_secret"
HERE = os.path.dirname(os.path.abspath(__file__))


# ---- a webhook endpoint standing in for ticketsd --------------------------

class Receiver:
    """Records every POST (headers and raw body) and answers `status`."""

    def __init__(self):
        self.received = []
        self.status = 200
        self.answer = b"received"
        self.cond = threading.Condition()
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with outer.cond:
                    outer.received.append({"path": self.path, "headers": dict(self.headers),
                                           "raw": raw})
                    outer.cond.notify_all()
                self.send_response(outer.status)
                self.send_header("Content-Length", str(len(outer.answer)))
                self.end_headers()
                self.wfile.write(outer.answer)

            def log_message(self, *a):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/stripe"

    def wait_for(self, n, timeout=3.0):
        with self.cond:
            self.cond.wait_for(lambda: len(self.received) >= n, timeout)
            return list(self.received)

    def clear(self):
        with self.cond:
            self.received.clear()
        self.status, self.answer = 200, b"received"

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


def verify_stripe_signature(header, raw, secret, tolerance=300, now=None):
    """Stripe's documented check, written independently of the double:
    split the header on ',' then '=', take t and every v1, compute
    HMAC-SHA256(secret, "<t>.<raw body>") in hex, compare in constant time,
    and reject timestamps further than `tolerance` seconds from now."""
    pairs = [item.split("=", 1) for item in header.split(",") if "=" in item]
    ts = [v for k, v in pairs if k.strip() == "t"]
    sigs = [v for k, v in pairs if k.strip() == "v1"]
    if len(ts) != 1 or not sigs:
        return "malformed"
    expected = hmac.new(secret.encode(), ts[0].encode() + b"." + raw, hashlib.sha256).hexdigest()
    if not any(hmac.compare_digest(expected, s) for s in sigs):
        return "bad"
    if abs((now or time.time()) - int(ts[0])) > tolerance:
        return "stale"
    return "ok"


# ---- HTTP helpers (http.client: no redirects followed, no proxies) ---------

def call(base, method, path, body=None, headers=None):
    u = urllib.parse.urlsplit(base)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        return r.status, {k.lower(): v for k, v in r.getheaders()}, r.read()
    finally:
        conn.close()


def session_params(drop=(), **changes):
    now = int(time.time())
    p = {
        "mode": "payment",
        "line_items[0][price_data][currency]": "EUR",
        "line_items[0][price_data][unit_amount]": "2500",
        "line_items[0][price_data][product_data][name]": "Concert <A> seat",
        "line_items[0][quantity]": "2",
        "line_items[1][price_data][currency]": "eur",
        "line_items[1][price_data][unit_amount]": "150",
        "line_items[1][price_data][product_data][name]": "Booking fee",
        "line_items[1][quantity]": "1",
        "client_reference_id": "order-42",
        "customer_email": "buyer@example.com",
        "success_url": "https://tickets.example/ok?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://tickets.example/cancel",
        "expires_at": str(now + 1800),
        "metadata[order_id]": "42",
        "metadata[1]": "digits stay a key",
    }
    for k in drop:
        p.pop(k)
    p.update(changes)
    return p


class StripeDoubleTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.double = stripe_double.StripeDouble(port=0, secret_key=SK).start()
        cls.base = cls.double.base_url
        cls.rx = Receiver()

    @classmethod
    def tearDownClass(cls):
        cls.double.stop()
        cls.rx.stop()

    def setUp(self):
        self.ctl("POST", "/_double/reset")
        self.ctl("POST", "/_double/config", {"webhook_url": self.rx.url, "webhook_secret": WHSEC,
                                             "down": False, "delay_ms": 0})
        self.rx.clear()

    # helpers
    def stripe(self, method, path, params=None, key=SK, idem=None):
        headers = {}
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        if idem:
            headers["Idempotency-Key"] = idem
        body = None
        if params is not None:
            body = urllib.parse.urlencode(list(params.items()))
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        status, hdrs, raw = call(self.base, method, path, body, headers)
        return status, json.loads(raw), hdrs

    def ctl(self, method, path, obj=None):
        body = json.dumps(obj) if obj is not None else None
        status, _, raw = call(self.base, method, path, body, {"Content-Type": "application/json"})
        self.assertLess(status, 500, raw)
        return status, json.loads(raw)

    def create(self, **kw):
        status, s, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(**kw))
        self.assertEqual(status, 200, s)
        return s

    def complete(self, sid, **kw):
        status, out = self.ctl("POST", f"/_double/sessions/{sid}/complete", kw)
        self.assertEqual(status, 200, out)
        return out

    # ---- sessions --------------------------------------------------------

    def test_create_and_retrieve_session(self):
        s = self.create()
        self.assertTrue(s["id"].startswith("cs_test_"))
        self.assertEqual(s["object"], "checkout.session")
        self.assertEqual(s["url"], f"{self.base}/pay/{s['id']}")
        self.assertEqual((s["status"], s["payment_status"]), ("open", "unpaid"))
        self.assertEqual(s["amount_total"], 2 * 2500 + 150)
        self.assertEqual(s["currency"], "eur")           # lower-cased, as Stripe does
        self.assertEqual(s["client_reference_id"], "order-42")
        self.assertEqual(s["customer_email"], "buyer@example.com")
        self.assertIsNone(s["payment_intent"])
        self.assertEqual(s["metadata"], {"order_id": "42", "1": "digits stay a key"})
        self.assertLessEqual(abs(s["created"] - time.time()), 5)

        status, got, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual((status, got), (200, s))

        status, err, _ = self.stripe("GET", "/v1/checkout/sessions/cs_test_nope")
        self.assertEqual(status, 404)
        self.assertEqual(err["error"]["type"], "invalid_request_error")
        self.assertEqual(err["error"]["code"], "resource_missing")

        # Omitted expires_at: Stripe's default, 24 hours.
        s2 = self.create(drop=["expires_at"])
        self.assertAlmostEqual(s2["expires_at"] - s2["created"], 86400, delta=2)

    def test_validation_errors_name_the_param(self):
        now = int(time.time())
        cases = [
            (dict(drop=["mode"]), "mode"),
            (dict(mode="subscription"), "mode"),
            (dict(drop=[k for k in session_params() if k.startswith("line_items")]), "line_items"),
            (dict(drop=["line_items[1][price_data][currency]"]),
             "line_items[1][price_data][currency]"),
            ({"line_items[0][price_data][unit_amount]": "-1"},
             "line_items[0][price_data][unit_amount]"),
            ({"line_items[0][price_data][unit_amount]": "12.5"},
             "line_items[0][price_data][unit_amount]"),
            ({"line_items[1][quantity]": "0"}, "line_items[1][quantity]"),
            (dict(drop=["line_items[0][quantity]"]), "line_items[0][quantity]"),
            ({"line_items[1][price_data][currency]": "usd"},
             "line_items[1][price_data][currency]"),
            (dict(drop=["success_url"]), "success_url"),
            (dict(expires_at=str(now + 600)), "expires_at"),          # under 30 minutes
            (dict(expires_at=str(now + 86400 + 60)), "expires_at"),   # over 24 hours
        ]
        for kw, param in cases:
            with self.subTest(param=param, kw=kw):
                status, err, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(**kw))
                self.assertEqual(status, 400, err)
                self.assertEqual(err["error"]["type"], "invalid_request_error")
                self.assertEqual(err["error"]["param"], param)
        self.assertEqual(self.ctl("GET", "/_double/sessions")[1]["data"], [])

        # A JSON body is not what Stripe takes.
        status, _, raw = call(self.base, "POST", "/v1/checkout/sessions", json.dumps({"mode": "payment"}),
                              {"Authorization": f"Bearer {SK}", "Content-Type": "application/json"})
        self.assertEqual(status, 400)

    def test_wrong_or_missing_key_is_401(self):
        for key in ("sk_test_wrong", None):
            status, err, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(), key=key)
            self.assertEqual(status, 401)
            self.assertEqual(err, {"error": {"type": "invalid_request_error",
                                             "message": "Invalid API Key provided"}})
        self.assertEqual(self.ctl("GET", "/_double/sessions")[1]["data"], [])
        # The double logs every /v1 request, refused ones too.
        statuses = [r["status"] for r in self.ctl("GET", "/_double/requests")[1]["data"]]
        self.assertEqual(statuses, [401, 401])

    # ---- idempotency -----------------------------------------------------

    def test_idempotent_replay_and_idempotency_error(self):
        params = session_params()
        st1, s1, h1 = self.stripe("POST", "/v1/checkout/sessions", params, idem="key-1")
        st2, s2, h2 = self.stripe("POST", "/v1/checkout/sessions", params, idem="key-1")
        self.assertEqual((st1, st2), (200, 200))
        self.assertEqual(s1, s2)
        self.assertNotIn("idempotent-replayed", h1)
        self.assertEqual(h2.get("idempotent-replayed"), "true")
        self.assertEqual(len(self.ctl("GET", "/_double/sessions")[1]["data"]), 1)

        other = dict(params, client_reference_id="order-43")
        st3, err, _ = self.stripe("POST", "/v1/checkout/sessions", other, idem="key-1")
        self.assertEqual(st3, 400)
        self.assertEqual(err["error"]["type"], "idempotency_error")

        # A request that fails validation never ran: nothing is saved under its
        # key, so the key can be used again with corrected parameters.
        st4, _, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(drop=["mode"]),
                                idem="key-2")
        st5, s5, h5 = self.stripe("POST", "/v1/checkout/sessions", params, idem="key-2")
        self.assertEqual((st4, st5), (400, 200))
        self.assertNotIn("idempotent-replayed", h5)
        self.assertNotEqual(s5["id"], s1["id"])

        log = self.ctl("GET", "/_double/requests")[1]["data"]
        self.assertEqual([(r["idempotency_key"], r["status"], r["replayed"]) for r in log],
                         [("key-1", 200, False), ("key-1", 200, True), ("key-1", 400, False),
                          ("key-2", 400, False), ("key-2", 200, False)])
        self.assertEqual(log[0]["params"]["line_items"][0]["quantity"], "2")

    # ---- completion and webhooks -----------------------------------------

    def test_complete_sends_signed_webhook(self):
        s = self.create()
        out = self.complete(s["id"])
        self.assertEqual(out["delivery"]["status"], 200)
        self.assertEqual(out["delivery"]["body"], "received")
        got = self.rx.wait_for(1)
        self.assertEqual(len(got), 1)
        req = got[0]
        self.assertEqual(req["path"], "/webhooks/stripe")
        self.assertTrue(req["headers"]["Content-Type"].startswith("application/json"))
        self.assertEqual(verify_stripe_signature(req["headers"]["Stripe-Signature"], req["raw"],
                                                 WHSEC), "ok")
        # The same body under another secret must not verify.
        self.assertEqual(verify_stripe_signature(req["headers"]["Stripe-Signature"], req["raw"],
                                                 "whsec_other"), "bad")
        event = json.loads(req["raw"])
        self.assertTrue(event["id"].startswith("evt_test_"))
        self.assertEqual((event["object"], event["type"], event["api_version"], event["livemode"]),
                         ("event", "checkout.session.completed", "2024-06-20", False))
        obj = event["data"]["object"]
        self.assertEqual((obj["id"], obj["status"], obj["payment_status"]),
                         (s["id"], "complete", "paid"))
        self.assertTrue(obj["payment_intent"].startswith("pi_test_"))
        self.assertEqual(event, out["event"])

        _, now, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual(now, obj)
        # Completing twice is refused.
        status, _ = self.ctl("POST", f"/_double/sessions/{s['id']}/complete", {})
        self.assertEqual(status, 400)

    def test_lost_webhook_then_resend(self):
        s = self.create()
        out = self.complete(s["id"], send_webhook=False)
        self.assertIsNone(out["delivery"])
        time.sleep(0.1)
        self.assertEqual(self.rx.received, [])
        self.assertEqual(self.ctl("GET", "/_double/deliveries")[1]["data"], [])
        _, now, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual(now["status"], "complete")    # paid, though nobody was told

        evt = out["event"]["id"]
        status, r1 = self.ctl("POST", f"/_double/events/{evt}/resend")
        status2, r2 = self.ctl("POST", f"/_double/events/{evt}/resend")
        self.assertEqual((status, status2), (200, 200))
        got = self.rx.wait_for(2)
        self.assertEqual(len(got), 2)
        self.assertEqual(got[0]["raw"], got[1]["raw"])              # same event, same bytes
        self.assertEqual(json.loads(got[0]["raw"])["id"], evt)
        for g in got:
            self.assertEqual(verify_stripe_signature(g["headers"]["Stripe-Signature"], g["raw"],
                                                     WHSEC), "ok")
        deliveries = self.ctl("GET", "/_double/deliveries")[1]["data"]
        self.assertEqual([d["event_id"] for d in deliveries], [evt, evt])
        self.assertEqual(self.ctl("POST", "/_double/events/evt_test_nope/resend")[0], 404)

    def test_bad_and_stale_signatures_are_wrong(self):
        s = self.create()
        out = self.complete(s["id"], send_webhook=False)
        event = out["event"]
        for mode, verdict in (("bad", "bad"), ("stale", "stale"), (None, "ok")):
            with self.subTest(signature=mode):
                self.rx.clear()
                status, r = self.ctl("POST", "/_double/send", {"event": event, "signature": mode})
                self.assertEqual(status, 200)
                self.assertEqual(r["delivery"]["status"], 200)
                g = self.rx.wait_for(1)[0]
                self.assertEqual(json.loads(g["raw"]), event)
                self.assertEqual(verify_stripe_signature(g["headers"]["Stripe-Signature"],
                                                         g["raw"], WHSEC), verdict)
        # A stale header is correctly signed; only its age gives it away.
        self.rx.clear()
        self.ctl("POST", f"/_double/events/{event['id']}/resend", {"signature": "stale"})
        g = self.rx.wait_for(1)[0]
        self.assertEqual(verify_stripe_signature(g["headers"]["Stripe-Signature"], g["raw"],
                                                 WHSEC, tolerance=7200), "ok")

    def test_delivery_records_the_answer(self):
        self.rx.status, self.rx.answer = 500, b"x" * 1000
        s = self.create()
        out = self.complete(s["id"])
        self.assertEqual(out["delivery"]["status"], 500)
        self.assertEqual(len(out["delivery"]["body"]), 500)
        # An unreachable endpoint is recorded as an error, not a status.
        self.ctl("POST", "/_double/config", {"webhook_url": "http://127.0.0.1:9/nothing"})
        out = self.complete(self.create()["id"])
        self.assertIsNone(out["delivery"]["status"])
        self.assertTrue(out["delivery"]["error"])
        self.assertEqual(len(self.ctl("GET", "/_double/deliveries")[1]["data"]), 2)

    # ---- expiry ------------------------------------------------------------

    def test_expire(self):
        s = self.create()
        status, out = self.ctl("POST", f"/_double/sessions/{s['id']}/expire", {})
        self.assertEqual(status, 200)
        self.assertEqual(out["event"]["type"], "checkout.session.expired")
        self.assertEqual(out["event"]["data"]["object"]["status"], "expired")
        g = self.rx.wait_for(1)
        self.assertEqual(json.loads(g[0]["raw"])["type"], "checkout.session.expired")
        # Not open any more: neither completion nor a second expiry.
        self.assertEqual(self.ctl("POST", f"/_double/sessions/{s['id']}/complete", {})[0], 400)
        st, err, _ = self.stripe("POST", f"/v1/checkout/sessions/{s['id']}/expire", {})
        self.assertEqual(st, 400)
        self.assertEqual(err["error"]["type"], "invalid_request_error")
        # ... unless the payment is forced through after the time ran out.
        out = self.complete(s["id"], force=True)
        self.assertEqual(out["event"]["data"]["object"]["status"], "complete")

        # Through Stripe's own endpoint: the answer, then the event, asynchronously.
        s2 = self.create()
        st, got, _ = self.stripe("POST", f"/v1/checkout/sessions/{s2['id']}/expire", {})
        self.assertEqual((st, got["status"]), (200, "expired"))
        g = self.rx.wait_for(3)
        self.assertEqual(len(g), 3)
        last = json.loads(g[2]["raw"])
        self.assertEqual((last["type"], last["data"]["object"]["id"]),
                         ("checkout.session.expired", s2["id"]))
        st, err, _ = self.stripe("POST", "/v1/checkout/sessions/cs_test_nope/expire", {})
        self.assertEqual((st, err["error"]["code"]), (404, "resource_missing"))

    def test_open_session_expires_at_expires_at(self):
        # Stripe will not take an expires_at under 30 minutes away, so the
        # test moves the deadline into the past through the double's internals.
        s = self.create()
        with self.double._lock:
            self.double._sessions[s["id"]]["object"]["expires_at"] = int(time.time()) - 1
        g = self.rx.wait_for(1, timeout=3)
        self.assertEqual(len(g), 1)
        event = json.loads(g[0]["raw"])
        self.assertEqual((event["type"], event["data"]["object"]["id"]),
                         ("checkout.session.expired", s["id"]))
        _, now, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual(now["status"], "expired")

    # ---- refunds -----------------------------------------------------------

    def test_refunds(self):
        s = self.create()                                   # 5150 eur
        pi = self.complete(s["id"])["event"]["data"]["object"]["payment_intent"]

        st, r1, _ = self.stripe("POST", "/v1/refunds",
                                {"payment_intent": pi, "amount": "1000",
                                 "reason": "requested_by_customer", "metadata[ticket]": "T1"},
                                idem="refund-1")
        self.assertEqual(st, 200, r1)
        self.assertTrue(r1["id"].startswith("re_test_"))
        self.assertEqual((r1["object"], r1["amount"], r1["currency"], r1["payment_intent"],
                          r1["status"], r1["metadata"]),
                         ("refund", 1000, "eur", pi, "succeeded", {"ticket": "T1"}))
        # A retried refund is not a second refund.
        st, again, h = self.stripe("POST", "/v1/refunds",
                                   {"payment_intent": pi, "amount": "1000",
                                    "reason": "requested_by_customer", "metadata[ticket]": "T1"},
                                   idem="refund-1")
        self.assertEqual((st, again, h.get("idempotent-replayed")), (200, r1, "true"))

        st, err, _ = self.stripe("POST", "/v1/refunds", {"payment_intent": pi, "amount": "4151"})
        self.assertEqual(st, 400)
        self.assertEqual((err["error"]["type"], err["error"]["param"]),
                         ("invalid_request_error", "amount"))

        st, r2, _ = self.stripe("POST", "/v1/refunds", {"payment_intent": pi})   # the rest
        self.assertEqual((st, r2["amount"]), (200, 4150))

        st, err, _ = self.stripe("POST", "/v1/refunds", {"payment_intent": pi, "amount": "1"})
        self.assertEqual((st, err["error"]["code"]), (400, "charge_already_refunded"))

        st, err, _ = self.stripe("POST", "/v1/refunds", {"payment_intent": "pi_test_nope"})
        self.assertEqual((st, err["error"]["code"]), (404, "resource_missing"))
        st, err, _ = self.stripe("POST", "/v1/refunds", {"amount": "1"})
        self.assertEqual((st, err["error"]["param"]), (400, "payment_intent"))

        st, got, _ = self.stripe("GET", f"/v1/refunds/{r1['id']}")
        self.assertEqual((st, got), (200, r1))
        refunds = self.ctl("GET", "/_double/refunds")[1]["data"]
        self.assertEqual([r["amount"] for r in refunds], [1000, 4150])

    # ---- outages -----------------------------------------------------------

    def test_down_and_slow(self):
        s = self.create()
        self.ctl("POST", "/_double/config", {"down": True})
        st, err, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual((st, err["error"]["type"]), (503, "api_error"))
        st, err, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(), idem="k")
        self.assertEqual(st, 503)
        self.ctl("POST", "/_double/config", {"down": False, "delay_ms": 300})
        t0 = time.monotonic()
        st, _, _ = self.stripe("POST", "/v1/checkout/sessions", session_params(), idem="k")
        self.assertEqual(st, 200)                 # the 503 was not saved under "k"
        self.assertGreaterEqual(time.monotonic() - t0, 0.3)
        self.assertEqual(self.ctl("POST", "/_double/config", {"downn": True})[0], 400)

    # ---- hosted payment page -----------------------------------------------

    def test_hosted_page_pay(self):
        s = self.create()
        status, hdrs, page = call(self.base, "GET", f"/pay/{s['id']}")
        page = page.decode()
        self.assertEqual(status, 200)
        self.assertIn("<title>Test payment</title>", page)
        self.assertIn("51.50 EUR", page)
        self.assertIn("Concert &lt;A&gt; seat", page)
        self.assertIn('<button name="action" value="pay">Pay</button>', page)
        self.assertIn('<button name="action" value="cancel">Cancel</button>', page)

        status, hdrs, _ = call(self.base, "POST", f"/pay/{s['id']}", "action=cancel",
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual((status, hdrs["location"]), (303, "https://tickets.example/cancel"))
        _, now, _ = self.stripe("GET", f"/v1/checkout/sessions/{s['id']}")
        self.assertEqual(now["status"], "open")

        status, hdrs, _ = call(self.base, "POST", f"/pay/{s['id']}", "action=pay",
                               {"Content-Type": "application/x-www-form-urlencoded"})
        self.assertEqual(status, 303)
        self.assertEqual(hdrs["location"], f"https://tickets.example/ok?session_id={s['id']}")
        # The webhook was delivered before the redirect was answered.
        self.assertEqual(len(self.rx.received), 1)
        event = json.loads(self.rx.received[0]["raw"])
        self.assertEqual((event["type"], event["data"]["object"]["id"]),
                         ("checkout.session.completed", s["id"]))

        status, _, page = call(self.base, "GET", f"/pay/{s['id']}")
        self.assertNotIn("<button", page.decode())
        self.assertIn("complete", page.decode())
        self.assertEqual(call(self.base, "GET", "/pay/cs_test_nope")[0], 404)


class CommandLineTest(unittest.TestCase):

    def test_start_port_file_and_sigterm(self):
        with tempfile.TemporaryDirectory() as tmp:
            port_file = os.path.join(tmp, "port")
            proc = subprocess.Popen(
                [sys.executable, os.path.join(HERE, "stripe_double.py"), "--port", "0",
                 "--port-file", port_file, "--secret-key", "sk_test_cli"],
                stdout=subprocess.PIPE, text=True)
            try:
                line = proc.stdout.readline().strip()
                self.assertRegex(line, r"^stripe-double listening on 127\.0\.0\.1:\d+$")
                port = int(line.rsplit(":", 1)[1])
                with open(port_file) as f:
                    self.assertEqual(int(f.read()), port)
                base = f"http://127.0.0.1:{port}"
                st, _, _ = call(base, "GET", "/v1/checkout/sessions/x",
                                headers={"Authorization": "Bearer sk_test_double"})
                self.assertEqual(st, 401)
                st, _, _ = call(base, "GET", "/v1/checkout/sessions/x",
                                headers={"Authorization": "Bearer sk_test_cli"})
                self.assertEqual(st, 404)
            finally:
                proc.send_signal(signal.SIGTERM)
                self.assertEqual(proc.wait(timeout=5), 0)
                proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
