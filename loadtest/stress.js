// @ts-check
// Stress: browsing and buying ramped past capacity. Buyers arrive at a rate that climbs to
// PEAK_RATE purchases per second (set it to about four times what the target sustains: the
// figures of docs/architecture.md are per replica on two cores), and visitors of the catalogue
// at BROWSE_PER_PURCHASE times that. Past capacity the selling path sheds with 429 and
// Retry-After (the journeys back off and retry, then give up: shed_gave_up) while the latency of
// the requests it admits stays within the SLO and nothing answers 5xx: that is what the
// thresholds hold it to. sold_out and basket_refused show when stock or per-client limits (run
// with HOLD_LIMIT_PER_CLIENT=0 on the target, or SPREAD_CLIENTS from inside the cluster) get in
// the way.
//
// Buy an event with free ticket types (EVENT_ID): its checkouts are paid at once. A priced
// ticket bought by the public is handed over to the payment provider (pending_payment): each
// checkout creates a Stripe Checkout Session, so past Stripe's rate limit the checkouts answer
// 503 payment-provider-unavailable (payment_provider_unavailable) and the test measures Stripe
// (with CANCEL_ORDERS, each pending order is cancelled, which closes its payment page too).
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e PEAK_RATE=400 -e THINK_TIME=0.5 -e EVENT_ID=<free event> loadtest/stress.js
import { CHECKOUT_THRESHOLDS, SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envNumber } from "./lib/config.js";
import { browse as browseJourney, purchase as purchaseJourney } from "./lib/journeys.js";

const PEAK = envNumber("PEAK_RATE", 200);
const BROWSE_PER_PURCHASE = envNumber("BROWSE_PER_PURCHASE", 4);
/** Length of each step of the ramp. */
const STEP = envDuration("STEP", "2m");

/**
 * A quarter of the peak, half, the peak (past capacity), held there, then down to nothing.
 * @param {number} peak
 * @returns {{ target: number, duration: string }[]}
 */
const ramp = (peak) => [
  { target: Math.ceil(peak / 4), duration: STEP },
  { target: Math.ceil(peak / 2), duration: STEP },
  { target: peak, duration: STEP },
  { target: peak, duration: STEP },
  { target: 0, duration: STEP },
];

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    buyers: {
      executor: "ramping-arrival-rate",
      exec: "purchase",
      startRate: 0,
      timeUnit: "1s",
      stages: ramp(PEAK),
      preAllocatedVUs: envNumber("VUS", 200),
      maxVUs: envNumber("MAX_VUS", 3000),
    },
    browsers: {
      executor: "ramping-arrival-rate",
      exec: "browse",
      startRate: 0,
      timeUnit: "1s",
      stages: ramp(PEAK * BROWSE_PER_PURCHASE),
      preAllocatedVUs: envNumber("VUS", 200),
      maxVUs: envNumber("MAX_VUS", 3000),
    },
  },
  thresholds: { ...SLO_THRESHOLDS, ...CHECKOUT_THRESHOLDS },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function purchase() {
  purchaseJourney();
}

export function browse() {
  browseJourney();
}
