// @ts-check
// The adapter behaves as k6 where the scenarios depend on it (run by test.sh; must pass):
// sleep blocks; setup's data reaches the iteration and teardown as a copy; response headers
// have Go's canonical names; an object body is form-encoded (so the shop refuses it: 415), as
// k6 sends it; a request with no answer is status 0 with an error, not an exception; the
// response callback decides what counts in http_req_failed; json() takes a dotted selector.
import { check, group, sleep } from "k6";
import http from "k6/http";
import { Counter } from "k6/metrics";

const BASE_URL = __ENV.BASE_URL || "http://127.0.0.1:8000";
/** A loopback port where nothing listens (port 1, tcpmux, is all but never served). */
const CLOSED_URL = __ENV.CLOSED_URL || "http://127.0.0.1:1";
const seen = new Counter("fidelity_samples");

/** @type {import("k6/options").Options} */
export const options = {
  // Of the four requests, the 415 and the one without an answer are failures; the 422 is
  // expected by its own callback. Counters count every sample, tagged or not.
  thresholds: { fidelity_samples: ["count==2"], http_req_failed: ["rate==0.5"] },
};

export function setup() {
  return { startedAt: Date.now(), list: [1, 2] };
}

/** @param {{ startedAt: number, list: number[] }} data */
export default function (data) {
  group("sleep", () => {
    const t0 = Date.now();
    sleep(0.3);
    check(Date.now() - t0, { "sleep(0.3) blocks 300 ms": (ms) => ms >= 290 && ms < 2000 });
  });
  check(data, { "setup data arrives": (d) => d.list.length === 2 && d.startedAt > 0 });
  data.list.push(3);

  const res = http.get(`${BASE_URL}/api/events?limit=2`);
  check(res, {
    "canonical header names": (r) => (r.headers["Content-Type"] ?? "").startsWith("application/json") && !!r.headers["X-Request-Id"],
    "json() with a selector": (r) => r.json("events.0.id") === (/** @type {any} */ (r.json())).events[0].id,
    "timings.duration measured": (r) => r.timings.duration > 0,
  });

  const form = http.post(`${BASE_URL}/api/basket`, { items: "1" });
  check(form, { "an object body is form-encoded (415)": (r) => r.status === 415 && form.request.body === "items=1" });

  const json = http.post(`${BASE_URL}/api/basket`, JSON.stringify({ items: [] }), {
    headers: { "Content-Type": "application/json" },
    responseCallback: http.expectedStatuses(422, 400),
  });
  check(json, { "a string body is sent as it is": (r) => r.status === 422 || r.status === 400 });

  const none = http.get(CLOSED_URL, { timeout: "5s" });
  check(none, { "no answer: status 0 with an error": (r) => r.status === 0 && r.error !== "" && r.error_code > 0 });
  seen.add(1);
  seen.add(1, { kind: "second" });
}

/** @param {{ startedAt: number, list: number[] }} data */
export function teardown(data) {
  check(data, { "teardown gets setup's data, not the iteration's copy": (d) => d.list.length === 2 });
}
