// @ts-check
// Soak: a long, flat load, browsing and buying at constant rates (BROWSE_RATE, PURCHASE_RATE)
// for DURATION (default 2 hours), well below capacity. It looks for what only time shows: a
// leak, a pool that does not give connections back, a cache or a table that only grows.
//
// What must stay flat: the memory and the file descriptors of each ticketsd process. After the
// first minutes (the catalogue cache filling, the pool opening its connections) neither may
// grow with time at a constant load; a line that climbs, however slowly, is a leak of memory
// or of sockets, files or database connections. Watch, per pod, in Prometheus or Grafana:
//   process_resident_memory_bytes   resident memory (bounded by the cache, CATALOGUE_CACHE_BYTES)
//   process_open_fds                open descriptors: client connections, the pool, the database
//                                   (against process_max_fds)
// and beside them db_active_connections, holds_active (live baskets: with CANCEL_ORDERS every
// paid order is cancelled, so it must not climb) and http_requests_in_flight. Buy an event with
// free ticket types (EVENT_ID) for that: a priced checkout is left pending at the payment
// provider and holds its basket until the payment page expires (30 minutes), so holds_active
// then levels off at about PURCHASE_RATE x 1800 instead, and the events sell out.
// The scenario `sample` also reads /metrics once a minute and records both process figures as
// backend_resident_memory_bytes and backend_open_fds (min, median and max in the summary; a max
// far above the median is the climb). Through the ALB each read lands on one of the pods, so the
// per-pod series in Prometheus are the real record; this is a quick look without it.
//
//   k6 run -e BASE_URL=http://<ALB_DNS> -e DURATION=4h loadtest/soak.js
import { check } from "k6";
import { Trend } from "k6/metrics";
import * as api from "./lib/api.js";
import { CHECKOUT_THRESHOLDS, SLO_THRESHOLDS, SUMMARY_TREND_STATS, envDuration, envNumber } from "./lib/config.js";
import { browse as browseJourney, purchase as purchaseJourney } from "./lib/journeys.js";

const DURATION = envDuration("DURATION", "2h");
const residentMemory = new Trend("backend_resident_memory_bytes");
const openFds = new Trend("backend_open_fds");

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: {
    browsers: {
      executor: "constant-arrival-rate",
      exec: "browse",
      rate: envNumber("BROWSE_RATE", 10),
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: envNumber("VUS", 50),
      maxVUs: envNumber("MAX_VUS", 300),
    },
    buyers: {
      executor: "constant-arrival-rate",
      exec: "purchase",
      rate: envNumber("PURCHASE_RATE", 2),
      timeUnit: "1s",
      duration: DURATION,
      preAllocatedVUs: envNumber("VUS", 50),
      maxVUs: envNumber("MAX_VUS", 300),
    },
    sample: {
      executor: "constant-arrival-rate",
      exec: "sample",
      rate: 1,
      timeUnit: "1m",
      duration: DURATION,
      preAllocatedVUs: 1,
    },
  },
  thresholds: { ...SLO_THRESHOLDS, ...CHECKOUT_THRESHOLDS },
  summaryTrendStats: SUMMARY_TREND_STATS,
};

export function browse() {
  browseJourney();
}

export function purchase() {
  purchaseJourney();
}

/**
 * The value of an unlabelled sample in Prometheus's text format, or NaN.
 * @param {string} text
 * @param {string} name
 */
function gauge(text, name) {
  const m = new RegExp(`^${name} (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : NaN;
}

export function sample() {
  const res = api.call("GET", "/metrics", { name: "/metrics" });
  const text = String(res.body ?? "");
  const rss = gauge(text, "process_resident_memory_bytes");
  const fds = gauge(text, "process_open_fds");
  check(res, { "metrics: 200 with memory and descriptors": (r) => r.status === 200 && rss > 0 && fds > 0 });
  if (rss > 0) residentMemory.add(rss);
  if (fds > 0) openFds.add(fds);
}
