// @ts-check
// Purchase: buyers at a constant arrival rate, each through the whole sale: the events on sale,
// one event opened, a basket of 1 to MAX_QUANTITY tickets, checkout with an Idempotency-Key,
// the order read back with its secret, then (CANCEL_ORDERS, default true) cancelled so that the
// stock returns and the run does not turn into a sell-out. Sold out (409) and too many holds
// (429 without Retry-After: HOLD_LIMIT_PER_CLIENT, which counts every VU behind one address as
// one client) are counted in sold_out and basket_refused, not as failures.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e RATE=5 -e DURATION=10m loadtest/purchase.js
import { SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envNumber } from "./lib/config.js";
import { purchase } from "./lib/journeys.js";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    purchase: {
      executor: "constant-arrival-rate",
      // Purchases started per second.
      rate: envNumber("RATE", 5),
      timeUnit: "1s",
      duration: envDuration("DURATION", "5m"),
      // A purchase takes about five think times: RATE x 5 x THINK_TIME VUs are busy.
      preAllocatedVUs: envNumber("VUS", 50),
      maxVUs: envNumber("MAX_VUS", 500),
    },
  },
  thresholds: SLO_THRESHOLDS,
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  purchase();
}
