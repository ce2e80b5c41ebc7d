// @ts-check
// On-sale: one hot event behind its waiting room. Buyers arrive at ARRIVAL_RATE per second for
// ARRIVAL_DURATION; each reads the queue's state (solving the proof of work when it asks one),
// joins, reads their place every POLL_SECONDS until admitted, then buys with the admitted token
// as X-Queue-Token: basket, checkout, the order read back (paid at once for free tickets;
// pending_payment for priced ones, left unpaid at the payment provider, their stock held until
// the payment page expires, as a buyer who walked away). queue_wait is the time from joining
// to admission; with ADMIT_PER_MINUTE below the arrival rate it grows through the run, as it
// should, while the selling path behind the room stays within the SLOs.
//
// The waiting room must be on. With ADMIT_PER_MINUTE and POW_DIFFICULTY and an admin token
// (ADMIN_TOKEN), setup() turns it on for EVENT_ID and teardown() puts back what it was (unless
// KEEP_QUEUE=true); without a token, setup() only checks that it is on, as an organiser set it
// in the console, and stops the run if it is not.
//
// Joins are limited per client (10, then one every 6 s: 429 with Retry-After, which the buyers
// wait out). From one address that caps the arrivals; run it from inside the cluster with
// SPREAD_CLIENTS=true (the Helm chart's Job) to have each VU count as a client of its own.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e ADMIN_TOKEN=... -e EVENT_ID=1 loadtest/onsale.js
import { check, fail } from "k6";
import * as api from "./lib/api.js";
import { CHECKOUT_THRESHOLDS, SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envFlag, envNumber } from "./lib/config.js";
import { onsale } from "./lib/journeys.js";

const ADMIN_TOKEN = __ENV.ADMIN_TOKEN || "";
/** The hot event; 0: the event on sale with the most tickets left. */
const EVENT_ID = envNumber("EVENT_ID", 0);
const ADMIT_PER_MINUTE = envNumber("ADMIT_PER_MINUTE", 300);
const POW_DIFFICULTY = envNumber("POW_DIFFICULTY", 0);
const KEEP_QUEUE = envFlag("KEEP_QUEUE", false);
const MAX_WAIT_SECONDS = envNumber("MAX_WAIT_SECONDS", 600);

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    onsale: {
      executor: "constant-arrival-rate",
      rate: envNumber("ARRIVAL_RATE", 20),
      timeUnit: "1s",
      duration: envDuration("ARRIVAL_DURATION", "1m"),
      // Every buyer holds a VU while waiting: arrivals x the longest wait at most.
      preAllocatedVUs: envNumber("VUS", 200),
      maxVUs: envNumber("MAX_VUS", 2000),
      // Buyers still waiting when arrivals stop get until MAX_WAIT_SECONDS to be admitted.
      gracefulStop: `${MAX_WAIT_SECONDS + 60}s`,
    },
  },
  thresholds: { ...SLO_THRESHOLDS, ...CHECKOUT_THRESHOLDS },
  summaryTrendStats: SUMMARY_TREND_STATS,
  setupTimeout: "60s",
};

/**
 * @typedef {{ eventId: number, restore: api.QueueSettings | null }} SetupData
 * @returns {SetupData}
 */
export function setup() {
  let eventId = EVENT_ID;
  if (!eventId) {
    const { listing } = api.listEvents({ limit: 100, status: "on_sale" });
    const events = [...(listing?.events ?? [])].sort((a, b) => b.available_tickets - a.available_tickets);
    if (!events.length || events[0].available_tickets === 0) fail("no event on sale with tickets left: set EVENT_ID");
    eventId = events[0].id;
  }
  if (ADMIN_TOKEN) {
    const before = api.queueReport(eventId, ADMIN_TOKEN);
    if (!before.report) fail(`GET /api/admin/events/${eventId}/queue answered ${before.res.status}: is ADMIN_TOKEN an admin token?`);
    const on = api.configureQueue(eventId, ADMIN_TOKEN, {
      enabled: true,
      admit_per_minute: ADMIT_PER_MINUTE,
      pow_difficulty: POW_DIFFICULTY,
    });
    check(on.res, { "waiting room turned on": (r) => r.status === 200 && on.report?.enabled === true });
    if (!on.report?.enabled) fail(`PUT /api/admin/events/${eventId}/queue answered ${on.res.status}`);
    const { enabled, admit_per_minute, pow_difficulty } = before.report;
    return { eventId, restore: KEEP_QUEUE ? null : { enabled, admit_per_minute, pow_difficulty } };
  }
  const { queue } = api.queueChallenge(eventId);
  if (!queue?.enabled) {
    fail(`event ${eventId} sells without a waiting room: turn it on in the organisers' console, or pass ADMIN_TOKEN`);
  }
  return { eventId, restore: null };
}

/** @param {SetupData} data */
export default function (data) {
  onsale(data.eventId);
}

/** @param {SetupData} data */
export function teardown(data) {
  if (!data.restore || !ADMIN_TOKEN) return;
  const back = api.configureQueue(data.eventId, ADMIN_TOKEN, data.restore);
  check(back.res, { "waiting room as it was": (r) => r.status === 200 && back.report?.enabled === data.restore?.enabled });
}
