// @ts-check
// Smoke: one user, once (ITERATIONS), through everything a buyer touches: the probes, the API
// document, every kind of catalogue read, an unknown event (404 as a problem), and a purchase
// that must complete: basket, checkout, the order read back. A priced ticket bought by the
// public ends at the payment provider (pending_payment with its payment page: not paid, its
// stock held until the page expires, at most 30 minutes); a free one (EVENT_ID of an event with
// free ticket types) is paid at once, then cancelled so its stock returns. Either proves the
// checkout; a shop without online payment configured fails it (503 payments-not-configured,
// said as such). Run it after each deploy, before any load: it proves the target is the shop
// and that the journeys of the other scenarios work there.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> loadtest/smoke.js
import { check, group } from "k6";
import * as api from "./lib/api.js";
import { CHECKOUT_THRESHOLDS, SLO_THRESHOLDS, SUMMARY_TREND_STATS, envNumber } from "./lib/config.js";
import { browse, purchase } from "./lib/journeys.js";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    smoke: { executor: "per-vu-iterations", vus: 1, iterations: envNumber("ITERATIONS", 1), maxDuration: "5m" },
  },
  thresholds: { ...SLO_THRESHOLDS, ...CHECKOUT_THRESHOLDS },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  group("probes", () => {
    const live = api.call("GET", "/healthz", { name: "/healthz" });
    check(live, { "healthz: 200": (r) => r.status === 200 });
    const ready = api.call("GET", "/readiness", { name: "/readiness" });
    check(ready, { "readiness: 200 ready": (r) => r.status === 200 && api.parse(r)?.status === "ready" });
    const doc = api.call("GET", "/api/openapi.json", { name: "/api/openapi.json" });
    check(doc, { "API document: OpenAPI 3.1": (r) => r.status === 200 && /^3\.1\./.test(api.parse(r)?.openapi ?? "") });
  });
  browse({ every: true, strict: true });
  group("not found", () => {
    const { res } = api.getEvent(2147483647, { expect404: true });
    check(res, {
      "unknown event: 404 problem": (r) =>
        r.status === 404 && (r.headers["Content-Type"] ?? "").startsWith("application/problem+json"),
    });
  });
  purchase({ strict: true });
}
