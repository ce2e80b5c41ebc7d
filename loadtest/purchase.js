// @ts-check
// Purchase: buyers at a constant arrival rate, each through the whole sale: the events on sale
// (or EVENT_ID), one event opened, a basket of 1 to MAX_QUANTITY tickets, checkout with an
// Idempotency-Key, the order read back with its secret. A checkout succeeds two ways: paid at
// once (free ticket types), then (CANCEL_ORDERS, default true) cancelled so that the stock
// returns; or pending_payment, handed over to the payment provider (Stripe Checkout) and left
// there unpaid (pending_payments): its stock stays held until the payment page expires, at most
// 30 minutes, so a long run on priced tickets sells the events out (sold_out climbs) and makes
// one Checkout Session at Stripe per purchase. For the selling path alone, at any rate, buy an
// event with free ticket types: -e EVENT_ID=<id>. Sold out (409) and too many holds (429
// without Retry-After: HOLD_LIMIT_PER_CLIENT, which counts every VU behind one address as one
// client) are counted in sold_out and basket_refused, not as failures; 503
// payments-not-configured (no online payment on the target) stops the run.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e RATE=5 -e DURATION=10m loadtest/purchase.js
//   k6 run -e BASE_URL=http://<ALB_DNS> -e RATE=50 -e EVENT_ID=<free event> loadtest/purchase.js
import { CHECKOUT_THRESHOLDS, SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envNumber } from "./lib/config.js";
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
  thresholds: { ...SLO_THRESHOLDS, ...CHECKOUT_THRESHOLDS },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export default function () {
  purchase();
}
