#!/usr/bin/python3
"""Emails to buyers, end to end: the real ticketsd sends through a real SMTP server on loopback
(Debian's python3-aiosmtpd) that requires STARTTLS and AUTH with a certificate made for the
test. The test reads what arrived as a buyer's mail program would: the MIME structure, each
inline QR image decoded back to its ticket code (zbarimg), the PDF of the tickets as text
(pdftotext), and the calendar entry. Then a cancellation notice, and a crash between an order's
commit and its email: after the restart the email is sent exactly once.

Usage: tests/mail/mail_test.py path/to/ticketsd     (about 30 s; exit status 1 on failure)
"""

import email
import email.policy
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

USER, PASSWORD = "ticketsd", "mail-password-0123"
ADMIN = "mail-test-admin-token-0123456789"
DEADLINE = time.monotonic() + 150

failures = []


def check(condition, what):
    print(("ok    " if condition else "FAIL  ") + what, flush=True)
    if not condition:
        failures.append(what)
    return condition


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """What the SMTP server accepted, with how each session was secured."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append({
                "rcpt": list(envelope.rcpt_tos),
                "mail_from": envelope.mail_from,
                "tls": session.ssl is not None,
                "authenticated": bool(session.authenticated),
                "message": email.message_from_bytes(envelope.content, policy=email.policy.default),
            })
        return "250 OK"

    def wait_for(self, predicate, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            with self.lock:
                found = [m for m in self.messages if predicate(m)]
            if found:
                return found
            time.sleep(0.1)
        return []

    def matching(self, predicate):
        with self.lock:
            return [m for m in self.messages if predicate(m)]


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode() and \
        auth_data.password == PASSWORD.encode()
    return AuthResult(success=ok)


def smtp_server(inbox, port, cert, key):
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    controller = Controller(inbox, hostname="127.0.0.1", port=port, tls_context=context,
                            require_starttls=True, auth_required=True, auth_require_tls=True,
                            authenticator=authenticator)
    controller.start()
    return controller


class Ticketsd:
    def __init__(self, binary, env):
        self.proc = subprocess.Popen([binary], env=env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True)
        self.lines = []
        self.port = None
        ready = threading.Event()

        def read():
            for line in self.proc.stdout:
                self.lines.append(line.rstrip("\n"))
                m = re.search(r'"msg":"listening".*"port":(\d+)', line)
                if m:
                    self.port = int(m.group(1))
                    ready.set()
            ready.set()

        self.reader = threading.Thread(target=read, daemon=True)
        self.reader.start()
        ready.wait(30)
        if self.port is None:
            raise RuntimeError("ticketsd did not start:\n" + "\n".join(self.lines[-20:]))

    def call(self, method, path, body=None, headers=None):
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=data,
                                         method=method, headers=headers or {})
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as e:
            return e.code, e.read()

    def wait_for_log(self, needle, timeout=20):
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if any(needle in line for line in self.lines):
                return True
            time.sleep(0.1)
        return False

    def kill(self, signo=signal.SIGKILL):
        self.proc.send_signal(signo)
        self.proc.wait(10)


def buy(server, type_id, quantity, key):
    """A box-office sale (the admin token): paid at once, the confirmation in the outbox."""
    status, body = server.call("POST", "/api/basket",
                               {"items": [{"ticket_type_id": type_id, "quantity": quantity}]})
    assert status == 201, body
    basket = json.loads(body)["id"]
    status, body = server.call("POST", "/api/checkout",
                               {"basket_id": basket, "email": "buyer@example.com",
                                "name": "Zoë Buyer"},
                               {"Idempotency-Key": key, "Authorization": "Bearer " + ADMIN})
    assert status == 201, body
    return json.loads(body)["order"]


def parts_of(message):
    return [p for p in message.walk() if not p.is_multipart()]


def read_confirmation(found, order, workdir):
    message = found["message"]
    codes = sorted(t["code"] for t in order["tickets"])
    check(found["tls"], "the session was secured with STARTTLS")
    check(found["authenticated"], "ticketsd authenticated (AUTH) before sending")
    check(found["rcpt"] == ["buyer@example.com"], "sent to the buyer only")
    check(found["mail_from"] == "tickets@shop.example", "from MAIL_FROM")
    check(order["code"] in str(message["Subject"]) and "Zoë’s Night" in str(message["Subject"]),
          f"subject names the order and the event (UTF-8 header): {message['Subject']}")
    check(bool(message["Message-ID"]) and "outbox-" in message["Message-ID"],
          f"a Message-ID of its outbox message: {message['Message-ID']}")
    check(message.get_content_type() == "multipart/mixed", "multipart/mixed at the top")
    parts = parts_of(message)
    text = [p for p in parts if p.get_content_type() == "text/plain"]
    html = [p for p in parts if p.get_content_type() == "text/html"]
    images = [p for p in parts if p.get_content_type() == "image/png"]
    pdfs = [p for p in parts if p.get_content_type() == "application/pdf"]
    calendars = [p for p in parts if p.get_content_type() == "text/calendar"]
    check(len(text) == 1 and len(html) == 1, "plain text alongside HTML")
    if text:
        plain = text[0].get_content()
        check(all(c in plain for c in codes), "the text lists every ticket code")
        check("19:00" in plain, "the text gives the start in the event's time zone (19:00 BST)")
    if html:
        markup = html[0].get_content()
        cids = re.findall(r'src="cid:([^"]+)"', markup)
        check(len(cids) == len(codes), f"the HTML shows {len(codes)} inline QR images")
        check(sorted(p["Content-ID"].strip("<>") for p in images) == sorted(cids),
              "each inline image is a part with the Content-ID the HTML refers to")
        check("&lt;script&gt;" in markup and "<script>" not in markup,
              "the buyer's and the event's words are escaped in the HTML")
    decoded = []
    for i, image in enumerate(images):
        path = os.path.join(workdir, f"qr-{i}.png")
        with open(path, "wb") as f:
            f.write(image.get_payload(decode=True))
        out = subprocess.run(["zbarimg", "--raw", "-q", path], capture_output=True, text=True)
        decoded.append(out.stdout.strip())
    check(sorted(decoded) == codes, f"each QR image decodes to a ticket code: {decoded}")
    check(len(pdfs) == 1 and pdfs[0].get_filename() == f"tickets-{order['code']}.pdf",
          "the tickets attached as a PDF")
    if pdfs:
        path = os.path.join(workdir, "tickets.pdf")
        with open(path, "wb") as f:
            f.write(pdfs[0].get_payload(decode=True))
        pdf_text = subprocess.run(["pdftotext", "-layout", path, "-"], capture_output=True,
                                  text=True).stdout
        check("Night" in pdf_text and "Stalls" in pdf_text, "the PDF names the event and seat type")
        check(all(c in pdf_text for c in codes), "the PDF carries every ticket code")
        check(order["code"] in pdf_text, "the PDF carries the order code")
        check("19:00" in pdf_text, "the PDF gives the time in the event's time zone")
    check(len(calendars) == 1 and calendars[0].get_filename() == "event.ics",
          "a calendar entry attached")
    if calendars:
        ics = calendars[0].get_payload(decode=True).decode()
        check("DTSTART:20300601T180000Z" in ics and "DTEND:20300601T210000Z" in ics,
              "the calendar entry starts and ends in UTC")
        check("BEGIN:VEVENT" in ics and "\r\n" in ics, "an iCalendar VEVENT with CRLF lines")
        check(f"UID:event-" in ics and order["code"] in ics, "its UID names the order")


def main():
    binary = os.path.abspath(sys.argv[1])
    with tempfile.TemporaryDirectory() as workdir:
        cert, key = os.path.join(workdir, "cert.pem"), os.path.join(workdir, "key.pem")
        subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                        "-keyout", key, "-out", cert], check=True, capture_output=True)
        inbox = Inbox()
        smtp_port = free_port()
        controller = smtp_server(inbox, smtp_port, cert, key)
        data = os.path.join(workdir, "data")
        os.mkdir(data)
        env = {"PATH": "/usr/bin:/bin", "PORT": "0", "DATA_DIR": data, "ADMIN_TOKEN": ADMIN,
               "SMTP_URL": f"smtp://{USER}:{PASSWORD}@127.0.0.1:{smtp_port}",
               "MAIL_FROM": "tickets@shop.example", "SMTP_CA_FILE": cert,
               "PUBLIC_BASE_URL": "https://shop.example", "LOG_LEVEL": "info"}
        server = Ticketsd(binary, env)
        try:
            check(not any(PASSWORD in line for line in server.lines),
                  "the SMTP password is never logged")
            status, body = server.call("POST", "/api/admin/events", {
                "name": "Zoë’s Night <script>", "venue": "Hall & Co", "status": "on_sale",
                "starts_at": "2030-06-01T18:00:00Z", "ends_at": "2030-06-01T21:00:00Z",
                "timezone": "Europe/London",
                "ticket_types": [{"name": "Stalls", "price": 2500, "currency": "GBP",
                                  "capacity": 20}]},
                {"Authorization": "Bearer " + ADMIN})
            assert status == 201, body
            type_id = json.loads(body)["ticket_types"][0]["id"]

            order = buy(server, type_id, 2, "mail-1")
            found = inbox.wait_for(lambda m: order["code"] in str(m["message"]["Subject"]))
            if check(len(found) == 1, "the order confirmation arrived, once"):
                read_confirmation(found[0], order, workdir)

            status, body = server.call("POST", f"/api/orders/{order['code']}/cancel", None,
                                       {"X-Order-Secret": order["secret"]})
            check(status == 200, "the buyer cancels the order")
            cancelled = inbox.wait_for(
                lambda m: "cancelled" in str(m["message"]["Subject"]) and
                order["code"] in str(m["message"]["Subject"]))
            check(len(cancelled) == 1, "the cancellation notice arrived")

            # The SMTP server is down when the next order is paid; ticketsd dies before it
            # could send; after the restart the email goes out exactly once.
            controller.stop()
            second = buy(server, type_id, 1, "mail-2")
            check(server.wait_for_log("outbox delivery failed"),
                  "the delivery fails while the SMTP server is down, and is logged")
            check(not any(PASSWORD in line for line in server.lines),
                  "the failure's log line carries no credentials")
            server.kill()
            controller = smtp_server(inbox, smtp_port, cert, key)
            server = Ticketsd(binary, env)
            again = inbox.wait_for(lambda m: second["code"] in str(m["message"]["Subject"]), 30)
            time.sleep(3)
            again = inbox.matching(lambda m: second["code"] in str(m["message"]["Subject"]))
            check(len(again) == 1,
                  f"after the crash and restart the confirmation was sent exactly once ({len(again)})")
            status, body = server.call("GET", "/metrics")
            check(re.search(rb'emails_sent_total\{kind="order_confirmation"\} [1-9]', body) is not None,
                  "emails_sent_total counts it")
        finally:
            server.kill()
            controller.stop()
    print(f"mail: {'FAILED' if failures else 'all checks passed'}", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    signal.signal(signal.SIGALRM, lambda *_: (print("mail: timed out"), os._exit(1)))
    signal.alarm(170)
    sys.exit(main())
