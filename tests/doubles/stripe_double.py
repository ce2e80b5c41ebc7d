#!/usr/bin/env python3
"""stripe_double: a TEST DOUBLE of Stripe's Checkout API, for tests only.

This is not Stripe and it moves no money.  It implements, on loopback, the
documented subset of Stripe's HTTP API that ticketsd uses, so that tests can
drive a whole payment (create a Checkout Session, pay or abandon it, receive
the signed webhook, refund) without a network or a Stripe account, and can
make Stripe misbehave on purpose (lost, replayed or forged webhooks, outages,
slow answers).

The Stripe subset (under /v1, form-encoded bodies with Stripe's bracket
notation, JSON answers, `Authorization: Bearer <secret key>`):

    POST /v1/checkout/sessions              create a Checkout Session (mode=payment)
    GET  /v1/checkout/sessions/{id}         retrieve it as it is now
    POST /v1/checkout/sessions/{id}/expire  expire an open session
    POST /v1/refunds                        refund a completed payment (or part of it)
    GET  /v1/refunds/{id}                   retrieve a refund

POSTs honour the `Idempotency-Key` header as Stripe documents it.  Events
(checkout.session.completed, checkout.session.expired) are POSTed to the
configured webhook URL signed with Stripe's `Stripe-Signature` scheme.

Besides the Stripe subset there is a control API for tests under /_double/
(no auth, JSON in and out) and a stand-in for Stripe's hosted payment page
under /pay/{id}.  See `python3 stripe_double.py --help` and the docstrings of
`StripeDouble` and `_Handler` for the exact routes.

What the double does NOT model (deliberately): other payment modes, prices
and products by id, customers, PaymentIntent/Charge objects of their own,
list endpoints, `expand`, events other than the two above, and Stripe's
automatic redelivery of failed webhooks (tests replay with
/_double/events/{id}/resend instead).  Parameters it does not model are
accepted, ignored and listed as `ignored_params` in /_double/requests.

Run:    python3 tests/doubles/stripe_double.py --port 0 [--port-file FILE]
                [--secret-key sk_test_x] [--webhook-url URL]
                [--webhook-secret whsec_x] [--verbose]
Import: StripeDouble(port=0, secret_key=...).start(); .port; .base_url; .stop()

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import base64
import copy
import hashlib
import hmac
import html
import http.server
import json
import os
import re
import secrets
import signal
import string
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request

API_VERSION = "2024-06-20"
DEFAULT_SECRET_KEY = "sk_test_double"
DEFAULT_WEBHOOK_SECRET = "whsec_test_double"

# Stripe: `expires_at` must be between 30 minutes and 24 hours after creation.
# One second of slack at the low end, for a client that computes now+1800 a
# moment before the double reads its own clock.
MIN_EXPIRY_S = 1799
MAX_EXPIRY_S = 86400
DEFAULT_EXPIRY_S = 86400  # Stripe's default when expires_at is omitted

WEBHOOK_TIMEOUT_S = 10
DELIVERY_BODY_LIMIT = 500
STALE_SIGNATURE_AGE_S = 3600  # Stripe's libraries reject timestamps older than 300 s

# Currencies whose amounts Stripe counts in whole units (no cents); only used
# to print amounts on the payment page.
_ZERO_DECIMAL = {"bif", "clp", "djf", "gnf", "jpy", "kmf", "krw", "mga", "pyg",
                 "rwf", "ugx", "vnd", "vuv", "xaf", "xof", "xpf"}

_ID_ALPHABET = string.ascii_letters + string.digits


def _new_id(prefix: str, length: int = 24) -> str:
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(length))


def sign_payload(secret: str, timestamp: int, payload: bytes) -> str:
    """Stripe's v1 webhook signature: hex HMAC-SHA256 keyed with the endpoint's
    signing secret over "<timestamp>.<raw request body>"."""
    signed = str(timestamp).encode() + b"." + payload
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


# --------------------------------------------------------------------------
# Errors in Stripe's shape: {"error": {"type", "message", "code"?, "param"?}}
# --------------------------------------------------------------------------

class StripeError(Exception):
    """An error answered in Stripe's shape.  Such an answer is saved under the
    request's Idempotency-Key, like any result of an endpoint that ran."""

    def __init__(self, status: int, type_: str, message: str,
                 code: str | None = None, param: str | None = None):
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.code = code
        self.param = param

    def body(self) -> dict:
        err = {"type": self.type, "message": self.message}
        if self.code:
            err["code"] = self.code
        if self.param:
            err["param"] = self.param
        return {"error": err}


class ParamError(StripeError):
    """A request whose parameters fail validation.  Stripe documents that such
    a request never starts executing, so NO result is saved under its
    Idempotency-Key: the client may retry the key with corrected parameters."""

    def __init__(self, message: str, param: str | None = None, code: str | None = None):
        super().__init__(400, "invalid_request_error", message, code=code, param=param)


def _missing(param: str) -> ParamError:
    return ParamError(f"Missing required param: {param}.", param=param, code="parameter_missing")


def _resource_missing(kind: str, ident: str, param: str | None = None) -> StripeError:
    return StripeError(404, "invalid_request_error", f"No such {kind}: '{ident}'",
                       code="resource_missing", param=param)


# --------------------------------------------------------------------------
# Stripe's form encoding: a[b][c]=v nests, a[0][x]=v makes arrays, a[]=v appends.
# --------------------------------------------------------------------------

_KEY_RE = re.compile(r"([^\[\]]+)((?:\[[^\[\]]*\])*)")
_INDEX_RE = re.compile(r"\[([^\[\]]*)\]")


def parse_form(body: str) -> dict:
    """Decode an application/x-www-form-urlencoded body written in Stripe's
    bracket notation into nested dicts and lists (all leaves are strings)."""
    root: dict = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        m = _KEY_RE.fullmatch(key)
        if not m:
            raise ParamError(f"Invalid parameter name: {key}", param=key)
        parts = [m.group(1)] + _INDEX_RE.findall(m.group(2))
        node = root
        for i, part in enumerate(parts):
            if part == "":            # a[]=v: append, numbered in arrival order
                part = str(len(node))
            if i == len(parts) - 1:
                if isinstance(node.get(part), dict):
                    raise ParamError(f"Invalid value for {key}: it is also an object", param=key)
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise ParamError(f"Invalid value for {key}: it is also a string", param=key)
                node = child
    return _listify(root)


def _listify(node, under_metadata: bool = False):
    """Dicts keyed only by integers become arrays ordered by index (line_items,
    expand).  Metadata keys are free text, so "metadata[1]" stays a key."""
    if not isinstance(node, dict):
        return node
    out = {k: _listify(v, under_metadata=(k == "metadata")) for k, v in node.items()}
    if out and not under_metadata and all(k.isdigit() for k in out):
        return [out[k] for k in sorted(out, key=int)]
    return out


def _int_param(obj: dict, key: str, name: str, *, required: bool, minimum: int | None = None):
    raw = obj.get(key)
    if raw is None or raw == "":
        if required:
            raise _missing(name)
        return None
    if not isinstance(raw, str) or not re.fullmatch(r"-?\d+", raw):
        raise ParamError(f"Invalid integer: {raw}", param=name, code="parameter_invalid_integer")
    value = int(raw)
    if minimum is not None and value < minimum:
        raise ParamError(f"This value must be greater than or equal to {minimum}.",
                         param=name, code="parameter_invalid_integer")
    return value


def _unknown(obj: dict, known: set[str], prefix: str = "") -> list[str]:
    return [prefix + (f"[{k}]" if prefix else k) for k in obj if k not in known]


def _metadata(params: dict) -> dict:
    md = params.get("metadata")
    if md is None or md == "":
        return {}
    if not isinstance(md, dict) or any(not isinstance(v, str) for v in md.values()):
        raise ParamError("Invalid metadata: give it as metadata[KEY]=VALUE.", param="metadata")
    # Stripe: posting an empty value to a key unsets it; on creation, that means absent.
    return {k: v for k, v in md.items() if v != ""}


def _format_amount(amount: int, currency: str) -> str:
    if currency in _ZERO_DECIMAL:
        return f"{amount} {currency.upper()}"
    sign = "-" if amount < 0 else ""
    amount = abs(amount)
    return f"{sign}{amount // 100}.{amount % 100:02d} {currency.upper()}"


# --------------------------------------------------------------------------
# The double
# --------------------------------------------------------------------------

class StripeDouble:
    """The state and behaviour of the double, plus its HTTP server.

    All state sits behind one lock.  Webhooks are never sent while holding
    it: ticketsd's webhook handler may well call GET /v1/checkout/sessions/{id}
    back while the double is waiting for its answer.
    """

    def __init__(self, port: int = 0, secret_key: str = DEFAULT_SECRET_KEY,
                 webhook_url: str | None = None,
                 webhook_secret: str = DEFAULT_WEBHOOK_SECRET,
                 verbose: bool = False):
        self._requested_port = port
        self.secret_key = secret_key
        self.verbose = verbose
        self._lock = threading.RLock()
        self._config = {"webhook_url": webhook_url, "webhook_secret": webhook_secret,
                        "down": False, "delay_ms": 0}
        self._server: http.server.ThreadingHTTPServer | None = None
        self._serve_thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._background: list[threading.Thread] = []
        # Direct webhook POSTs, ignoring any http_proxy in the environment.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        self._clear_state()

    def _clear_state(self) -> None:
        self._sessions: dict[str, dict] = {}       # id -> {"object": session, "line_items": [...]}
        self._payments: dict[str, dict] = {}       # payment_intent -> {"session", "amount", "currency", "refunded"}
        self._refunds: dict[str, dict] = {}        # id -> refund object
        self._events: dict[str, dict] = {}         # id -> {"event": obj, "raw": bytes}
        self._deliveries: list[dict] = []
        self._requests: list[dict] = []
        self._idempotency: dict[str, dict] = {}    # key -> saved request and answer

    # ---- lifecycle -------------------------------------------------------

    def start(self) -> "StripeDouble":
        handler = type("BoundHandler", (_Handler,), {"double": self})
        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", self._requested_port), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._serve_thread = threading.Thread(target=self._server.serve_forever,
                                              kwargs={"poll_interval": 0.1},
                                              name="stripe-double-http", daemon=True)
        self._serve_thread.start()
        sweeper = threading.Thread(target=self._sweep, name="stripe-double-expiry", daemon=True)
        sweeper.start()
        self._background.append(sweeper)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        for t in list(self._background):
            t.join(timeout=2)

    @property
    def port(self) -> int:
        assert self._server is not None, "start() first"
        return self._server.server_address[1]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> "StripeDouble":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ---- configuration (also POST /_double/config) -----------------------

    def configure(self, **changes) -> dict:
        allowed = {"webhook_url": (str, type(None)), "webhook_secret": (str,),
                   "down": (bool,), "delay_ms": (int,)}
        for key, value in changes.items():
            if key not in allowed:
                raise ValueError(f"unknown config key {key!r}; known: {sorted(allowed)}")
            if not isinstance(value, allowed[key]) or (key == "delay_ms" and
                                                       (isinstance(value, bool) or value < 0)):
                raise ValueError(f"bad value for {key}: {value!r}")
        with self._lock:
            self._config.update(changes)
            return dict(self._config)

    def config(self) -> dict:
        with self._lock:
            return dict(self._config)

    def reset(self) -> None:
        """Forget sessions, refunds, events, deliveries, the request log and
        idempotency keys; keep the configuration."""
        with self._lock:
            self._clear_state()

    # ---- the Stripe subset -----------------------------------------------

    def handle_v1(self, method: str, path: str, query: str, headers, body: bytes):
        """Answer one /v1 request: returns (status, json bytes, extra headers)."""
        with self._lock:
            config = dict(self._config)
        key = headers.get("Idempotency-Key")
        entry = {"at": time.time(), "method": method, "path": path, "query": query,
                 "idempotency_key": key, "params": None, "status": None,
                 "replayed": False, "ignored_params": []}
        extra: dict[str, str] = {"Request-Id": _new_id("req_", 14)}
        try:
            if config["down"]:
                raise StripeError(503, "api_error",
                                  "The Stripe API is unavailable (stripe-double is set down).")
            self._check_auth(headers.get("Authorization"))
            params = self._params(method, query, headers, body)
            entry["params"] = params
            if method == "POST" and key:
                extra["Idempotency-Key"] = key
                status, out, replayed = self._idempotent(key, method, path, params, entry)
                if replayed:
                    extra["Idempotent-Replayed"] = "true"
                    entry["replayed"] = True
            else:
                status, out = self._execute(method, path, params, entry)
        except StripeError as e:
            status, out = e.status, json.dumps(e.body(), indent=2).encode()
        entry["status"] = status
        with self._lock:
            self._requests.append(entry)
        # "Slow" models latency on the way back: the work above is already
        # done, so a client that times out and retries with the same
        # Idempotency-Key gets the saved answer, as with the real Stripe.
        if config["delay_ms"]:
            time.sleep(config["delay_ms"] / 1000)
        return status, out, extra

    def _check_auth(self, authorization: str | None) -> None:
        # Stripe takes the key as a bearer token or as HTTP Basic user name.
        given = None
        if authorization:
            scheme, _, value = authorization.partition(" ")
            if scheme.lower() == "bearer":
                given = value.strip()
            elif scheme.lower() == "basic":
                try:
                    given = base64.b64decode(value.strip()).decode().partition(":")[0]
                except (ValueError, UnicodeDecodeError):
                    given = None
        if given is None or not hmac.compare_digest(given, self.secret_key):
            raise StripeError(401, "invalid_request_error", "Invalid API Key provided")

    @staticmethod
    def _params(method: str, query: str, headers, body: bytes) -> dict:
        if method == "GET":
            return parse_form(query)
        ctype = (headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if body and ctype and ctype != "application/x-www-form-urlencoded":
            raise ParamError(f"Stripe's API takes application/x-www-form-urlencoded bodies, "
                             f"not {ctype}.")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ParamError("The request body is not UTF-8.")
        return parse_form(text)

    def _idempotent(self, key: str, method: str, path: str, params: dict, entry: dict):
        # Stripe saves the status and body of the first request that ran with a
        # key (errors included) and answers retries with that saved answer; a
        # retry with other parameters or another endpoint is an idempotency_error.
        # The lock is held throughout, so two concurrent uses of one key are
        # serialised rather than both executed.
        with self._lock:
            saved = self._idempotency.get(key)
            if saved is not None:
                if (saved["method"], saved["path"], saved["params"]) != (method, path, params):
                    raise StripeError(
                        400, "idempotency_error",
                        f"Keys for idempotent requests can only be used with the same "
                        f"parameters they were first used with. Try using a key other than "
                        f"'{key}' if you meant to execute a different request.")
                return saved["status"], saved["body"], True
            try:
                status, out = self._execute(method, path, params, entry)
            except ParamError:
                raise                       # never started executing: nothing saved
            except StripeError as e:
                status, out = e.status, json.dumps(e.body(), indent=2).encode()
            self._idempotency[key] = {"method": method, "path": path, "params": params,
                                      "status": status, "body": out}
            return status, out, False

    def _execute(self, method: str, path: str, params: dict, entry: dict):
        parts = path.strip("/").split("/")   # ["v1", ...]
        route = parts[1:]
        if method == "POST" and route == ["checkout", "sessions"]:
            obj = self._create_session(params, entry)
        elif method == "GET" and len(route) == 3 and route[:2] == ["checkout", "sessions"]:
            entry["ignored_params"] = list(params)
            obj = self._session_object(route[2])
        elif (method == "POST" and len(route) == 4 and route[:2] == ["checkout", "sessions"]
              and route[3] == "expire"):
            entry["ignored_params"] = list(params)
            obj, event = self._expire_session(route[2], by_api=True)
            self._deliver_async(event["id"])
        elif method == "POST" and route == ["refunds"]:
            obj = self._create_refund(params, entry)
        elif method == "GET" and len(route) == 2 and route[0] == "refunds":
            with self._lock:
                refund = self._refunds.get(route[1])
                if refund is None:
                    raise _resource_missing("refund", route[1], param="id")
                obj = copy.deepcopy(refund)
        else:
            raise StripeError(404, "invalid_request_error",
                              f"Unrecognized request URL ({method}: {path}). "
                              f"(stripe-double implements only the subset ticketsd uses.)")
        return 200, json.dumps(obj, indent=2).encode()

    def _create_session(self, p: dict, entry: dict) -> dict:
        known = {"mode", "line_items", "client_reference_id", "customer_email", "success_url",
                 "cancel_url", "expires_at", "metadata"}
        ignored = _unknown(p, known)
        now = int(time.time())

        mode = p.get("mode")
        if not mode:
            raise _missing("mode")
        if mode != "payment":
            raise ParamError(f"Invalid mode: {mode!r}. (stripe-double implements only "
                             f"mode=payment.)", param="mode")

        items = p.get("line_items")
        if not items:
            raise _missing("line_items")
        if not isinstance(items, list):
            raise ParamError("Invalid array: give line_items[0][...]=...", param="line_items")
        currency = None
        total = 0
        line_items = []
        for i, item in enumerate(items):
            base = f"line_items[{i}]"
            if not isinstance(item, dict):
                raise ParamError(f"Invalid object for {base}.", param=base)
            ignored += _unknown(item, {"price_data", "quantity"}, base)
            if "price" in item and "price_data" not in item:
                raise ParamError(f"{base}[price]: stripe-double implements only inline "
                                 f"price_data, not Prices by id.", param=f"{base}[price]")
            pd = item.get("price_data")
            if not pd:
                raise _missing(f"{base}[price_data]")
            if not isinstance(pd, dict):
                raise ParamError(f"Invalid object for {base}[price_data].", param=f"{base}[price_data]")
            ignored += _unknown(pd, {"currency", "unit_amount", "product_data"}, f"{base}[price_data]")
            cur = pd.get("currency")
            if not cur:
                raise _missing(f"{base}[price_data][currency]")
            cur = cur.lower()           # Stripe lower-cases ISO currency codes
            if not re.fullmatch(r"[a-z]{3}", cur):
                raise ParamError(f"Invalid currency: {cur}.", param=f"{base}[price_data][currency]")
            if currency is None:
                currency = cur
            elif cur != currency:
                # A Checkout Session charges in one currency.
                raise ParamError("All line items must use the same currency.",
                                 param=f"{base}[price_data][currency]")
            unit = _int_param(pd, "unit_amount", f"{base}[price_data][unit_amount]",
                              required=True, minimum=0)
            # Stripe needs either a Product id or product_data with a name;
            # the double implements product_data only.
            prod = pd.get("product_data")
            if not isinstance(prod, dict) or not prod.get("name"):
                raise _missing(f"{base}[price_data][product_data][name]")
            ignored += _unknown(prod, {"name"}, f"{base}[price_data][product_data]")
            qty = _int_param(item, "quantity", f"{base}[quantity]", required=True, minimum=1)
            total += unit * qty
            line_items.append({"name": prod["name"], "currency": cur, "unit_amount": unit,
                               "quantity": qty, "amount_total": unit * qty})

        success_url = p.get("success_url")
        if not success_url:
            raise _missing("success_url")
        for name in ("success_url", "cancel_url"):
            url = p.get(name)
            if url is not None and not re.match(r"https?://[^\s]+$", url):
                raise ParamError(f"Not a valid URL: {url}", param=name, code="url_invalid")
        email = p.get("customer_email")
        if email is not None and not re.fullmatch(r"[^@\s]+@[^@\s]+", email):
            raise ParamError(f"Invalid email address: {email}", param="customer_email",
                             code="email_invalid")
        expires_at = _int_param(p, "expires_at", "expires_at", required=False)
        if expires_at is None:
            expires_at = now + DEFAULT_EXPIRY_S
        elif not (now + MIN_EXPIRY_S <= expires_at <= now + MAX_EXPIRY_S):
            raise ParamError("The `expires_at` timestamp must be at least 30 minutes and at "
                             "most 24 hours after the Checkout Session is created "
                             f"(now is {now}; got {expires_at}, "
                             f"{expires_at - now:+d} s from now).",
                             param="expires_at")
        metadata = _metadata(p)
        entry["ignored_params"] = ignored

        sid = _new_id("cs_test_", 58)   # real ids are this long; store them whole
        session = {
            "id": sid,
            "object": "checkout.session",
            "mode": "payment",
            "livemode": False,
            "url": f"{self.base_url}/pay/{sid}",
            "status": "open",
            "payment_status": "unpaid",
            "amount_subtotal": total,
            "amount_total": total,
            "currency": currency,
            "client_reference_id": p.get("client_reference_id"),
            "customer_email": email,
            "success_url": success_url,
            "cancel_url": p.get("cancel_url"),
            "expires_at": expires_at,
            "created": now,
            "payment_intent": None,
            "metadata": metadata,
        }
        with self._lock:
            self._sessions[sid] = {"object": session, "line_items": line_items}
        return copy.deepcopy(session)

    def _session_object(self, sid: str) -> dict:
        with self._lock:
            rec = self._sessions.get(sid)
            if rec is None:
                raise _resource_missing("checkout.session", sid, param="session")
            return copy.deepcopy(rec["object"])

    def _create_refund(self, p: dict, entry: dict) -> dict:
        entry["ignored_params"] = _unknown(p, {"payment_intent", "amount", "reason", "metadata"})
        pi = p.get("payment_intent")
        if not pi:
            raise _missing("payment_intent")
        amount = _int_param(p, "amount", "amount", required=False, minimum=1)
        reason = p.get("reason")
        if reason is not None and reason not in ("duplicate", "fraudulent", "requested_by_customer"):
            raise ParamError(f"Invalid reason: must be one of duplicate, fraudulent, or "
                             f"requested_by_customer", param="reason")
        metadata = _metadata(p)
        with self._lock:
            pay = self._payments.get(pi)
            if pay is None:
                raise _resource_missing("payment_intent", pi, param="payment_intent")
            left = pay["amount"] - pay["refunded"]
            if left <= 0:
                raise StripeError(400, "invalid_request_error",
                                  f"Charge for {pi} has already been refunded.",
                                  code="charge_already_refunded")
            if amount is None:
                amount = left        # Stripe's default: everything not yet refunded
            if amount > left:
                raise StripeError(400, "invalid_request_error",
                                  f"Refund amount ({_format_amount(amount, pay['currency'])}) "
                                  f"is greater than unrefunded amount on charge "
                                  f"({_format_amount(left, pay['currency'])})",
                                  param="amount")
            pay["refunded"] += amount
            refund = {"id": _new_id("re_test_"), "object": "refund", "amount": amount,
                      "currency": pay["currency"], "payment_intent": pi,
                      "status": "succeeded", "reason": reason, "created": int(time.time()),
                      "metadata": metadata}
            self._refunds[refund["id"]] = refund
            return copy.deepcopy(refund)

    # ---- state changes that emit events ----------------------------------

    def _emit(self, type_: str, session: dict, request: dict | None = None) -> dict:
        """Record an event carrying the session as it is now.  Caller holds the lock."""
        event = {"id": _new_id("evt_test_"), "object": "event", "type": type_,
                 "created": int(time.time()), "api_version": API_VERSION, "livemode": False,
                 "pending_webhooks": 1,
                 "request": request or {"id": None, "idempotency_key": None},
                 "data": {"object": copy.deepcopy(session)}}
        # The raw bytes are kept: a resend must carry byte-identical content.
        # Indented like Stripe's own payloads, which also catches a receiver
        # that re-serialises the JSON before checking the signature.
        self._events[event["id"]] = {"event": event,
                                     "raw": json.dumps(event, indent=2).encode()}
        return copy.deepcopy(event)

    def complete_session(self, sid: str, *, force: bool = False):
        """The buyer paid: returns (session, event).  `force` completes an
        expired session too (a payment that lands after its time ran out)."""
        with self._lock:
            rec = self._sessions.get(sid)
            if rec is None:
                raise _resource_missing("checkout.session", sid, param="session")
            s = rec["object"]
            if s["status"] != "open" and not (force and s["status"] == "expired"):
                raise StripeError(400, "invalid_request_error",
                                  f"Checkout Session {sid} is {s['status']}, not open"
                                  + ("" if s["status"] == "complete" else
                                     " (give force=true to complete it anyway)"))
            pi = _new_id("pi_test_")
            s.update(status="complete", payment_status="paid", payment_intent=pi)
            self._payments[pi] = {"session": sid, "amount": s["amount_total"],
                                  "currency": s["currency"], "refunded": 0}
            return copy.deepcopy(s), self._emit("checkout.session.completed", s)

    def _expire_session(self, sid: str, *, by_api: bool = False):
        with self._lock:
            rec = self._sessions.get(sid)
            if rec is None:
                raise _resource_missing("checkout.session", sid, param="session")
            s = rec["object"]
            if s["status"] != "open":
                # Stripe: only sessions in status "open" can be expired.
                raise StripeError(400, "invalid_request_error",
                                  f"Only Checkout Sessions with status 'open' can be expired; "
                                  f"{sid} is '{s['status']}'.")
            s.update(status="expired")
            return copy.deepcopy(s), self._emit("checkout.session.expired", s)

    def expire_session(self, sid: str):
        """The session ran out (or was expired): returns (session, event)."""
        return self._expire_session(sid)

    def _sweep(self) -> None:
        # Stripe expires open sessions at expires_at and sends the event.
        while not self._stopping.wait(1.0):
            now = time.time()
            with self._lock:
                due = [sid for sid, rec in self._sessions.items()
                       if rec["object"]["status"] == "open" and rec["object"]["expires_at"] <= now]
            for sid in due:
                try:
                    _, event = self._expire_session(sid)
                except StripeError:
                    continue
                self.deliver(event["id"])

    # ---- webhook delivery ------------------------------------------------

    def deliver(self, event_id: str, signature: str | None = None) -> dict:
        """POST a recorded event to the webhook URL; returns the delivery record."""
        with self._lock:
            ev = self._events.get(event_id)
            if ev is None:
                raise KeyError(event_id)
            raw, type_ = ev["raw"], ev["event"]["type"]
        return self._post_webhook(raw, event_id, type_, signature)

    def _deliver_async(self, event_id: str) -> None:
        # Events caused by a /v1 call reach the webhook after (or around) the
        # API answer, never as part of it: deliver from another thread.
        t = threading.Thread(target=self.deliver, args=(event_id,), daemon=True,
                             name="stripe-double-webhook")
        with self._lock:
            self._background = [b for b in self._background if b.is_alive()] + [t]
        t.start()

    def send_raw(self, event: dict, signature: str | None = None) -> dict:
        raw = json.dumps(event, indent=2).encode()
        return self._post_webhook(raw, event.get("id"), event.get("type"), signature)

    def _post_webhook(self, raw: bytes, event_id, type_, signature: str | None) -> dict:
        if signature not in (None, "valid", "bad", "stale"):
            raise ValueError("signature must be 'bad', 'stale' or null")
        with self._lock:
            url = self._config["webhook_url"]
            secret = self._config["webhook_secret"]
        t = int(time.time())
        if signature == "stale":
            t -= STALE_SIGNATURE_AGE_S     # correctly signed, but an hour old
        key = secret
        if signature == "bad":
            key = "whsec_not_the_endpoint_secret_" + secrets.token_hex(8)
        header = f"t={t},v1={sign_payload(key, t, raw)}"
        record = {"event_id": event_id, "type": type_, "url": url,
                  "signature": signature or "valid", "stripe_signature": header,
                  "sent_at": time.time(), "status": None, "body": None, "error": None}
        if not url:
            record["error"] = "no webhook_url configured"
        else:
            req = urllib.request.Request(url, data=raw, method="POST", headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": header,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks) stripe-double",
            })
            try:
                with self._opener.open(req, timeout=WEBHOOK_TIMEOUT_S) as resp:
                    record["status"] = resp.status
                    record["body"] = resp.read().decode("utf-8", "replace")[:DELIVERY_BODY_LIMIT]
            except urllib.error.HTTPError as e:
                record["status"] = e.code
                record["body"] = e.read().decode("utf-8", "replace")[:DELIVERY_BODY_LIMIT]
            except (urllib.error.URLError, OSError) as e:
                record["error"] = f"{type(e).__name__}: {getattr(e, 'reason', e)}"
        record["duration_ms"] = round((time.time() - record["sent_at"]) * 1000, 1)
        with self._lock:
            self._deliveries.append(record)
        if self.verbose:
            print(f"stripe-double: webhook {type_} {event_id} -> {url}: "
                  f"{record['status'] or record['error']}", file=sys.stderr, flush=True)
        return copy.deepcopy(record)

    # ---- views for the control API and Python tests ----------------------

    def sessions(self) -> list[dict]:
        with self._lock:
            return [dict(copy.deepcopy(r["object"]), line_items=copy.deepcopy(r["line_items"]))
                    for r in self._sessions.values()]

    def refunds(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(list(self._refunds.values()))

    def events(self) -> list[dict]:
        with self._lock:
            return [copy.deepcopy(e["event"]) for e in self._events.values()]

    def event(self, event_id: str) -> dict | None:
        with self._lock:
            e = self._events.get(event_id)
            return copy.deepcopy(e["event"]) if e else None

    def deliveries(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._deliveries)

    def requests(self) -> list[dict]:
        with self._lock:
            return copy.deepcopy(self._requests)

    def session_record(self, sid: str):
        with self._lock:
            rec = self._sessions.get(sid)
            return copy.deepcopy(rec) if rec else None


# --------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------

class _Handler(http.server.BaseHTTPRequestHandler):
    """Routes:

    /v1/...                           the Stripe subset (see StripeDouble.handle_v1)

    /_double/... (JSON, no auth; errors are {"error": "text"} with 400/404):
      GET  /_double/config                    the configuration
      POST /_double/config                    {"webhook_url", "webhook_secret", "down", "delay_ms"} (any subset)
      POST /_double/reset                     forget everything but the configuration
      GET  /_double/sessions                  {"data": [session + "line_items"]}
      GET  /_double/sessions/{id}             one session + "line_items"
      POST /_double/sessions/{id}/complete    {"send_webhook": true, "force": false}
      POST /_double/sessions/{id}/expire      {"send_webhook": true}
      POST /_double/events/{id}/resend        {"signature": null|"bad"|"stale"}
      POST /_double/send                      {"event": {...}, "signature": null|"bad"|"stale"}
      GET  /_double/events | /_double/refunds | /_double/deliveries | /_double/requests
                                              {"data": [...]}, oldest first

    /pay/{id}                         the hosted payment page (GET shows, POST action=pay|cancel)
    """

    double: StripeDouble            # set on the bound subclass
    protocol_version = "HTTP/1.1"   # keep-alive; every answer carries Content-Length
    server_version = "stripe-double"
    sys_version = ""
    timeout = 60                    # idle keep-alive connections are closed

    def log_message(self, fmt, *args):
        if self.double.verbose:
            sys.stderr.write("stripe-double: " + (fmt % args) + "\n")

    def do_GET(self):
        self._route("GET")

    def do_POST(self):
        self._route("POST")

    def do_DELETE(self):
        self._route("DELETE")

    # ---- plumbing --------------------------------------------------------

    def _body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            out = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status: int, body: bytes, ctype: str, headers: dict | None = None):
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True   # the client gave up (e.g. timed out on a slow answer)

    def _json(self, status: int, obj, headers: dict | None = None):
        self._send(status, json.dumps(obj, indent=2).encode(), "application/json", headers)

    def _route(self, method: str):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        body = self._body()
        try:
            if path.startswith("/v1/"):
                status, out, extra = self.double.handle_v1(method, path, url.query,
                                                           self.headers, body)
                self._send(status, out, "application/json", extra)
            elif path.startswith("/_double/"):
                self._control(method, path, body)
            elif path.startswith("/pay/"):
                self._pay(method, path, body)
            else:
                self._json(404, {"error": f"no route {method} {path} (try /v1/, /_double/, /pay/)"})
        except Exception as e:  # a bug in the double must not hang the client
            self._json(500, {"error": {"type": "api_error",
                                       "message": f"stripe-double internal error: {e!r}"}})
            raise

    # ---- control API -----------------------------------------------------

    def _control(self, method: str, path: str, body: bytes):
        d = self.double
        parts = path.strip("/").split("/")[1:]     # after "_double"
        try:
            args = json.loads(body) if body.strip() else {}
            if not isinstance(args, dict):
                raise ValueError("the body must be a JSON object")
        except ValueError as e:
            return self._json(400, {"error": f"bad JSON body: {e}"})
        try:
            if parts == ["config"]:
                if method == "POST":
                    return self._json(200, d.configure(**args))
                return self._json(200, d.config())
            if method == "POST" and parts == ["reset"]:
                d.reset()
                return self._json(200, {"reset": True})
            if method == "GET" and len(parts) == 1 and parts[0] in (
                    "sessions", "refunds", "events", "deliveries", "requests"):
                return self._json(200, {"data": getattr(d, parts[0])()})
            if method == "GET" and len(parts) == 2 and parts[0] == "sessions":
                rec = d.session_record(parts[1])
                if rec is None:
                    return self._json(404, {"error": f"no session {parts[1]}"})
                return self._json(200, dict(rec["object"], line_items=rec["line_items"]))
            if method == "GET" and len(parts) == 2 and parts[0] == "events":
                ev = d.event(parts[1])
                if ev is None:
                    return self._json(404, {"error": f"no event {parts[1]}"})
                return self._json(200, ev)
            if method == "POST" and len(parts) == 3 and parts[0] == "sessions" \
                    and parts[2] in ("complete", "expire"):
                if parts[2] == "complete":
                    _, event = d.complete_session(parts[1], force=bool(args.get("force", False)))
                else:
                    _, event = d.expire_session(parts[1])
                delivery = None
                if args.get("send_webhook", True):
                    delivery = d.deliver(event["id"])
                # else: a lost webhook; the event exists (and can be resent)
                return self._json(200, {"event": event, "delivery": delivery})
            if method == "POST" and len(parts) == 3 and parts[0] == "events" \
                    and parts[2] == "resend":
                if d.event(parts[1]) is None:
                    return self._json(404, {"error": f"no event {parts[1]}"})
                delivery = d.deliver(parts[1], args.get("signature"))
                return self._json(200, {"event": d.event(parts[1]), "delivery": delivery})
            if method == "POST" and parts == ["send"]:
                event = args.get("event")
                if not isinstance(event, dict):
                    return self._json(400, {"error": "give {\"event\": {...}}"})
                delivery = d.send_raw(event, args.get("signature"))
                return self._json(200, {"event": event, "delivery": delivery})
        except StripeError as e:
            return self._json(e.status, {"error": e.message})
        except (ValueError, TypeError) as e:
            return self._json(400, {"error": str(e)})
        return self._json(404, {"error": f"no control route {method} {path}"})

    # ---- hosted payment page ---------------------------------------------

    def _pay(self, method: str, path: str, body: bytes):
        d = self.double
        sid = path[len("/pay/"):].strip("/")
        rec = d.session_record(sid)
        if rec is None:
            return self._page(404, "<p>No such payment session.</p>")
        s = rec["object"]
        if method == "POST":
            form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            action = form.get("action")
            if action == "cancel":
                if s.get("cancel_url"):   # the session stays open
                    return self._send(303, b"", "text/plain", {"Location": s["cancel_url"]})
                return self._page(200, "<p>Payment cancelled.</p>")
            if action != "pay":
                return self._page(400, "<p>Unknown action.</p>")
            try:
                _, event = d.complete_session(sid)
            except StripeError:
                return self._page(409, self._closed_text(d.session_record(sid)["object"]))
            # The webhook goes out before the buyer is redirected, so that
            # ticketsd has normally heard of the payment by the time the
            # browser lands on success_url (it must not rely on it, though).
            d.deliver(event["id"])
            target = s["success_url"].replace("{CHECKOUT_SESSION_ID}", sid)
            return self._send(303, b"", "text/plain", {"Location": target})

        rows = "".join(
            f"<tr><td>{html.escape(li['name'])}</td><td>{li['quantity']}</td>"
            f"<td>{html.escape(_format_amount(li['unit_amount'], li['currency']))}</td>"
            f"<td>{html.escape(_format_amount(li['amount_total'], li['currency']))}</td></tr>"
            for li in rec["line_items"])
        total = html.escape(_format_amount(s["amount_total"], s["currency"]))
        if s["status"] == "open":
            actions = (f'<form method="post" action="/pay/{html.escape(sid)}">'
                       '<button name="action" value="pay">Pay</button> '
                       '<button name="action" value="cancel">Cancel</button></form>')
        else:
            actions = self._closed_text(s)
        content = (f"<p>Amount: <strong class=\"amount\">{total}</strong> "
                   f"(<span class=\"minor\">{s['amount_total']}</span> "
                   f"<span class=\"currency\">{html.escape(s['currency'])}</span>)</p>"
                   "<table><tr><th>Item</th><th>Quantity</th><th>Unit price</th><th>Total</th></tr>"
                   f"{rows}</table>{actions}")
        return self._page(200, content)

    @staticmethod
    def _closed_text(s: dict) -> str:
        if s["status"] == "complete":
            return '<p class="status">This payment is complete.</p>'
        return '<p class="status">This payment session has expired.</p>'

    def _page(self, status: int, content: str):
        page = ("<!doctype html><html><head><meta charset=\"utf-8\"><title>Test payment</title>"
                "</head><body><h1>Test payment</h1>"
                "<p><em>stripe-double: a local stand-in for Stripe Checkout; no money moves."
                "</em></p>" + content + "</body></html>")
        self._send(status, page.encode(), "text/html; charset=utf-8")


# --------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Test double of Stripe's Checkout API on 127.0.0.1 (tests only).")
    ap.add_argument("--port", type=int, default=0, help="port to bind (0: any free port)")
    ap.add_argument("--port-file", help="write the bound port into this file")
    ap.add_argument("--secret-key", default=DEFAULT_SECRET_KEY,
                    help=f"the API key /v1 requests must carry (default {DEFAULT_SECRET_KEY})")
    ap.add_argument("--webhook-url", help="where to POST events (also POST /_double/config)")
    ap.add_argument("--webhook-secret", default=DEFAULT_WEBHOOK_SECRET,
                    help=f"webhook signing secret (default {DEFAULT_WEBHOOK_SECRET})")
    ap.add_argument("--verbose", action="store_true", help="log requests and deliveries to stderr")
    opts = ap.parse_args(argv)

    double = StripeDouble(port=opts.port, secret_key=opts.secret_key,
                          webhook_url=opts.webhook_url, webhook_secret=opts.webhook_secret,
                          verbose=opts.verbose).start()
    if opts.port_file:
        tmp = f"{opts.port_file}.tmp{os.getpid()}"
        with open(tmp, "w") as f:
            f.write(f"{double.port}\n")
        os.replace(tmp, opts.port_file)    # readers never see a half-written file
    print(f"stripe-double listening on 127.0.0.1:{double.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    double.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
